package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// message is what workers and signal waiters tell the scheduler.
type message struct {
	kind      msgKind
	node      int
	iteration int
	attempt   int
	outputs   map[string]any
	err       error
	delay     time.Duration
	took      time.Duration // how long the attempt ran
	stdout    string
	stderr    string
	action    string
	usage     *run.Usage // what the attempt spent on models and tools
	// for msgEval
	expr    string
	reply   chan evalReply
	item    any
	itemVar string
	// for msgSignal
	arc  int
	data map[string]any
}

type msgKind int

const (
	msgStarted  msgKind = iota // an attempt began
	msgRetrying                // an attempt failed and another follows
	msgWaiting                 // waiting for a person or a signal
	msgDone                    // the node's last attempt ended
	msgEval                    // a worker asks for a CEL evaluation
	msgSignal                  // a signal arrived for an event arc
	msgNote                    // an executor's progress line
)

type evalReply struct {
	value any
	err   error
}

// TimeoutError is the cause of a context that ran out of time.
type TimeoutError struct {
	What  string
	Limit time.Duration
}

func (e *TimeoutError) Error() string { return fmt.Sprintf("%s timed out after %s", e.What, e.Limit) }

// Timeout marks the error as a timeout for errors.As checks.
func (e *TimeoutError) Timeout() bool { return true }

func (s *scheduler) now() time.Time { return s.opts.Now() }

func (s *scheduler) run(parent context.Context) *Result {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	if t := s.w.Timeout; t != nil && t.D > 0 {
		var stop context.CancelFunc
		ctx, stop = context.WithTimeoutCause(ctx, t.D, &TimeoutError{What: "workflow " + s.w.ID.V, Limit: t.D})
		defer stop()
	}
	s.ctx = ctx
	s.started = s.now()
	s.emit(run.Event{Kind: run.RunStarted, Message: s.w.Name.V})
	s.applyResume()
	for _, i := range s.g.TopoOrder() {
		s.consider(i)
	}
	done := ctx.Done()
	for {
		s.startReady()
		if s.running == 0 && len(s.ready) == 0 && (s.waiting == 0 || s.stopping) {
			break
		}
		select {
		case m := <-s.results:
			s.handle(m)
		case <-done:
			s.stopping = true
			s.ready = nil
			done = nil // running workers see ctx and report back
			if s.opts.FailFast {
				cancel(fmt.Errorf("a failure nothing handled"))
			}
		}
	}
	return s.finish(ctx)
}

// startReady starts ready nodes while slots are free.
func (s *scheduler) startReady() {
	for len(s.ready) > 0 && s.running < s.opts.MaxParallel && !s.stopping {
		i := s.ready[0]
		s.ready = s.ready[1:]
		s.start(i)
	}
}

func (s *scheduler) handle(m message) {
	switch m.kind {
	case msgEval:
		v, err := s.evalWith(m.node, m.expr, m.item, m.itemVar)
		m.reply <- evalReply{v, err}
	case msgSignal:
		s.onSignal(m)
	case msgNote:
		s.note(m)
	case msgStarted, msgRetrying, msgWaiting:
		s.progress(m)
	case msgDone:
		s.running--
		s.done(m)
	}
}

func (s *scheduler) progress(m message) {
	n := s.nodes[m.node]
	switch m.kind {
	case msgStarted:
		n.attempts = m.attempt
		s.setStatus(m.node, run.Running)
		s.emit(run.Event{Kind: run.NodeStarted, Node: n.n.ID.V, Type: n.n.Type.V, Attempt: m.attempt,
			Iteration: n.iteration, Status: run.Running, Action: m.action})
	case msgRetrying:
		code, _ := executor.Classify(m.err)
		s.emit(run.Event{Kind: run.NodeRetrying, Node: n.n.ID.V, Type: n.n.Type.V, Attempt: m.attempt,
			Iteration: n.iteration, Status: attemptStatus(code), Code: code, Message: m.err.Error(),
			Duration: m.took, Delay: m.delay, Outputs: m.outputs, Stdout: m.stdout, Stderr: m.stderr, Usage: m.usage})
	case msgWaiting:
		s.setStatus(m.node, run.Waiting)
		s.emit(run.Event{Kind: run.NodeWaiting, Node: n.n.ID.V, Type: n.n.Type.V, Attempt: m.attempt,
			Iteration: n.iteration, Status: run.Waiting, Message: m.action})
	}
}

func attemptStatus(code string) run.Status {
	switch code {
	case run.CodeTimeout:
		return run.TimedOut
	case run.CodeCancelled:
		return run.Cancelled
	}
	return run.Failed
}

