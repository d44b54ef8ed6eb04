package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// Decision is an answer to a wait, sent with `osop approve` (or, for a
// manual step, `osop complete`).
type Decision struct {
	Decision, Comment, By string
	// Outputs are the values given for the wait's Outputs.
	Outputs map[string]string
	// At is when it was given (set by WaitDecision).
	At time.Time
}

// Wait is a node attempt of a run that waits for a decision. A decision
// answers exactly one wait; one sent when nothing waits is refused, and a
// wait ends (is closed) when it is answered, when its attempt stops
// waiting, or when its run ends, so no decision is ever used by a later
// attempt or a later resume.
type Wait struct {
	ID        int64
	RunID     run.ID
	NodeID    string
	Iteration int
	Attempt   int
	Options   []string // what the decision may be
	Outputs   []string // values the decision must give
	PID       int      // the process waiting
	Opened    time.Time
	// Kind is WaitManual for a manual step (answered with osop
	// complete), empty for a decision (osop approve).
	Kind string
}

// WaitManual is the kind of a manual step's wait.
const WaitManual = "manual"

// ErrNotWaiting is a decision for a node that no open wait is for.
var ErrNotWaiting = errors.New("not waiting for a decision")

// OpenWait records that w's attempt waits for a decision and returns its
// id. Waits left open for the same node by a process that stopped are
// closed first: their attempts will never read a decision.
func (s *Store) OpenWait(ctx context.Context, w Wait) (int64, error) {
	opts, _ := json.Marshal(w.Options) // lists of strings always marshal
	outs, _ := json.Marshal(w.Outputs)
	now := ts(time.Now())
	var id int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE waits SET closed_at=? WHERE run_id=? AND node_id=? AND closed_at IS NULL AND pid<>?`,
			now, string(w.RunID), w.NodeID, os.Getpid()); err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO waits (run_id, node_id, iteration, attempt, options, outputs, pid, opened_at, kind) VALUES (?,?,?,?,?,?,?,?,?)`,
			string(w.RunID), w.NodeID, w.Iteration, w.Attempt, string(opts), string(outs), os.Getpid(), now, w.Kind)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

// Waiting returns the run's open waits that have no decision yet, oldest
// first.
func (s *Store) Waiting(ctx context.Context, id run.ID) ([]Wait, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, node_id, iteration, attempt, options, outputs, pid, opened_at, kind FROM waits
		WHERE run_id=? AND closed_at IS NULL AND decided_at IS NULL ORDER BY id`, string(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Wait
	for rows.Next() {
		w := Wait{RunID: id}
		var opts, outs string
		var opened sql.NullString
		if err := rows.Scan(&w.ID, &w.NodeID, &w.Iteration, &w.Attempt, &opts, &outs, &w.PID, &opened, &w.Kind); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(opts), &w.Options); err != nil {
			return nil, fmt.Errorf("wait %d options: %w", w.ID, err)
		}
		if err := json.Unmarshal([]byte(outs), &w.Outputs); err != nil {
			return nil, fmt.Errorf("wait %d outputs: %w", w.ID, err)
		}
		w.Opened = parseTS(opened)
		out = append(out, w)
	}
	return out, rows.Err()
}

// Decide answers the open wait waitID. It returns ErrNotWaiting when that
// wait is answered or closed already: two answers never both count.
func (s *Store) Decide(ctx context.Context, waitID int64, d Decision) error {
	given, err := json.Marshal(d.Outputs)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE waits SET decision=?, comment=?, decided_by=?, given=?, decided_at=?
		WHERE id=? AND closed_at IS NULL AND decided_at IS NULL`, d.Decision, d.Comment, d.By, string(given), ts(time.Now()), waitID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(ErrNotWaiting, err)
	}
	return nil
}

// WaitDecision blocks until wait waitID is answered, closes it and returns
// the decision. When ctx ends first the wait is closed unanswered.
func (s *Store) WaitDecision(ctx context.Context, waitID int64) (Decision, error) {
	var d Decision
	var given string
	var at sql.NullString
	err := s.poll(ctx, func() (bool, error) {
		err := s.db.QueryRowContext(ctx, `SELECT decision, comment, decided_by, given, decided_at FROM waits WHERE id=? AND decided_at IS NOT NULL`, waitID).
			Scan(&d.Decision, &d.Comment, &d.By, &given, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	})
	// Closed whatever happened: answered, or nobody waits any more.
	_, cerr := s.db.ExecContext(context.WithoutCancel(ctx), `UPDATE waits SET closed_at=? WHERE id=? AND closed_at IS NULL`, ts(time.Now()), waitID)
	if err != nil {
		return Decision{}, err
	}
	if cerr != nil {
		return Decision{}, cerr
	}
	if err := json.Unmarshal([]byte(given), &d.Outputs); err != nil {
		return Decision{}, fmt.Errorf("wait %d outputs: %w", waitID, err)
	}
	d.At = parseTS(at)
	return d, nil
}

// SendApproval answers the open wait of a node of a run (the most recent,
// when several iterations wait). It returns ErrNotWaiting when none is
// open: a decision is never kept for later.
func (s *Store) SendApproval(ctx context.Context, id run.ID, node string, d Decision) error {
	ws, err := s.Waiting(ctx, id)
	if err != nil {
		return err
	}
	for i := len(ws) - 1; i >= 0; i-- {
		if ws[i].NodeID == node {
			return s.Decide(ctx, ws[i].ID, d)
		}
	}
	return fmt.Errorf("run %s node %s: %w", id, node, ErrNotWaiting)
}

// WaitApproval opens a wait for a node of a run and blocks until it is
// answered ([Store.OpenWait], [Store.WaitDecision]).
func (s *Store) WaitApproval(ctx context.Context, id run.ID, node string) (Decision, error) {
	wid, err := s.OpenWait(ctx, Wait{RunID: id, NodeID: node, Attempt: 1})
	if err != nil {
		return Decision{}, err
	}
	return s.WaitDecision(ctx, wid)
}

// AcceptSignals records the signal names a run can wait for
// ([Store.Accepts]).
func (s *Store) AcceptSignals(ctx context.Context, id run.ID, names []string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		for _, n := range names {
			if _, err := tx.Exec(`INSERT OR IGNORE INTO run_signals (run_id, name) VALUES (?,?)`, string(id), n); err != nil {
				return err
			}
		}
		return nil
	})
}

// Accepts returns the signal names a run can wait for, sorted.
func (s *Store) Accepts(ctx context.Context, id run.ID) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM run_signals WHERE run_id=? ORDER BY name`, string(id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// EndWaits closes the run's open waits and drops the signals nobody took:
// the run has ended, and nothing sent to it now may be used later by a
// retry or a resume.
func (s *Store) EndWaits(ctx context.Context, id run.ID) error {
	now := ts(time.Now())
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`UPDATE waits SET closed_at=? WHERE run_id=? AND closed_at IS NULL`, now, string(id)); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE signals SET consumed_at=? WHERE run_id=? AND consumed_at IS NULL`, now, string(id))
		return err
	})
}
