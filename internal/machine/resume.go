package machine

import (
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/run"
)

// reusedMessage is what a resumed run says of a node it does not run again.
const reusedMessage = "completed in an earlier attempt of this run; its outputs are reused"

// interruptedMessage is the record of an attempt whose process died.
const interruptedMessage = "the osop process running this attempt stopped (killed or crashed)"

func (m *Machine) begin(e Begin) {
	if m.st.Began {
		return
	}
	m.st.Began = true
	m.st.Rand = e.Seed
	prior := make(map[string]Prior, len(e.Reuse))
	for _, p := range e.Reuse {
		prior[p.Node] = p
	}
	// First mark every reused node, then decide their arcs: a node is
	// considered only once all its reused sources are known, so none of
	// them is started again.
	var done []int
	for _, i := range m.order {
		p, ok := prior[m.id(i)]
		if !ok {
			continue
		}
		n := m.node(i)
		if !p.Done {
			n.Round = p.Attempts
			n.useTry(p.Attempts)
			continue
		}
		n.Attempt = p.Attempts
		n.useTry(p.Attempts)
		m.setOutputs(i, map[string]any(p.Outputs))
		m.setStatus(i, run.Completed)
		m.reused(i)
		done = append(done, i)
	}
	for _, i := range done {
		m.resolveOut(i)
	}
	m.armRunTimer()
	for _, i := range m.order {
		m.consider(i)
	}
}

func (m *Machine) reused(i int) {
	m.emit(run.Event{Kind: run.NodeSkipped, Node: m.id(i), Type: m.typ(i), Status: run.Completed,
		Message: reusedMessage, Extra: map[string]string{"resumed": "true"}})
}

func (m *Machine) armRunTimer() {
	m.cancelRunTimer()
	if m.opts.Timeout > 0 {
		m.st.RunTimer = m.setTimer(m.opts.Timeout, TimerRun, -1)
	}
}

// resume continues the run after its process died or it ended without
// completing. Completed nodes, failures a fallback handled and branches a
// condition skipped stay as they are; everything else runs again.
func (m *Machine) resume() {
	if !m.st.Began {
		m.begin(Begin{})
		return
	}
	m.interrupt()
	again := graph.NewSet(len(m.g.Nodes))
	for _, i := range m.order {
		if m.settled(i) {
			continue
		}
		again.Add(i)
		m.reset(i, false)
	}
	m.continueWith(again)
}

// retryFrom runs node id and everything after it again.
func (m *Machine) retryFrom(id string) {
	from, ok := m.index(id)
	if !m.st.Began || !ok {
		m.resume()
		return
	}
	m.interrupt()
	again := m.descendants(from)
	for _, i := range m.order {
		if again.Has(i) {
			m.reset(i, true)
		} else if m.node(i).Status == run.Pending {
			again.Add(i) // interrupted, or never reached: it must end somehow
		}
	}
	// A loop into the nodes run again starts counting afresh.
	for k, a := range m.g.Arcs {
		if (a.IsLoop() || m.back[k]) && again.Has(a.To) {
			delete(m.node(a.From).Loops, k)
		}
	}
	m.node(from).Forced = true
	m.continueWith(again)
}

// interrupt settles the attempts that were in flight when the process
// running them died: one that had started is recorded as interrupted and
// its node runs again with a fresh attempt; one that had only been asked
// for starts with the same number; a retry that was waiting goes ahead.
func (m *Machine) interrupt() {
	for _, i := range m.order {
		n := m.node(i)
		switch n.Step {
		case StepRunning:
			m.st.Running--
			m.cancelTimer(&n.Deadline)
			m.emit(run.Event{Kind: run.NodeFinished, Node: n.ID, Type: m.typ(i), Attempt: n.Attempt, Iteration: n.Iteration,
				Status: run.Failed, Code: run.CodeInterrupted, Message: interruptedMessage})
			n.Round = n.Attempt
		case StepIssued:
			m.st.Running--
			m.cancelTimer(&n.Deadline)
			n.Reserved = true
		case StepBackoff:
			m.st.Backoffs--
			m.cancelTimer(&n.Wake)
		case StepGate:
			m.st.Gates--
			m.cancelTimer(&n.Wake)
		case StepQueued:
		default:
			continue
		}
		n.Step = StepIdle
		m.setStatus(i, run.Pending)
	}
	m.st.Ready = nil
}

// settled reports whether node i keeps its outcome on resume: it
// completed, a fallback handled its failure, or a decision skipped it (and
// nothing before it runs again).
func (m *Machine) settled(i int) bool {
	n := m.node(i)
	switch {
	case n.Status == run.Completed:
		return true
	case failedStatus(n.Status):
		return n.Handled
	case n.Status == run.Skipped:
		return !n.Stopped && !m.pendingIn(i)
	}
	return false
}

func (m *Machine) pendingIn(i int) bool {
	for _, k := range m.g.InArcs(i) {
		if !m.back[k] && m.st.Arcs[k] == ArcPending {
			return true
		}
	}
	return false
}

// descendants returns node from and every node after it (loops back
// excluded).
func (m *Machine) descendants(from int) graph.Set {
	s := graph.NewSet(len(m.g.Nodes))
	s.Add(from)
	stack := []int{from}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, k := range m.g.OutArcs(x) {
			if to := m.g.Arcs[k].To; !m.back[k] && !s.Has(to) {
				s.Add(to)
				stack = append(stack, to)
			}
		}
	}
	return s
}

// reset makes node i pending again, its leaving arcs undecided. Attempt
// numbers go on from the highest used. fully (retry --from) also forgets
// its outputs and loop state: it starts over at iteration 0.
func (m *Machine) reset(i int, fully bool) {
	n := m.node(i)
	if fully {
		if n.Step == StepQueued {
			m.st.Ready = removeInt(m.st.Ready, i)
		}
		n.Iteration, n.Attempt = 0, 0
		n.Items, n.ItemsOut, n.ItemVar, n.Loops = nil, nil, "", nil
		n.Handled, n.Approved, n.Reserved = false, false, false
		m.setOutputs(i, nil)
		m.setTook(i, 0)
	}
	if !n.Reserved {
		n.Round = n.tries(n.Iteration)
	}
	n.Step, n.Reason, n.Stopped, n.Code, n.Retryable, n.LastOut = StepIdle, "", false, "", false, nil
	n.Exhausted = false
	if !n.Reserved {
		n.Approved = false
	}
	m.setError(i, "")
	m.setStatus(i, run.Pending)
	for _, k := range m.g.OutArcs(i) {
		if !m.back[k] {
			m.resetArc(k, ArcPending)
		}
	}
}

// continueWith ends the run's stopped or finished state and lets the
// nodes in again run, reusing the rest.
func (m *Machine) continueWith(again graph.Set) {
	s := &m.st
	kept := s.Failures[:0:0]
	for _, f := range s.Failures {
		if !again.Has(f.Node) {
			kept = append(kept, f)
		}
	}
	s.Failures = kept
	s.Stopping, s.Stop, s.Finished, s.Status = false, nil, false, ""
	for _, i := range m.order {
		if m.node(i).Status == run.Completed {
			m.reused(i)
		}
	}
	m.armRunTimer()
	for k := range m.g.Arcs {
		if s.Arcs[k] == ArcWaiting {
			m.resetArc(k, ArcPending)
			m.waitSignal(k)
		}
	}
	for _, i := range m.order {
		m.consider(i)
	}
}

func removeInt(xs []int, x int) []int {
	out := xs[:0:0]
	for _, y := range xs {
		if y != x {
			out = append(out, y)
		}
	}
	return out
}