// done records a node's final attempt and decides what follows.
func (s *scheduler) done(m message) {
	i := m.node
	n := s.nodes[i]
	n.ended = s.now()
	s.durationAll[n.n.ID.V] = n.ended.Sub(n.started)
	if m.err == nil {
		s.completed(i, m)
		return
	}
	code, _ := executor.Classify(m.err)
	n.code, n.message = code, m.err.Error()
	s.errorAll[n.n.ID.V] = n.message
	if m.outputs != nil {
		s.setOutputs(i, m.outputs)
	}
	s.setStatus(i, attemptStatus(code))
	s.emit(run.Event{Kind: run.NodeFinished, Node: n.n.ID.V, Type: n.n.Type.V, Attempt: m.attempt,
		Iteration: n.iteration, Status: n.status, Code: code, Message: n.message,
		Duration: m.took, Outputs: m.outputs, Stdout: m.stdout, Stderr: m.stderr, Usage: m.usage})
	if s.stopping {
		// The run is ending: what follows is not run, and finish says why.
		s.unhandled = append(s.unhandled, fmt.Sprintf("%s: %s", n.n.ID.V, n.message))
		return
	}
	s.resolveOut(i)
}

func (s *scheduler) completed(i int, m message) {
	n := s.nodes[i]
	out := m.outputs
	if n.items != nil {
		n.itemsOut = append(n.itemsOut, out)
	}
	s.setOutputs(i, out)
	s.setStatus(i, run.Completed)
	s.emit(run.Event{Kind: run.NodeFinished, Node: n.n.ID.V, Type: n.n.Type.V, Attempt: m.attempt,
		Iteration: n.iteration, Status: run.Completed, Duration: m.took,
		Outputs: out, Stdout: m.stdout, Stderr: m.stderr, Usage: m.usage})
	if s.loopAgain(i) {
		return
	}
	if n.items != nil {
		final := make(map[string]any, len(out)+1)
		for k, v := range out {
			final[k] = v
		}
		final["iterations"] = n.itemsOut
		s.setOutputs(i, final)
	}
	s.resolveOut(i)
}

// finish settles what never ran and reports how the run ended.
func (s *scheduler) finish(ctx context.Context) *Result {
	cause := context.Cause(ctx)
	res := &Result{Started: s.started, Ended: s.now(), Nodes: map[string]NodeResult{}}
	for _, i := range s.g.TopoOrder() {
		n := s.nodes[i]
		if !n.status.Done() {
			reason := "not reached"
			if s.stopping {
				reason = "not run: " + stopReason(cause)
			}
			s.skip(i, run.Skipped, reason, false)
		}
		res.Nodes[n.n.ID.V] = NodeResult{Status: n.status, Reason: n.reason, Attempts: n.attempts, Outputs: n.outputs}
	}
	switch {
	case s.stopping && executor.IsTimeout(cause):
		res.Status = run.TimedOut
		res.Failures = append(res.Failures, stopReason(cause))
	case s.stopping && ctx.Err() != nil:
		res.Status = run.Cancelled
	case len(s.unhandled) > 0:
		res.Status = run.Failed
	default:
		res.Status = run.Completed
		res.Recovered = s.recovered
	}
	res.Failures = append(res.Failures, s.unhandled...)
	msg := string(res.Status)
	if res.Recovered {
		msg = "completed after a failure was handled"
	}
	s.emit(run.Event{Kind: run.RunFinished, Status: res.Status, Duration: res.Ended.Sub(res.Started),
		Message: msg, Extra: map[string]string{"failures": strings.Join(res.Failures, "; ")}})
	return res
}

func stopReason(cause error) string {
	if cause == nil {
		return "the run was stopped"
	}
	if executor.IsTimeout(cause) {
		return cause.Error()
	}
	return "the run was cancelled"
}

// emit sends an event to the sink, masked.
func (s *scheduler) emit(e run.Event) {
	if s.opts.Sink == nil {
		return
	}
	e.Time = s.now()
	e.RunID = s.opts.RunID
	m := s.opts.Masker
	if !m.Empty() {
		e.Message, e.Action = m.Mask(e.Message), m.Mask(e.Action)
		e.Stdout, e.Stderr = m.Mask(e.Stdout), m.Mask(e.Stderr)
		if e.Outputs != nil {
			e.Outputs = m.Any(e.Outputs).(map[string]any)
		}
		for k, v := range e.Extra {
			e.Extra[k] = m.Mask(v)
		}
	}
	s.opts.Sink(e)
}

// applyResume marks the nodes an earlier run completed.
func (s *scheduler) applyResume() {
	if len(s.opts.Resume) == 0 {
		return
	}
	for _, i := range s.g.TopoOrder() {
		n := s.nodes[i]
		p, ok := s.opts.Resume[n.n.ID.V]
		if !ok {
			continue
		}
		if p.Status != run.Completed {
			n.base = p.Attempts
			continue
		}
		n.attempts = p.Attempts
		n.started, n.ended = s.now(), s.now()
		s.setOutputs(i, p.Outputs)
		s.setStatus(i, run.Completed)
		s.emit(run.Event{Kind: run.NodeSkipped, Node: n.n.ID.V, Type: n.n.Type.V, Status: run.Completed,
			Message: "completed in an earlier attempt of this run; its outputs are reused",
			Extra:   map[string]string{"resumed": "true"}})
		s.resolveOut(i)
	}
}
