package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// journal is a run's append-only history, one JSON object per line: the
// steps of the run's decision machine with the attempts each changed, the
// process groups its nodes started and ended, and, when a process closes
// its recorder, a marker saying the database has every attempt so far.
// Each append is a single write(2), so what a process wrote is in the file
// even if it is killed the next instant. It is kept after the run: resume
// and retry replay its steps.
type journal struct {
	mu   sync.Mutex
	f    *os.File
	path string
	err  error
}

// journalLine is one line of a journal. A line with none of these fields
// is an attempt as earlier versions wrote it.
type journalLine struct {
	Step     json.RawMessage   `json:"step,omitempty"`
	Attempts []*Attempt        `json:"attempts,omitempty"`
	Group    *run.ProcessGroup `json:"group,omitempty"`
	Closed   bool              `json:"closed,omitempty"`
}

// closedLine is the marker a closing recorder writes.
var closedLine = []byte(`{"closed":true}` + "\n")

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

// write appends one line, in one write.
func (j *journal) write(line []byte) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(line); err != nil && j.err == nil {
		j.err = err
	}
}

// append writes v as one line.
func (j *journal) append(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		j.fail(err)
		return
	}
	j.write(append(b, '\n'))
}

// fail keeps the journal's first error.
func (j *journal) fail(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err == nil {
		j.err = err
	}
}

func (j *journal) close() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.f.Close()
}

// readJournal calls fn for each line of a run's journal; a missing
// journal has none.
func (s *Store) readJournal(id run.ID, fn func(journalLine, []byte)) error {
	f, err := os.Open(s.journalPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 64<<20)
	for sc.Scan() {
		var l journalLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue // a line cut short by a crash mid-write
		}
		if l.Step == nil && l.Attempts == nil && l.Group == nil && !l.Closed {
			var a Attempt
			if json.Unmarshal(sc.Bytes(), &a) != nil || a.NodeID == "" {
				continue
			}
			l.Attempts = []*Attempt{&a}
		}
		fn(l, sc.Bytes())
	}
	return sc.Err()
}

// journalClosed reports whether the journal ends with a closed marker:
// then the database has every attempt it holds.
func (s *Store) journalClosed(id run.ID) bool {
	f, err := os.Open(s.journalPath(id))
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() < int64(len(closedLine)) {
		return false
	}
	tail := make([]byte, len(closedLine))
	if _, err := f.ReadAt(tail, st.Size()-int64(len(tail))); err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	return bytes.Equal(tail, closedLine)
}

// replayJournal folds a run's journal into attempts read from the
// database: an attempt the database does not have yet (the process died
// before its batch), or has in an earlier state, is taken from the
// journal. An attempt that was still running stays in, as running.
func (s *Store) replayJournal(id run.ID, as []*Attempt) ([]*Attempt, error) {
	if s.journalClosed(id) {
		return as, nil
	}
	index := map[key]int{}
	for i, a := range as {
		index[key{a.NodeID, a.Iteration, a.Attempt}] = i
	}
	err := s.readJournal(id, func(l journalLine, _ []byte) {
		for _, a := range l.Attempts {
			a.RunID = id
			k := key{a.NodeID, a.Iteration, a.Attempt}
			if i, ok := index[k]; ok {
				if !as[i].Status.Done() || a.Status.Done() {
					a.inherit(as[i])
					as[i] = a
				}
				continue
			}
			index[k] = len(as)
			as = append(as, a)
		}
	})
	return as, err
}

// History returns the steps of a run's history, in order, as the engine
// journaled them (engine.Options.Replay). A run recorded before osop kept
// histories has none.
func (s *Store) History(_ context.Context, id run.ID) ([][]byte, error) {
	var steps [][]byte
	err := s.readJournal(id, func(l journalLine, _ []byte) {
		if l.Step != nil {
			steps = append(steps, []byte(l.Step))
		}
	})
	return steps, err
}

// RunningGroups returns the process groups a run's journal records as
// started and not ended: after a crash, those its nodes may have left
// running.
func (s *Store) RunningGroups(_ context.Context, id run.ID) ([]run.ProcessGroup, error) {
	type gk struct {
		pgid  int
		start uint64
	}
	var order []gk
	last := map[gk]run.ProcessGroup{}
	err := s.readJournal(id, func(l journalLine, _ []byte) {
		if l.Group == nil {
			return
		}
		k := gk{l.Group.PGID, l.Group.Start}
		if _, seen := last[k]; !seen {
			order = append(order, k)
		}
		last[k] = *l.Group
	})
	var out []run.ProcessGroup
	for _, k := range order {
		if g := last[k]; g.Running {
			out = append(out, g)
		}
	}
	return out, err
}

// GroupEnded records that a process group a run left running is gone.
func (s *Store) GroupEnded(id run.ID, g run.ProcessGroup) error {
	j, err := openJournal(s.journalPath(id))
	if err != nil {
		return err
	}
	defer j.close()
	g.Running = false
	j.append(journalLine{Group: &g})
	return j.err
}

// LastWrite is when the run's journal was last written: called before
// resume writes to it, the last moment the osop that ran it (and so the
// attempts it ran) was known alive. Zero when there is no journal.
func (s *Store) LastWrite(id run.ID) time.Time {
	fi, err := os.Stat(s.journalPath(id))
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// Interrupted gives an attempt that was running when its osop died its
// end: the last moment it was known alive (lastAlive, or its start when
// that is earlier or unknown), and the duration between, in whole
// milliseconds of the times as records write them.
func Interrupted(started, lastAlive time.Time) (ended time.Time, ms int64) {
	ended = lastAlive
	if ended.Before(started) {
		ended = started
	}
	return ended, ended.Truncate(time.Millisecond).Sub(started.Truncate(time.Millisecond)).Milliseconds()
}

// Heal writes into the database what only a crashed run's journal holds,
// and marks the attempts that were running when it died as interrupted,
// ended when the dead process last wrote its journal (lastAlive; see
// Interrupted). Resume calls it before it continues the run.
func (s *Store) Heal(ctx context.Context, id run.ID, lastAlive time.Time) error {
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
	return s.withTx(ctx, func(tx *sql.Tx) error {
		stmt := tx.Stmt(prepared)
		for i, a := range all {
			if !a.Status.Done() {
				// Its process died with it: say so, rather than leave it running.
				a.Status, a.ErrorCode = run.Failed, run.CodeInterrupted
				a.ErrorMessage = "the osop process running this attempt stopped (killed or crashed)"
				a.EndedAt, a.DurationMS = Interrupted(a.StartedAt, lastAlive)
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
}
