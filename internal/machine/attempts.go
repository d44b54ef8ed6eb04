package machine

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/run"
)

// fill starts queued nodes while slots are free.
func (m *Machine) fill() {
	for len(m.st.Ready) > 0 && !m.st.Stopping && (m.opts.MaxParallel <= 0 || m.st.Running < m.opts.MaxParallel) {
		i := m.st.Ready[0]
		m.st.Ready = m.st.Ready[1:]
		m.issue(i)
	}
}

// issue starts node i's next attempt, or asks for its approval first.
func (m *Machine) issue(i int) {
	n := m.node(i)
	spec := m.g.Nodes[i]
	if gate := spec.Approval; gate != nil && gate.Required && spec.Type.V != "human" && !n.Approved {
		m.ask(i, gate.Timeout)
		return
	}
	if !n.Reserved {
		n.Attempt = max(n.Attempt, n.tries(n.Iteration)) + 1
		n.useTry(n.Attempt)
	}
	n.Reserved = false
	n.Step = StepIssued
	m.st.Running++
	m.setStatus(i, run.Running)
	s := Start{Node: i, ID: n.ID, Iteration: n.Iteration, Attempt: n.Attempt, MaxAttempts: n.Round + m.budget(i)}
	if spec.Timeout != nil {
		s.Timeout = spec.Timeout.D
	}
	if n.Items != nil && n.Iteration < len(n.Items) {
		s.Item, s.ItemVar, s.HasItem = n.Items[n.Iteration], n.ItemVar, true
	}
	m.act(s)
	if s.Timeout > 0 {
		n.Deadline = m.setTimer(s.Timeout, TimerDeadline, i)
	}
}

// ask waits for an approval before node i runs; the attempt number is
// given now, so the wait and the attempt share a record.
func (m *Machine) ask(i int, timeout time.Duration) {
	n := m.node(i)
	if !n.Reserved {
		n.Attempt = max(n.Attempt, n.tries(n.Iteration)) + 1
		n.useTry(n.Attempt)
		n.Reserved = true
	}
	n.Step = StepGate
	m.st.Gates++
	m.setStatus(i, run.Waiting)
	m.emit(run.Event{Kind: run.NodeWaiting, Node: n.ID, Type: m.typ(i), Attempt: n.Attempt, Iteration: n.Iteration,
		Status: run.Waiting, Message: "waiting for approval"})
	m.act(AwaitDecision{Node: i, ID: n.ID, Iteration: n.Iteration, Attempt: n.Attempt})
	if timeout > 0 {
		n.Wake = m.setTimer(timeout, TimerApproval, i)
	}
}

// attemptOf finds the node an attempt event is about, if it is in step.
func (m *Machine) attemptOf(id string, iteration, attempt int, steps ...Step) (int, bool) {
	i, ok := m.index(id)
	if !ok {
		return 0, false
	}
	n := m.node(i)
	if n.Iteration != iteration || n.Attempt != attempt || !slices.Contains(steps, n.Step) {
		return 0, false
	}
	return i, true
}

func (m *Machine) started(e Started) {
	i, ok := m.attemptOf(e.Node, e.Iteration, e.Attempt, StepIssued)
	if !ok {
		return
	}
	n := m.node(i)
	n.Step = StepRunning
	m.emit(run.Event{Kind: run.NodeStarted, Node: n.ID, Type: m.typ(i), Attempt: n.Attempt, Iteration: n.Iteration,
		Status: run.Running, Action: e.Action, MaxAttempts: n.Round + m.budget(i)})
}

