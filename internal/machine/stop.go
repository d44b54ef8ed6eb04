package machine

import (
	"fmt"

	"github.com/osopdev/osop/internal/run"
)

// waitSignal starts waiting for the signal event arc k needs.
func (m *Machine) waitSignal(k int) {
	a := m.g.Arcs[k]
	name := SignalName(m.g, k)
	if !m.opts.Signals {
		m.note(a.From, "event edge waits for signal %q, but signals cannot reach this run", name)
		m.setArc(k, ArcNotTaken)
		return
	}
	m.resetArc(k, ArcWaiting)
	m.emit(run.Event{Kind: run.NodeWaiting, Node: m.id(a.To), Status: run.Waiting,
		Message: fmt.Sprintf("waiting for signal %q: osop signal %s %s [--data JSON]", name, m.opts.RunID, name)})
	m.act(AwaitSignal{Arc: k, Name: name})
}

// signalled takes an event arc when its signal arrives and its when (if
// any) holds for the signal's data; otherwise it waits for the next.
func (m *Machine) signalled(e Signalled) {
	k := e.Arc
	if k < 0 || k >= len(m.g.Arcs) || m.st.Arcs[k] != ArcWaiting {
		return
	}
	a := m.g.Arcs[k]
	name := SignalName(m.g, k)
	if e.Name != name {
		return // meant for another arc (the file changed since)
	}
	if a.Edge.When.V != "" {
		event := map[string]any{"name": name, "type": name, "data": map[string]any(e.Data)}
		ok, err := m.evalBool(a.From, a.Edge.When.V, event)
		if (err != nil || !ok) && m.opts.SignalOnce {
			m.note(a.From, "signal %q does not satisfy %q, and no other comes; the edge is not taken", name, a.Edge.When.V)
			m.setArc(k, ArcNotTaken)
			return
		}
		if err != nil || !ok {
			m.note(a.From, "signal %q does not satisfy %q; still waiting", name, a.Edge.When.V)
			m.act(AwaitSignal{Arc: k, Name: name})
			return
		}
	}
	m.note(a.From, "signal %q accepted for %s → %s", name, a.Edge.From.V, m.id(a.To))
	m.setArc(k, ArcTaken)
}

// stop begins ending the run: nothing new starts, running attempts are
// stopped, and the run finishes when they have ended.
func (m *Machine) stop(c StopCause) {
	if m.st.Stopping || m.st.Finished || !m.st.Began {
		return
	}
	m.st.Stopping, m.st.Stop = true, &c
	for _, i := range m.st.Ready {
		m.node(i).Step = StepIdle // it stays unfinished: the end of the run skips it
	}
	m.st.Ready = nil
	code := run.CodeCancelled
	if c.Timeout {
		code = run.CodeTimeout
	}
	for _, i := range m.order {
		n := m.node(i)
		switch n.Step {
		case StepIssued, StepRunning:
			m.act(Stop{Node: i, ID: n.ID, Iteration: n.Iteration, Attempt: n.Attempt, Timeout: c.Timeout, What: c.What, Limit: c.Limit, Why: c.Reason})
		case StepGate:
			m.st.Gates--
			m.cancelTimer(&n.Wake)
			m.act(Stop{Node: i, ID: n.ID, Iteration: n.Iteration, Attempt: n.Attempt, Timeout: c.Timeout, What: c.What, Limit: c.Limit, Why: c.Reason})
			m.failed(i, Failure{Code: code, Message: "stopped: " + c.Reason}, nil, 0)
		case StepBackoff:
			m.st.Backoffs--
			m.cancelTimer(&n.Wake)
			m.failed(i, Failure{Code: n.Code, Message: n.Message, Retryable: n.Retryable}, map[string]any(n.LastOut), 0)
		}
	}
	if !c.Timeout {
		m.cancelRunTimer()
	}
}

func (m *Machine) cancelRunTimer() {
	m.cancelTimer(&m.st.RunTimer)
}

// checkEnd finishes the run when nothing is left that could change it.
func (m *Machine) checkEnd() {
	s := &m.st
	if s.Running > 0 || s.Gates > 0 || s.Backoffs > 0 {
		return
	}
	if !s.Stopping && (len(s.Ready) > 0 || s.Waiting > 0) {
		return
	}
	m.finish()
}

// finish settles what never ran and says how the run ended.
func (m *Machine) finish() {
	s := &m.st
	s.Finished = true
	s.Ready = nil
	for _, i := range m.order {
		n := m.node(i)
		if n.Status.Done() {
			continue
		}
		reason := "not reached"
		if s.Stopping {
			reason = "not run: " + s.Stop.Reason
		}
		n.Step, n.Stopped = StepIdle, s.Stopping
		m.skip(i, run.Skipped, reason, false)
	}
	m.cancelRunTimer()
	var failures []string
	if s.Stopping && s.Stop.Timeout {
		failures = append(failures, s.Stop.Reason)
	}
	for _, f := range s.Failures {
		failures = append(failures, f.Message)
	}
	f := Finish{Failures: failures}
	switch {
	case s.Stopping && s.Stop.Timeout:
		f.Status = run.TimedOut
	case s.Stopping && s.Stop.Cancelled:
		f.Status = run.Cancelled
	case len(s.Failures) > 0:
		f.Status = run.Failed
	default:
		f.Status = run.Completed
		for _, n := range s.Nodes {
			f.Recovered = f.Recovered || n.Handled
		}
	}
	s.Status = f.Status
	m.act(f)
}
