// Package runlog writes a run's execution record, the .osoplog.yaml of the
// OSOP specification: the run (id, workflow, hash, mode, status, trigger,
// times, runtime) and one node record per attempt, with outputs (each
// truncated at 4 KiB) and errors. The record is valid against the
// published osoplog schema once the run has ended; what osop adds to it
// is listed in docs/records.md: the error's code is x-error-code beside
// the error message, a node type the schema does not list is x-node-type,
// and a record still being written says RUNNING. Times are written to
// the millisecond, and each duration_ms is exactly ended_at − started_at.
//
// The file is rewritten atomically (temporary file, rename) after state
// changes, from a goroutine of its own that coalesces bursts and waits at
// least [Interval] between rewrites, so a crash leaves a readable record
// and a large run does not spend its time rewriting it. Only the last
// rewrite, when the log closes, is synced to disk: the run's journal is
// what makes the run durable, and a resume rebuilds the record from it.
//
// It imports run, and renameio for the atomic rewrite.
package runlog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/renameio/v2"

	"github.com/osopdev/osop/internal/run"
)

// outputLimit truncates each output value in the record.
const outputLimit = 4 << 10

// Header describes the run.
type Header struct {
	RunID           run.ID
	WorkflowID      string
	WorkflowVersion string
	WorkflowHash    string
	WorkflowFile    string
	DryRun          bool
	// Simulated marks a run in which nothing real ran (osop run
	// --simulate): its mode is dry_run, and simulated is true.
	Simulated   bool
	Actor       string
	Started     time.Time
	OsopVersion string
	Platform    string
	Inputs      map[string]any
}

// Record is one node record.
type Record struct {
	NodeID     string         `yaml:"node_id"`
	NodeType   string         `yaml:"node_type,omitempty"`
	Attempt    int            `yaml:"attempt,omitempty"`
	Iteration  int            `yaml:"iteration,omitempty"`
	Status     string         `yaml:"status"`
	StartedAt  string         `yaml:"started_at,omitempty"`
	EndedAt    string         `yaml:"ended_at,omitempty"`
	DurationMS *int64         `yaml:"duration_ms,omitempty"`
	Action     string         `yaml:"action,omitempty"`
	Outputs    map[string]any `yaml:"outputs,omitempty"`
	Error      *Error         `yaml:"error,omitempty"`
	Reason     string         `yaml:"reason,omitempty"`
	// Usage is an agent attempt's models and tools (ai.go renders it).
	Usage *run.Usage `yaml:"-"`

	cached []byte // the rendered record, until it changes
}

// Error is a failed attempt's error. The record holds its message as
// error, as the published schema wants, and its code as x-error-code.
type Error struct {
	Code    string `yaml:"code"`
	Message string `yaml:"message"`
}

// document is the file's layout; field order is the order written.
type document struct {
	Version       string            `yaml:"osoplog_version"`
	RunID         string            `yaml:"run_id"`
	WorkflowID    string            `yaml:"workflow_id"`
	WorkflowVer   string            `yaml:"workflow_version,omitempty"`
	WorkflowHash  string            `yaml:"workflow_hash,omitempty"`
	WorkflowFile  string            `yaml:"workflow_file,omitempty"`
	Mode          string            `yaml:"mode"`
	Simulated     bool              `yaml:"simulated,omitempty"`
	Status        string            `yaml:"status"`
	Trigger       map[string]string `yaml:"trigger"`
	StartedAt     string            `yaml:"started_at"`
	EndedAt       string            `yaml:"ended_at,omitempty"`
	DurationMS    *int64            `yaml:"duration_ms,omitempty"`
	Runtime       map[string]string `yaml:"runtime"`
	Inputs        map[string]any    `yaml:"inputs,omitempty"`
	NodeRecords   []*Record         `yaml:"node_records"`
	ResultSummary string            `yaml:"result_summary,omitempty"`
}

// Log builds and writes one run's record.
type Log struct {
	path string

	mu      sync.Mutex
	doc     document
	index   map[recKey]*Record
	dirty   bool
	closing bool
	err     error
	wake    chan struct{}
	stop    chan struct{} // closed by Close
	done    chan struct{}
}

type recKey struct {
	node               string
	iteration, attempt int
}