func (m *Machine) finished(e Finished) {
	i, ok := m.attemptOf(e.Node, e.Iteration, e.Attempt, StepIssued, StepRunning)
	if !ok {
		return
	}
	n := m.node(i)
	n.Step = StepIdle
	m.st.Running--
	m.cancelTimer(&n.Deadline)
	m.setTook(i, n.Took+e.Took)
	if e.Err == nil && e.Skipped != "" {
		m.passed(i, e.Skipped, map[string]any(e.Outputs), e.Took)
		return
	}
	if e.Err == nil {
		m.completed(i, map[string]any(e.Outputs), e.Took)
		return
	}
	local := n.Attempt - n.Round
	if !m.st.Stopping && local < m.budget(i) && m.retryable(i, e.Err) {
		delay := m.backoff(i, local)
		n.Code, n.Retryable, n.LastOut = e.Err.Code, e.Err.Retryable, e.Outputs
		m.setError(i, e.Err.Message)
		m.emit(run.Event{Kind: run.NodeRetrying, Node: n.ID, Type: m.typ(i), Attempt: n.Attempt, Iteration: n.Iteration,
			Status: attemptStatus(e.Err.Code), Code: e.Err.Code, Message: e.Err.Message, Duration: e.Took, Delay: delay,
			Outputs: e.Outputs, MaxAttempts: n.Round + m.budget(i)})
		if delay > 0 {
			n.Step = StepBackoff
			m.st.Backoffs++
			n.Wake = m.setTimer(delay, TimerRetry, i)
		} else {
			m.queue(i)
		}
		return
	}
	m.failed(i, *e.Err, map[string]any(e.Outputs), e.Took)
}

// queue puts a node that is already running (between attempts, or
// approved) back in line for a slot.
func (m *Machine) queue(i int) {
	m.node(i).Step = StepQueued
	m.st.Ready = append(m.st.Ready, i)
}

// completed records a node's successful attempt and decides what follows.
func (m *Machine) completed(i int, out map[string]any, took time.Duration) {
	n := m.node(i)
	if n.Items != nil {
		n.ItemsOut = append(n.ItemsOut, out)
	}
	m.setOutputs(i, out)
	m.setStatus(i, run.Completed)
	back := -1
	if n.Items == nil || len(n.ItemsOut) >= len(n.Items) {
		back = m.reentry(i)
	}
	if back >= 0 && !m.withinBound(back) {
		n.Exhausted = true
		m.failed(i, Failure{Code: run.CodeLoopLimit, Message: m.boundMessage(back)}, out, took)
		return
	}
	m.emit(run.Event{Kind: run.NodeFinished, Node: n.ID, Type: m.typ(i), Attempt: n.Attempt, Iteration: n.Iteration,
		Status: run.Completed, Duration: took, Outputs: out})
	if m.loopAgain(i) {
		return
	}
	if back >= 0 {
		m.reenterGuarded(back, i)
		return
	}
	if n.Items != nil {
		final := make(map[string]any, len(out)+1)
		maps.Copy(final, out)
		final["iterations"] = []any(slices.Clone(n.ItemsOut))
		m.setOutputs(i, final)
	}
	m.resolveOut(i)
}

// passed records a step a person skipped: it ends SKIPPED, with the
// reason, and the run goes on past it as if it had completed (conditions
// on outputs it did not give are false).
func (m *Machine) passed(i int, reason string, out map[string]any, took time.Duration) {
	n := m.node(i)
	n.Reason = reason
	m.setOutputs(i, out)
	m.setStatus(i, run.Skipped)
	m.emit(run.Event{Kind: run.NodeFinished, Node: n.ID, Type: m.typ(i), Attempt: n.Attempt, Iteration: n.Iteration,
		Status: run.Skipped, Message: reason, Duration: took, Outputs: out})
	m.resolveOut(i)
}

// failed records a node's final failure and decides what follows.
func (m *Machine) failed(i int, f Failure, out map[string]any, took time.Duration) {
	n := m.node(i)
	n.Step = StepIdle
	n.Code, n.Retryable, n.LastOut = f.Code, f.Retryable, nil
	m.setError(i, f.Message)
	if out != nil {
		m.setOutputs(i, out)
	}
	m.setStatus(i, attemptStatus(f.Code))
	back := m.reentry(i)
	if back >= 0 && !m.withinBound(back) {
		n.Exhausted = true
		f.Message += "; " + m.boundMessage(back)
		m.setError(i, f.Message)
		back = -1
	}
	m.emit(run.Event{Kind: run.NodeFinished, Node: n.ID, Type: m.typ(i), Attempt: n.Attempt, Iteration: n.Iteration,
		Status: n.Status, Code: f.Code, Message: f.Message, Duration: took, Outputs: out})
	if m.st.Stopping {
		// The run is ending: what follows is not run, and finish says why.
		m.fail(i, fmt.Sprintf("%s: %s", n.ID, f.Message))
		return
	}
	if back >= 0 {
		m.reenterGuarded(back, i)
		return
	}
	m.resolveOut(i)
}

