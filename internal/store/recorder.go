package store

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// Recorder writes a run's events to the store from a goroutine of its own,
// in batches: one transaction for everything that happened since the last
// one. A crash loses at most the last batch (a few milliseconds).
type Recorder struct {
	s       *Store
	runID   run.ID
	mu      sync.Mutex
	pending map[key]*Attempt
	order   []key
	seq     int64
	wake    chan struct{}
	done    chan struct{}
	err     error
	closed  bool
}

type key struct {
	node               string
	iteration, attempt int
}

// NewRecorder starts recording events of run id; seq continues after the
// run's earlier attempts.
func (s *Store) NewRecorder(id run.ID, seq int64) *Recorder {
	r := &Recorder{s: s, runID: id, pending: map[key]*Attempt{}, seq: seq, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go r.loop()
	return r
}

// Record takes one event. It never blocks on the database.
func (r *Recorder) Record(e run.Event) {
	if e.Node == "" || e.Extra["resumed"] == "true" {
		return
	}
	var a *Attempt
	switch e.Kind {
	case run.NodeStarted, run.NodeRetrying, run.NodeFinished, run.NodeWaiting:
		a = &Attempt{NodeID: e.Node, NodeType: e.Type, Iteration: e.Iteration, Attempt: max(e.Attempt, 1), Status: e.Status,
			ErrorCode: e.Code, ErrorMessage: e.Message, Action: e.Action, Outputs: e.Outputs, Stdout: e.Stdout, Stderr: e.Stderr}
		if e.Kind == run.NodeStarted || e.Kind == run.NodeWaiting {
			a.StartedAt = e.Time
			a.ErrorMessage = ""
		} else {
			a.EndedAt = e.Time
			a.DurationMS = e.Duration.Milliseconds()
		}
	case run.NodeSkipped:
		a = &Attempt{NodeID: e.Node, NodeType: e.Type, Iteration: e.Iteration, Attempt: 0, Status: e.Status,
			Reason: e.Message, EndedAt: e.Time}
	default:
		return
	}
	a.RunID = r.runID
	k := key{a.NodeID, a.Iteration, a.Attempt}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if prev, ok := r.pending[k]; ok {
		merge(prev, a)
	} else {
		r.pending[k] = a
		r.order = append(r.order, k)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// merge folds a later event of the same attempt into the earlier one.
func merge(into, a *Attempt) {
	if a.StartedAt.IsZero() {
		a.StartedAt = into.StartedAt
	}
	if a.Action == "" {
		a.Action = into.Action
	}
	*into = *a
}

func (r *Recorder) loop() {
	defer close(r.done)
	for range r.wake {
		r.flush()
		r.mu.Lock()
		closed := r.closed && len(r.order) == 0
		r.mu.Unlock()
		if closed {
			return
		}
		time.Sleep(5 * time.Millisecond) // let a burst of events share a transaction
	}
}

func (r *Recorder) flush() {
	r.mu.Lock()
	batch, order := r.pending, r.order
	r.pending, r.order = map[key]*Attempt{}, nil
	r.mu.Unlock()
	if len(order) == 0 {
		return
	}
	err := r.s.withTx(context.Background(), func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(upsertSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, k := range order {
			r.seq++
			if err := upsertAttempt(stmt, batch[k], r.seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		r.mu.Lock()
		if r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
	}
}

// Close writes what is pending and stops. It returns the first write
// error, if any.
func (r *Recorder) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	close(r.wake)
	<-r.done
	r.flush()
	return r.err
}
