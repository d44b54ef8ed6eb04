package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// pollInterval is how often a waiting run looks for a signal, an approval
// or a free lock.
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
	for {
		var sid int64
		var data string
		err := s.db.QueryRowContext(ctx, `SELECT id, data FROM signals WHERE run_id=? AND name=? AND consumed_at IS NULL ORDER BY id LIMIT 1`,
			string(id), name).Scan(&sid, &data)
		switch {
		case err == nil:
			res, err := s.db.ExecContext(ctx, `UPDATE signals SET consumed_at=? WHERE id=? AND consumed_at IS NULL`, ts(time.Now()), sid)
			if err != nil {
				return nil, err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // another waiter took it
			}
			out := map[string]any{}
			if err := json.Unmarshal([]byte(data), &out); err != nil {
				return nil, fmt.Errorf("signal %s data: %w", name, err)
			}
			return out, nil
		case !errors.Is(err, sql.ErrNoRows):
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// Decision is an approval sent with `osop approve`.
type Decision struct {
	Decision, Comment, By string
}

// SendApproval records a decision for a node of a run.
func (s *Store) SendApproval(ctx context.Context, id run.ID, node string, d Decision) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO approvals (run_id, node_id, decision, comment, decided_by, created_at) VALUES (?,?,?,?,?,?)`,
		string(id), node, d.Decision, d.Comment, d.By, ts(time.Now()))
	return err
}

// WaitApproval blocks until a decision for the node arrives and consumes it.
func (s *Store) WaitApproval(ctx context.Context, id run.ID, node string) (Decision, error) {
	for {
		var aid int64
		var d Decision
		err := s.db.QueryRowContext(ctx, `SELECT id, decision, comment, decided_by FROM approvals WHERE run_id=? AND node_id=? AND consumed_at IS NULL ORDER BY id LIMIT 1`,
			string(id), node).Scan(&aid, &d.Decision, &d.Comment, &d.By)
		if err == nil {
			if _, err := s.db.ExecContext(ctx, `UPDATE approvals SET consumed_at=? WHERE id=?`, ts(time.Now()), aid); err != nil {
				return d, err
			}
			return d, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return d, err
		}
		select {
		case <-ctx.Done():
			return d, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// Lock takes the concurrency lock key for a run, waiting while another
// live process holds it. A lock whose process is gone is taken over.
// onWait is called once if the run has to wait.
func (s *Store) Lock(ctx context.Context, key string, id run.ID, onWait func(holder run.ID)) error {
	waited := false
	for {
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
			return fmt.Errorf("lock %q: %w", key, err)
		}
		if holder == string(id) {
			return nil
		}
		if !waited && onWait != nil {
			onWait(run.ID(holder))
			waited = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// Unlock releases key if run id holds it.
func (s *Store) Unlock(ctx context.Context, key string, id run.ID) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM locks WHERE key=? AND run_id=?`, key, string(id))
	return err
}

// alive reports whether a process exists.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