// policy is node i's retry policy: its own, else the workflow's.
func (m *Machine) policy(i int) *ast.Retry {
	if r := m.g.Nodes[i].Retry; r != nil {
		return r
	}
	return m.opts.Retry
}

// budget is how many attempts a round of node i may make.
func (m *Machine) budget(i int) int {
	if r := m.policy(i); r != nil && r.MaxAttempts > 1 {
		return r.MaxAttempts
	}
	return 1
}

// retryable decides whether a failed attempt is tried again: the error
// must be retryable, and, when the policy lists retryable_errors, be one
// of them.
func (m *Machine) retryable(i int, f *Failure) bool {
	r := m.policy(i)
	if !f.Retryable || r == nil {
		return false
	}
	if len(r.RetryableErrors) == 0 {
		return true
	}
	for _, want := range r.RetryableErrors {
		w := strings.ToUpper(want)
		if w == f.Code || (w == "5XX" && f.Code == run.CodeHTTP5xx) || (w == "4XX" && f.Code == run.CodeHTTP4xx) ||
			(w == "CONNECTION_ERROR" && f.Code == run.CodeConnection) {
			return true
		}
	}
	return false
}

// backoff is the wait after the local'th attempt of this round failed;
// jitter draws from the state's random source.
func (m *Machine) backoff(i, local int) time.Duration {
	r := m.policy(i)
	if r == nil {
		return 0
	}
	d := r.Backoff.Delay(local)
	if r.Jitter && d > 0 {
		d = d/2 + time.Duration(m.random()%uint64(d/2+1))
	}
	return d
}

// random steps the state's splitmix64 generator.
func (m *Machine) random() uint64 {
	m.st.Rand += 0x9e3779b97f4a7c15
	z := m.st.Rand
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (m *Machine) timerFired(e TimerFired) {
	owner, ok := m.timers[e.Timer]
	if !ok {
		return // cancelled, or not ours
	}
	delete(m.timers, e.Timer)
	if owner < 0 {
		m.st.RunTimer = 0
		limit := m.opts.Timeout
		what := "workflow " + m.opts.WorkflowID
		m.stop(StopCause{Timeout: true, What: what, Limit: limit, Reason: fmt.Sprintf("%s timed out after %s", what, limit)})
		return
	}
	n := m.node(owner)
	switch {
	case e.Timer == n.Deadline:
		n.Deadline = 0
		limit := m.g.Nodes[owner].Timeout.D
		m.act(Stop{Node: owner, ID: n.ID, Iteration: n.Iteration, Attempt: n.Attempt, Timeout: true, What: "node " + n.ID, Limit: limit})
	case e.Timer == n.Wake && n.Step == StepBackoff:
		n.Wake = 0
		m.st.Backoffs--
		m.queue(owner)
	case e.Timer == n.Wake && n.Step == StepGate:
		n.Wake = 0
		m.st.Gates--
		limit := m.g.Nodes[owner].Approval.Timeout
		what := "approval of " + n.ID
		m.act(Stop{Node: owner, ID: n.ID, Iteration: n.Iteration, Attempt: n.Attempt, Timeout: true, What: what, Limit: limit})
		m.failed(owner, Failure{Code: run.CodeTimeout, Message: fmt.Sprintf("%s timed out after %s", what, limit), Retryable: true}, nil, 0)
	}
}

// decided takes an approval's answer.
func (m *Machine) decided(e Decided) {
	i, ok := m.attemptOf(e.Node, e.Iteration, e.Attempt, StepGate)
	if !ok {
		return
	}
	n := m.node(i)
	m.st.Gates--
	m.cancelTimer(&n.Wake)
	switch {
	case e.Err != nil:
		m.failed(i, *e.Err, nil, 0)
	case !e.Approved:
		m.failed(i, Failure{Code: run.CodeRejected, Message: fmt.Sprintf("approval for %s rejected by %s %s", n.ID, e.By, e.Comment)}, nil, 0)
	default:
		n.Approved = true
		m.queue(i)
	}
}