// Open starts a log at path with the records an earlier part of the run
// wrote (for resume), and writes it once.
func Open(path string, h Header, earlier []*Record) (*Log, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("runlog: %w", err)
	}
	mode, source := "live", "osop run"
	if h.DryRun || h.Simulated {
		mode = "dry_run"
	}
	if h.Simulated {
		source = "osop run --simulate"
	}
	l := &Log{path: path, index: map[recKey]*Record{}, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	l.doc = document{
		Version: "1.0", RunID: string(h.RunID), WorkflowID: h.WorkflowID, WorkflowVer: h.WorkflowVersion,
		WorkflowHash: h.WorkflowHash, WorkflowFile: h.WorkflowFile, Mode: mode, Simulated: h.Simulated, Status: string(run.Running),
		Trigger:   map[string]string{"type": "manual", "actor": h.Actor, "timestamp": stamp(h.Started), "source": source},
		StartedAt: stamp(h.Started),
		Runtime:   map[string]string{"agent": "osop", "version": h.OsopVersion, "platform": h.Platform, "source": "executor"},
		Inputs:    h.Inputs,
	}
	for _, r := range earlier {
		l.add(r)
	}
	if err := l.write(); err != nil {
		return nil, err
	}
	go l.loop()
	return l, nil
}

// stampLayout writes times to the millisecond, always with three digits,
// so that a reader subtracting two of them gets duration_ms exactly.
const stampLayout = "2006-01-02T15:04:05.000Z07:00"

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Millisecond).Format(stampLayout)
}

// between returns ended − started in milliseconds, as written; ok is false
// when either is missing.
func between(started, ended string) (int64, bool) {
	s, err1 := time.Parse(time.RFC3339Nano, started)
	e, err2 := time.Parse(time.RFC3339Nano, ended)
	if started == "" || ended == "" || err1 != nil || err2 != nil {
		return 0, false
	}
	// A wall clock set back mid-run could make it negative; the schema
	// wants a count.
	return max(e.Sub(s).Milliseconds(), 0), true
}

// settle makes the duration agree with the times written.
func (r *Record) settle() {
	if d, ok := between(r.StartedAt, r.EndedAt); ok {
		r.DurationMS = &d
	}
}

func (l *Log) add(r *Record) {
	k := recKey{r.NodeID, r.Iteration, r.Attempt}
	if prev, ok := l.index[k]; ok {
		if r.StartedAt == "" {
			r.StartedAt = prev.StartedAt
		}
		if r.Action == "" {
			r.Action = prev.Action
		}
		r.settle()
		*prev = *r
		prev.cached = nil
		return
	}
	r.settle()
	l.index[k] = r
	l.doc.NodeRecords = append(l.doc.NodeRecords, r)
}

// Record takes one event of the run.
func (l *Log) Record(e run.Event) {
	var r *Record
	switch e.Kind {
	case run.NodeStarted, run.NodeWaiting:
		if e.Node == "" {
			return
		}
		r = &Record{NodeID: e.Node, NodeType: e.Type, Attempt: max(e.Attempt, 1), Iteration: e.Iteration,
			Status: logStatus(run.Running), StartedAt: stamp(e.Time), Action: e.Action}
	case run.NodeRetrying, run.NodeFinished:
		d := e.Duration.Milliseconds()
		r = &Record{NodeID: e.Node, NodeType: e.Type, Attempt: max(e.Attempt, 1), Iteration: e.Iteration,
			Status: logStatus(e.Status), EndedAt: stamp(e.Time), Outputs: truncated(e.Outputs)}
		r.DurationMS = &d
		r.Usage = usageOf(e)
		if e.Code != "" {
			r.Error = &Error{Code: e.Code, Message: e.Message}
		}
	case run.NodeSkipped:
		if e.Extra["resumed"] == "true" {
			return
		}
		r = &Record{NodeID: e.Node, NodeType: e.Type, Status: logStatus(e.Status), EndedAt: stamp(e.Time), Reason: e.Message}
	case run.RunFinished:
		l.finish(e)
		return
	default:
		return
	}
	l.mu.Lock()
	l.add(r)
	l.dirty = true
	l.mu.Unlock()
	l.poke()
}

// logStatus maps a status onto the osoplog vocabulary.
func logStatus(s run.Status) string {
	switch s {
	case run.Cancelled:
		return "FAILED"
	case run.Waiting:
		return "RUNNING"
	}
	return string(s)
}

