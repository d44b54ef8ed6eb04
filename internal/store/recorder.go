package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// Recorder writes a run's events to the store. Each change of an attempt
// is first appended to the run's journal (one line, one write, before
// Record or Step returns: nothing that depends on it has started yet),
// then written to the database from a goroutine of its own, in batches. A
// crash, even kill -9, loses nothing: [Store.Attempts] replays the journal.
// It implements engine.Journal: Step keeps the run's history for resume,
// Group the process groups its nodes start.
type Recorder struct {
	s       *Store
	runID   run.ID
	mu      sync.Mutex
	pending map[key]*Attempt
	order   []key
	seq     int64         // the last sequence number given out
	seqs    map[key]int64 // each attempt's, given when first seen
	wake    chan struct{}
	done    chan struct{}
	flushMu sync.Mutex // one flush at a time, so a later state never lands first
	journal *journal
	err     error
	closed  bool
}

type key struct {
	node               string
	iteration, attempt int
}

// NewRecorder starts recording events of run id; seq continues after the
// run's earlier attempts.
func (s *Store) NewRecorder(id run.ID, seq int64) (*Recorder, error) {
	j, err := openJournal(s.journalPath(id))
	if err != nil {
		return nil, err
	}
	r := &Recorder{s: s, runID: id, pending: map[key]*Attempt{}, seq: seq, seqs: map[key]int64{}, wake: make(chan struct{}, 1), done: make(chan struct{}), journal: j}
	go r.loop()
	return r, nil
}

// Record takes one event. It never blocks on the database.
func (r *Recorder) Record(e run.Event) {
	a := attemptOf(e)
	if a == nil {
		return
	}
	line, ok := r.queue(a)
	if !ok {
		return
	}
	r.journal.append(line)
	r.poke()
}

// Step journals one step of the run's history with the attempts its
// events change, in one write, then queues the attempts for the
// database.
func (r *Recorder) Step(step []byte, events []run.Event) {
	var attempts []*Attempt
	for _, e := range events {
		if a := attemptOf(e); a != nil {
			if line, ok := r.queue(a); ok {
				attempts = append(attempts, line)
			}
		}
	}
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return
	}
	// The line of a journalLine, assembled by hand: step is the engine's
	// JSON already, and marshalling it again would copy and re-check it.
	var rows []byte
	if len(attempts) > 0 {
		b, err := json.Marshal(attempts)
		if err != nil {
			r.journal.fail(err)
			return
		}
		rows = b
	}
	line := make([]byte, 0, len(step)+len(rows)+24)
	line = append(line, `{"step":`...)
	line = append(line, step...)
	if rows != nil {
		line = append(line, `,"attempts":`...)
		line = append(line, rows...)
	}
	r.journal.write(append(line, '}', '\n'))
	r.poke()
}

// Group journals a process group an attempt started or ended.
func (r *Recorder) Group(g run.ProcessGroup) {
	r.journal.append(journalLine{Group: &g})
}

// attemptOf turns an event into the attempt state it records, or nil.
func attemptOf(e run.Event) *Attempt {
	if e.Node == "" || e.Extra["resumed"] == "true" {
		return nil
	}
	var a *Attempt
	switch e.Kind {
	case run.NodeStarted, run.NodeRetrying, run.NodeFinished, run.NodeWaiting:
		a = &Attempt{NodeID: e.Node, NodeType: e.Type, Iteration: e.Iteration, Attempt: max(e.Attempt, 1), Status: e.Status,
			ErrorCode: e.Code, ErrorMessage: e.Message, Action: e.Action, Outputs: e.Outputs, Stdout: e.Stdout, Stderr: e.Stderr,
			Usage: e.Usage}
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
		return nil
	}
	return a
}

// queue merges an attempt's new state into what waits for the database
// and returns a copy to journal; false once the recorder is closed.
func (r *Recorder) queue(a *Attempt) (*Attempt, bool) {
	a.RunID = r.runID
	k := key{a.NodeID, a.Iteration, a.Attempt}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, false
	}
	// An attempt's place in the run's order is when it was first seen,
	// whichever batch writes it.
	if _, seen := r.seqs[k]; !seen {
		r.seq++
		r.seqs[k] = r.seq
	}
	a.seq = r.seqs[k]
	if prev, ok := r.pending[k]; ok {
		a.inherit(prev)
		*prev = *a
		a = prev
	} else {
		r.pending[k] = a
		r.order = append(r.order, k)
	}
	line := *a
	return &line, true
}

func (r *Recorder) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Flush writes everything recorded so far, before it returns. The
// journal, not Flush, is what keeps a completion safe from a crash.
func (r *Recorder) Flush() {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	r.flush()
}

func (r *Recorder) loop() {
	defer close(r.done)
	for range r.wake {
		r.Flush()
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
	// Prepared before the transaction: the database has one connection,
	// which the transaction holds.
	prepared, err := r.s.upsert()
	if err == nil {
		err = r.s.withTx(context.Background(), func(tx *sql.Tx) error {
			stmt := tx.Stmt(prepared)
			for _, k := range order {
				if err := upsertAttempt(stmt, batch[k], batch[k].seq); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		r.mu.Lock()
		if r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
	}
}

// Close writes what is pending and stops; the journal, whose attempts are
// all in the database now, is marked closed and kept (it is the run's
// history). It returns the first write error, if any.
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
	r.Flush()
	if r.err == nil {
		r.journal.write(closedLine)
	}
	r.journal.close()
	if r.err == nil {
		r.err = r.journal.err
	}
	return r.err
}
