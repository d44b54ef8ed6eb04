package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// captureLimit bounds the stdout and stderr kept per attempt (the tail).
const captureLimit = 64 << 10

// job is what a worker needs to run one node; it is built by the
// scheduler and not shared.
type job struct {
	index     int
	node      *ast.Node
	iteration int
	item      any // the for_each item, when there is one
	itemVar   string
	base      int // attempt numbers continue from here (resume)
	retry     *ast.Retry
	timeout   time.Duration
}

func (s *scheduler) start(i int) {
	n := s.nodes[i]
	n.started = s.now()
	s.setStatus(i, run.Running)
	j := &job{index: i, node: n.n, iteration: n.iteration, retry: n.n.Retry, base: n.base}
	if j.retry == nil {
		j.retry = s.w.Retry
	}
	if n.n.Timeout != nil {
		j.timeout = n.n.Timeout.D
	}
	if n.items != nil && n.iteration < len(n.items) {
		j.item, j.itemVar = n.items[n.iteration], n.itemVar
	}
	s.running++
	go s.work(j)
}

// work runs a node's attempts and reports to the scheduler.
func (s *scheduler) work(j *job) {
	report := func(m message) {
		m.node, m.iteration = j.index, j.iteration
		if m.attempt > 0 {
			m.attempt += j.base
		}
		s.results <- m
	}
	ex, ok := s.opts.Registry.New(j.node.Type.V)
	if !ok {
		report(message{kind: msgDone, attempt: 1, err: executor.Errorf(run.CodeNoExecutor, false,
			"no executor for node type %q", j.node.Type.V)})
		return
	}
	if err := s.gate(j, report); err != nil {
		report(message{kind: msgDone, attempt: 1, err: err})
		return
	}
	attempts := 1
	if j.retry != nil && j.retry.MaxAttempts > 1 {
		attempts = j.retry.MaxAttempts
	}
	for attempt := 1; ; attempt++ {
		req, out, errb := s.request(j, attempt)
		action := ""
		if d, ok := ex.(executor.Describer); ok {
			action, _ = d.Describe(req)
		}
		report(message{kind: msgStarted, attempt: attempt, action: action})
		began := time.Now()
		outputs, usage, err := s.attempt(ex, req, j)
		m := message{attempt: attempt, outputs: outputs, err: err, stdout: out.String(), stderr: errb.String(), took: time.Since(began), usage: usage}
		out.Close()
		errb.Close()
		if err == nil || attempt >= attempts || !s.retryable(j, err) || s.ctx.Err() != nil {
			m.kind = msgDone
			report(m)
			return
		}
		m.kind, m.delay = msgRetrying, s.backoff(j.retry, attempt)
		report(m)
		select {
		case <-time.After(m.delay):
		case <-s.ctx.Done():
			report(message{kind: msgDone, attempt: attempt, outputs: outputs, err: err})
			return
		}
	}
}

// attempt runs one attempt under the node's timeout and checks its
// declared outputs.
func (s *scheduler) attempt(ex executor.Executor, req *executor.Request, j *job) (map[string]any, *run.Usage, error) {
	ctx := s.ctx
	if j.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, j.timeout, &TimeoutError{What: "node " + j.node.ID.V, Limit: j.timeout})
		defer cancel()
	}
	res, err := ex.Execute(ctx, req)
	if err != nil {
		var ee *executor.Error
		if ctx.Err() != nil && !errors.As(err, &ee) {
			code, retry := executor.Stopped(ctx)
			err = &executor.Error{Code: code, Retryable: retry, Message: context.Cause(ctx).Error(), Err: err}
		}
		var outputs map[string]any
		var usage *run.Usage
		if errors.As(err, &ee) {
			outputs, usage = typed(j.node, ee.Outputs), ee.Usage
		}
		return outputs, usage, err
	}
	var usage *run.Usage
	if res != nil {
		usage = res.Usage
	}
	outputs := map[string]any{}
	if res != nil && res.Outputs != nil {
		outputs = typed(j.node, res.Outputs)
	}
	var missing []string
	for _, o := range j.node.Outputs {
		if _, ok := outputs[o.Name]; !ok {
			missing = append(missing, o.Name)
		}
	}
	if len(missing) > 0 {
		return outputs, usage, &executor.Error{Code: run.CodeMissingOut, Outputs: outputs, Usage: usage,
			Message: fmt.Sprintf("declared output %s not produced: a command sets it by writing %s=value to $OSOP_OUTPUT",
				strings.Join(missing, ", "), missing[0])}
	}
	return outputs, usage, nil
}

// typed converts string outputs to the type their declaration gives, so
// conditions compare numbers as numbers.
func typed(n *ast.Node, out map[string]any) map[string]any {
	if out == nil {
		return nil
	}
	for _, p := range n.Outputs {
		s, ok := out[p.Name].(string)
		if !ok {
			continue
		}
		// A value that does not parse stays a string: the declaration
		// is a hint here, not a contract.
		if v, err := p.Parse(s); err == nil {
			out[p.Name] = v
		}
	}
	return out
}