func (l *Log) finish(e run.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := e.Status
	l.doc.Status = logStatus(st)
	l.doc.EndedAt = stamp(e.Time)
	d, _ := between(l.doc.StartedAt, l.doc.EndedAt)
	l.doc.DurationMS = &d
	summary := strings.ToLower(e.Message)
	if f := e.Extra["failures"]; f != "" && st != run.Completed {
		summary += ": " + f
	}
	if l.doc.ResultSummary == "" {
		l.doc.ResultSummary = summary
	} else {
		l.doc.ResultSummary += "; " + summary
	}
	l.dirty = true
}

// truncated copies outputs, cutting long strings at 4 KiB.
func truncated(out map[string]any) map[string]any {
	if len(out) == 0 {
		return nil
	}
	cp := make(map[string]any, len(out))
	for k, v := range out {
		cp[k] = cut(v)
	}
	return cp
}

func cut(v any) any {
	switch x := v.(type) {
	case string:
		if len(x) <= outputLimit {
			return x
		}
		n := outputLimit
		for n > 0 && !utf8.RuneStart(x[n]) {
			n--
		}
		return x[:n] + fmt.Sprintf("… (%d bytes in all)", len(x))
	case map[string]any:
		return truncated(x)
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = cut(it)
		}
		return out
	}
	return v
}

func (l *Log) poke() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Interval is the least time between two rewrites of a running record.
var Interval = 200 * time.Millisecond

// loop writes the file after changes. A write that took d is followed by
// a pause of Interval, or 4d when that is longer (up to 2 s), so the
// record costs at most about a fifth of the time however large the run.
func (l *Log) loop() {
	defer close(l.done)
	for {
		select {
		case <-l.wake:
		case <-l.stop:
			return
		}
		l.mu.Lock()
		dirty := l.dirty
		l.dirty = false
		l.mu.Unlock()
		if !dirty {
			continue
		}
		start := time.Now()
		if err := l.write(); err != nil {
			l.mu.Lock()
			l.err = err
			l.mu.Unlock()
		}
		pause := time.NewTimer(max(Interval, min(4*time.Since(start), 2*time.Second)))
		select {
		case <-pause.C:
		case <-l.stop: // Close writes the last record at once
			pause.Stop()
			return
		}
	}
}

// Close writes the final record, synced to disk, and stops.
func (l *Log) Close() error {
	l.mu.Lock()
	closing := l.closing
	l.closing = true
	l.mu.Unlock()
	if !closing {
		close(l.stop)
	}
	<-l.done
	if err := l.writeSynced(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// write renders the record and replaces the file atomically, without
// waiting for the disk: a process killed at any moment leaves the last
// complete record (the kernel has the file), and after a power cut the
// journal still has the run, from which resume writes the record again.
func (l *Log) write() error {
	l.mu.Lock()
	data := l.doc.render()
	l.mu.Unlock()
	return replace(l.path, data)
}

// writeSynced writes the final record, synced to disk before it returns.
func (l *Log) writeSynced() error {
	l.mu.Lock()
	data := l.doc.render()
	l.mu.Unlock()
	return writeAtomic(l.path, data)
}

// replace writes data to a temporary file beside path and renames it
// over path.
func replace(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("runlog: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name()) // the temporary file, if it is still there
		return fmt.Errorf("runlog: %w", err)
	}
	return nil
}

// writeAtomic replaces the record: temporary file beside it, fsync, rename.
func writeAtomic(path string, data []byte) error {
	if err := renameio.WriteFile(path, data, 0o600, renameio.WithTempDir(filepath.Dir(path))); err != nil {
		return fmt.Errorf("runlog: %w", err)
	}
	return nil
}

// FromAttempt turns a stored attempt into a record, for resume.
func FromAttempt(nodeID, nodeType string, iteration, attempt int, status run.Status, started, ended time.Time,
	durMS int64, code, msg, reason, action string, outputs map[string]any) *Record {
	r := &Record{NodeID: nodeID, NodeType: nodeType, Iteration: iteration, Attempt: attempt, Status: logStatus(status),
		StartedAt: stamp(started), EndedAt: stamp(ended), Reason: reason, Action: action, Outputs: truncated(outputs)}
	if !ended.IsZero() && attempt > 0 {
		r.DurationMS = &durMS
	}
	if code != "" {
		r.Error = &Error{Code: code, Message: msg}
	}
	r.settle()
	return r
}
