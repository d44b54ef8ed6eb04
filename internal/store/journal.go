package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/osopdev/osop/internal/run"
)

// journal is a run's append-only list of ended attempts, one JSON object
// per line. Each append is a single write(2), so what a process wrote is
// in the file even if it is killed the next instant.
type journal struct {
	mu   sync.Mutex
	f    *os.File
	path string
	err  error
}

func (s *Store) journalPath(id run.ID) string {
	return filepath.Join(filepath.Dir(s.path), "journal", string(id)+".jsonl")
}

func openJournal(path string) (*journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return &journal{f: f, path: path}, nil
}

func (j *journal) append(a *Attempt) {
	b, err := json.Marshal(a)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err == nil {
		_, err = j.f.Write(append(b, '\n'))
	}
	if err != nil && j.err == nil {
		j.err = err
	}
}

func (j *journal) close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.f.Close()
}

func (j *journal) remove() error {
	j.close()
	if err := os.Remove(j.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// replayJournal folds a run's journal into attempts read from the
// database: an ended attempt the database does not have yet (the process
// died before its batch) is taken from the journal.
func (s *Store) replayJournal(id run.ID, as []*Attempt) ([]*Attempt, error) {
	f, err := os.Open(s.journalPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return as, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	index := map[key]int{}
	for i, a := range as {
		index[key{a.NodeID, a.Iteration, a.Attempt}] = i
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	for sc.Scan() {
		var a Attempt
		if json.Unmarshal(sc.Bytes(), &a) != nil {
			continue // a line cut short by a crash mid-write
		}
		a.RunID = id
		k := key{a.NodeID, a.Iteration, a.Attempt}
		if i, ok := index[k]; ok {
			if !as[i].Status.Done() || a.Status.Done() {
				a.inherit(as[i])
				as[i] = &a
			}
			continue
		}
		index[k] = len(as)
		as = append(as, &a)
	}
	return as, sc.Err()
}

// Heal writes into the database what only a crashed run's journal holds,
// marks the attempts that were running when it died as interrupted, and
// removes the journal. Resume calls it before it continues the run.
func (s *Store) Heal(ctx context.Context, id run.ID) error {
	fromDB, err := s.dbAttempts(ctx, id)
	if err != nil {
		return err
	}
	all, err := s.replayJournal(id, append([]*Attempt(nil), fromDB...))
	if err != nil {
		return err
	}
	seq, err := s.NextSeq(ctx, id)
	if err != nil {
		return err
	}
	prepared, err := s.upsert()
	if err != nil {
		return err
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		stmt := tx.Stmt(prepared)
		for i, a := range all {
			if !a.Status.Done() {
				// Its process died with it: say so, rather than leave it running.
				a.Status, a.ErrorCode = run.Failed, run.CodeInterrupted
				a.ErrorMessage = "the osop process running this attempt stopped (killed or crashed)"
			} else if i < len(fromDB) && a == fromDB[i] {
				continue
			}
			if err := upsertAttempt(stmt, a, seq); err != nil {
				return err
			}
			seq++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := os.Remove(s.journalPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