// retryable decides whether a failed attempt is tried again: the error
// must be retryable, and, when the policy lists retryable_errors, be one
// of them.
func (s *scheduler) retryable(j *job, err error) bool {
	code, retry := executor.Classify(err)
	if !retry || j.retry == nil {
		return false
	}
	if len(j.retry.RetryableErrors) == 0 {
		return true
	}
	for _, want := range j.retry.RetryableErrors {
		w := strings.ToUpper(want)
		if w == code || (w == "5XX" && code == run.CodeHTTP5xx) || (w == "4XX" && code == run.CodeHTTP4xx) ||
			(w == "CONNECTION_ERROR" && code == run.CodeConnection) {
			return true
		}
	}
	return false
}

func (s *scheduler) backoff(r *ast.Retry, attempt int) time.Duration {
	if r == nil {
		return 0
	}
	d := r.Backoff.Delay(attempt)
	if r.Jitter && d > 0 {
		d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	}
	return d
}

// gate asks for approval before a node with a required approval_gate
// runs (human nodes ask as their work).
func (s *scheduler) gate(j *job, report func(message)) error {
	a := j.node.Approval
	if a == nil || !a.Required || j.node.Type.V == "human" {
		return nil
	}
	if s.opts.Approver == nil {
		return executor.Errorf(run.CodeConfig, false, "node %q needs approval and nobody can give it in this run", j.node.ID.V)
	}
	report(message{kind: msgWaiting, attempt: 1, action: "waiting for approval"})
	ctx := s.ctx
	if a.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, a.Timeout, &TimeoutError{What: "approval of " + j.node.ID.V, Limit: a.Timeout})
		defer cancel()
	}
	d, err := s.opts.Approver.Approve(ctx, executor.ApprovalRequest{
		RunID: string(s.opts.RunID), NodeID: j.node.ID.V, Attempt: 1, Iteration: j.iteration,
		Prompt:  "Run " + j.node.ID.V + ": " + j.node.Summary() + "?",
		Options: executor.DefaultApprovalOptions, Approvers: a.Approvers,
	})
	if err != nil {
		return err
	}
	if d.Rejected() {
		return executor.Errorf(run.CodeRejected, false, "approval for %s rejected by %s %s", j.node.ID.V, d.By, d.Comment)
	}
	return nil
}

// capture keeps what an attempt printed on one stream.
type capture interface {
	Writer() io.Writer
	String() string // the tail
	Close()
}

// capture returns where an attempt's stream goes. When nobody watches
// output live, it is a file in the run's scratch directory, created on
// first use: a process then writes to it directly (no pipe, no copying
// goroutine) and the tail is read back afterwards. Otherwise it is kept
// in memory and copied to the live stream too.
func (s *scheduler) capture(j *job, attempt int, stream string, stderr bool) capture {
	if s.opts.Stream == nil && s.opts.TempDir != "" {
		return &fileCapture{path: filepath.Join(s.opts.TempDir, fmt.Sprintf("%s.%d.%d.%s", j.node.ID.V, j.iteration, attempt, stream))}
	}
	t := &tail{n: captureLimit}
	if s.opts.Stream != nil {
		if w := s.opts.Stream(j.node.ID.V, stderr); w != nil {
			return &teeCapture{tail: t, w: io.MultiWriter(t, w)}
		}
	}
	return &teeCapture{tail: t, w: t}
}

type teeCapture struct {
	tail *tail
	w    io.Writer
}

func (c *teeCapture) Writer() io.Writer { return c.w }
func (c *teeCapture) String() string    { return c.tail.String() }
func (c *teeCapture) Close()            {}

// fileCapture is a capture file, made only when something writes.
type fileCapture struct {
	mu   sync.Mutex
	path string
	f    *os.File
	err  error
}

func (c *fileCapture) Writer() io.Writer { return c }

// File opens the capture file; proc hands it to a process as is.
func (c *fileCapture) File() (*os.File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil && c.err == nil {
		c.f, c.err = os.OpenFile(c.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	}
	return c.f, c.err
}

func (c *fileCapture) Write(p []byte) (int, error) {
	f, err := c.File()
	if err != nil {
		return 0, err
	}
	return f.Write(p)
}

func (c *fileCapture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return ""
	}
	st, err := c.f.Stat()
	if err != nil || st.Size() == 0 {
		return ""
	}
	off := max(st.Size()-captureLimit, 0)
	buf := make([]byte, st.Size()-off)
	n, _ := c.f.ReadAt(buf, off) // a short read keeps what was read
	if off > 0 {
		return "…" + string(buf[:n])
	}
	return string(buf[:n])
}

func (c *fileCapture) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f != nil {
		c.f.Close()
		os.Remove(c.path)
	}
}

// tail keeps the last n bytes written to it; safe for the concurrent
// writes of a process's stdout and stderr copiers.
type tail struct {
	mu  sync.Mutex
	buf bytes.Buffer
	n   int
	cut bool
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.n; over > 0 {
		t.buf.Next(over)
		t.cut = true
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cut {
		return "…" + t.buf.String()
	}
	return t.buf.String()
}
