// Package store keeps runs in an embedded SQLite database (modernc.org/
// sqlite, WAL mode): runs, node attempts with their outputs and captured
// output, the decisions runs wait for and the signals they accept from
// other processes, and the concurrency locks that keep two runs with the
// same key apart.
//
// Writes from a running workflow are batched by a [Recorder] so that the
// store costs microseconds per node. Everything stored is already masked.
//
// It is the only package that imports the SQLite driver; it imports run.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// Store is an open database.
type Store struct {
	db   *sql.DB
	path string

	upsertOnce sync.Once
	upsertStmt *sql.Stmt // prepared once: preparing costs more than the write
	upsertErr  error

	notify notifier // wakes runs that wait for an answer
}

func (s *Store) upsert() (*sql.Stmt, error) {
	s.upsertOnce.Do(func() { s.upsertStmt, s.upsertErr = s.db.Prepare(upsertSQL) })
	return s.upsertStmt, s.upsertErr
}

const schema = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  workflow_name TEXT NOT NULL DEFAULT '',
  workflow_file TEXT NOT NULL DEFAULT '',
  workflow_hash TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  exit_code INTEGER,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  log_path TEXT NOT NULL DEFAULT '',
  workdir TEXT NOT NULL DEFAULT '',
  params TEXT NOT NULL DEFAULT '{}',
  concurrency_key TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  summary TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS runs_workflow ON runs(workflow_id, started_at);
CREATE TABLE IF NOT EXISTS attempts (
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  iteration INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  node_type TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT,
  duration_ms INTEGER,
  error_code TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL DEFAULT '',
  outputs TEXT NOT NULL DEFAULT '{}',
  stdout TEXT NOT NULL DEFAULT '',
  stderr TEXT NOT NULL DEFAULT '',
  usage TEXT NOT NULL DEFAULT '',
  seq INTEGER NOT NULL,
  PRIMARY KEY (run_id, node_id, iteration, attempt)
);
CREATE TABLE IF NOT EXISTS signals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  name TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  consumed_at TEXT
);
CREATE TABLE IF NOT EXISTS waits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  node_id TEXT NOT NULL,
  iteration INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  options TEXT NOT NULL DEFAULT '[]',
  outputs TEXT NOT NULL DEFAULT '[]',
  pid INTEGER NOT NULL DEFAULT 0,
  opened_at TEXT NOT NULL,
  decision TEXT,
  comment TEXT NOT NULL DEFAULT '',
  decided_by TEXT NOT NULL DEFAULT '',
  given TEXT NOT NULL DEFAULT '{}',
  decided_at TEXT,
  closed_at TEXT
);
CREATE INDEX IF NOT EXISTS waits_open ON waits(run_id, node_id, closed_at);
CREATE TABLE IF NOT EXISTS run_signals (
  run_id TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (run_id, name)
);
CREATE TABLE IF NOT EXISTS locks (
  key TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  pid INTEGER NOT NULL,
  acquired_at TEXT NOT NULL
);
`

// Open opens (creating if needed) the database at path.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // one writer; SQLite serialises them anyway
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	if err := addColumns(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// added are columns later versions added to tables an older osop may
// have created: table, column, definition.
var added = [][3]string{
	{"waits", "kind", "TEXT NOT NULL DEFAULT ''"},
	{"attempts", "usage", "TEXT NOT NULL DEFAULT ''"},
}

// addColumns adds the columns of [added] a database lacks. Two osop
// processes opening a new database at once (a run and an `osop approve`)
// may both find a column missing: the one that adds it second is refused,
// and finds it there.
func addColumns(db *sql.DB) error {
	has := func(c [3]string) (bool, error) {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM pragma_table_info(?) WHERE name=?`, c[0], c[1]).Scan(&n)
		return n > 0, err
	}
	for _, c := range added {
		ok, err := has(c)
		if err != nil {
			return err
		}
		if ok {
			continue
		}
		// Names come from the constant table above, never from input.
		if _, err := db.Exec("ALTER TABLE " + c[0] + " ADD COLUMN " + c[1] + " " + c[2]); err != nil {
			if ok, _ := has(c); !ok {
				return fmt.Errorf("add %s.%s: %w", c[0], c[1], err)
			}
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.notify.close()
	if s.upsertStmt != nil {
		s.upsertStmt.Close()
	}
	return s.db.Close()
}

// Path is where the database is.
func (s *Store) Path() string { return s.path }

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTS(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, s.String)
	return t
}

// ErrNotFound is a run that is not in the store.
var ErrNotFound = errors.New("not found")

// withTx runs fn in a transaction.
func (s *Store) withTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error from fn is the one that matters
		return err
	}
	return tx.Commit()
}
