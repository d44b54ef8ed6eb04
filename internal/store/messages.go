package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/run"
)

// pollInterval is how often a waiting run looks for a signal, an approval
// or a free lock when it cannot be told of writes to the database (see
// notifier), and how often it looks whether a lock's holder still lives.
var pollInterval = 200 * time.Millisecond

// SendSignal delivers a named signal, with data, to a run.
func (s *Store) SendSignal(ctx context.Context, id run.ID, name string, data map[string]any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO signals (run_id, name, data, created_at) VALUES (?,?,?,?)`,
		string(id), name, string(b), ts(time.Now()))
	return err
}

// Wait blocks until a signal of that name arrives for the run, consumes
// it and returns its data. It implements the engine's signal source.
func (s *Store) Wait(ctx context.Context, id run.ID, name string) (map[string]any, error) {
	var data string
	err := s.poll(ctx, func() (bool, error) {
		return s.take(ctx, "signals", `SELECT id, data FROM signals WHERE run_id=? AND name=? AND consumed_at IS NULL ORDER BY id LIMIT 1`,
			[]any{string(id), name}, &data)
	})
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if err := json.Unmarshal([]byte(data), &out); err != nil {
		return nil, fmt.Errorf("signal %s data: %w", name, err)
	}
	return out, nil
}

// poll calls try until it reports done or fails, until ctx ends. Between
// calls it waits for a write to the database (see notifier), or at most
// pollInterval where it cannot be told of writes.
func (s *Store) poll(ctx context.Context, try func() (bool, error)) error {
	return s.pollEvery(ctx, 0, try)
}

// pollEvery is poll that also calls try every interval (when not 0),
// for what no write announces: a lock's holder that died.
func (s *Store) pollEvery(ctx context.Context, interval time.Duration, try func() (bool, error)) error {
	for {
		changed, wait := s.changed()
		if interval > 0 {
			wait = min(wait, interval)
		}
		done, err := try()
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // the query was cut short: say why
		}
		if busy(err) {
			// Woken by another process's write, the try can meet that
			// writer's transaction: the database is busy, not the wait
			// over. Look again at the next write or interval.
			done, err = false, nil
		}
		if done || err != nil {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-changed:
			t.Stop()
		case <-t.C:
		}
	}
}

// take consumes the first unconsumed row query finds in table (signals or
// approvals), scanning its columns after the id into dest. It reports
// false when there is none, or when another waiter consumed it first.
func (s *Store) take(ctx context.Context, table, query string, args []any, dest ...any) (bool, error) {
	var rowID int64
	err := s.db.QueryRowContext(ctx, query, args...).Scan(append([]any{&rowID}, dest...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE `+table+` SET consumed_at=? WHERE id=? AND consumed_at IS NULL`, ts(time.Now()), rowID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Lock takes the concurrency lock key for a run, waiting while another
// live process holds it. A lock whose process is gone is taken over.
// onWait is called once if the run has to wait.
func (s *Store) Lock(ctx context.Context, key string, id run.ID, onWait func(holder run.ID)) error {
	waited := false
	return s.pollEvery(ctx, pollInterval, func() (bool, error) {
		var holder string
		var pid int
		err := s.withTx(ctx, func(tx *sql.Tx) error {
			err := tx.QueryRow(`SELECT run_id, pid FROM locks WHERE key=?`, key).Scan(&holder, &pid)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && !alive(pid)) {
				_, err = tx.Exec(`INSERT INTO locks (key, run_id, pid, acquired_at) VALUES (?,?,?,?)
					ON CONFLICT(key) DO UPDATE SET run_id=excluded.run_id, pid=excluded.pid, acquired_at=excluded.acquired_at`,
					key, string(id), os.Getpid(), ts(time.Now()))
				holder = string(id)
				return err
			}
			return err
		})
		if err != nil {
			return false, fmt.Errorf("lock %q: %w", key, err)
		}
		if holder == string(id) {
			return true, nil
		}
		if !waited && onWait != nil {
			onWait(run.ID(holder))
			waited = true
		}
		return false, nil
	})
}

// Unlock releases key if run id holds it.
func (s *Store) Unlock(ctx context.Context, key string, id run.ID) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM locks WHERE key=? AND run_id=?`, key, string(id))
	return err
}

// alive reports whether a process lives; a zombie (ended, not yet
// reaped: under a pid 1 that never reaps, never) does not.
func alive(pid int) bool { return proc.Alive(pid) }

// busy reports whether err is SQLite saying another connection holds the
// database (SQLITE_BUSY, SQLITE_LOCKED, and their extended codes).
func busy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}
