package machine

import (
	"fmt"
	"strings"

	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/run"
)

// consider decides whether a pending node can run, must be skipped, or
// waits, from the state of the arcs entering it.
func (m *Machine) consider(i int) {
	n := m.node(i)
	if n.Status != run.Pending {
		return
	}
	if n.Forced {
		n.Forced = false
		m.makeReady(i)
		return
	}
	var taken, blocked, pending, total int
	var blockedBy, why []string
	for _, k := range m.g.InArcs(i) {
		if m.back[k] {
			continue
		}
		total++
		a := m.g.Arcs[k]
		switch m.st.Arcs[k] {
		case ArcTaken:
			taken++
		case ArcNotTaken:
			why = append(why, m.notTakenReason(a))
		case ArcBlocked:
			blocked++
			blockedBy = append(blockedBy, m.id(a.From))
		default:
			pending++
		}
	}
	j := m.joins[i]
	need := 0
	switch j.mode {
	case "wait_any":
		need = 1
	case "wait_n":
		need = max(j.count, 1)
	}
	switch {
	case total == 0: // an entry node
		m.makeReady(i)
	case need > 0 && taken >= need:
		m.makeReady(i)
	case need > 0 && taken+pending >= need, need == 0 && pending > 0:
		// wait for more arcs
	case blocked > 0:
		m.skip(i, run.Blocked, "blocked: "+strings.Join(dedupe(blockedBy), ", ")+" did not complete", true)
	case taken > 0 && need == 0:
		m.makeReady(i)
	default:
		m.skip(i, run.Skipped, "not reached: "+strings.Join(dedupe(why), "; "), false)
	}
}

func (m *Machine) notTakenReason(a graph.Arc) string {
	from := m.id(a.From)
	e := a.Edge
	switch {
	case e.IsFailurePath():
		return fmt.Sprintf("%s did not fail", from)
	case e.Mode.V == "switch":
		return fmt.Sprintf("switch at %s chose another branch", from)
	case m.node(a.From).Handled:
		return fmt.Sprintf("%s failed, and a failure path took over", from)
	case e.When.V != "":
		return fmt.Sprintf("condition %q was false", e.When.V)
	}
	return fmt.Sprintf("%s was not run", from)
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// makeReady queues a pending node to run, binding a for_each's items
// first. Once the run is stopping or over, nothing is queued: the end of
// the run skips what is left.
func (m *Machine) makeReady(i int) {
	n := m.node(i)
	if n.Status != run.Pending || m.st.Finished {
		return
	}
	if !m.prepareItems(i) {
		return
	}
	m.setStatus(i, run.Waiting)
	if m.st.Stopping {
		return
	}
	n.Step = StepQueued
	m.st.Ready = append(m.st.Ready, i)
}

// skip settles a node that will not run, and passes that on.
func (m *Machine) skip(i int, st run.Status, reason string, blocked bool) {
	n := m.node(i)
	n.Reason = reason
	m.setStatus(i, st)
	m.emit(run.Event{Kind: run.NodeSkipped, Node: n.ID, Type: m.typ(i), Status: st, Message: reason})
	for _, k := range m.g.OutArcs(i) {
		if m.back[k] {
			continue
		}
		if blocked && !m.g.Arcs[k].Edge.IsFailurePath() {
			m.setArc(k, ArcBlocked)
		} else {
			m.setArc(k, ArcNotTaken)
		}
	}
}

// setArc decides an arc and considers its target.
func (m *Machine) setArc(k int, st ArcState) {
	m.resetArc(k, st)
	if st != ArcWaiting && st != ArcPending {
		m.consider(m.g.Arcs[k].To)
	}
}

// resetArc sets an arc's state without considering its target.
func (m *Machine) resetArc(k int, st ArcState) {
	if m.st.Arcs[k] == ArcWaiting {
		m.st.Waiting--
	}
	m.st.Arcs[k] = st
	if st == ArcWaiting {
		m.st.Waiting++
	}
}

// resolveOut decides every arc leaving a node that has finished (or
// failed): failure paths first, so that the others know whether the
// failure was handled.
func (m *Machine) resolveOut(i int) {
	n := m.node(i)
	out := m.g.OutArcs(i)
	failed := failedStatus(n.Status)
	decisions := make(map[int]ArcState, len(out))
	for _, k := range out {
		if a := m.g.Arcs[k]; a.Edge.IsFailurePath() && !m.back[k] {
			decisions[k] = m.failurePath(i, a, failed)
			if decisions[k] == ArcTaken {
				n.Handled = true
			}
		}
	}
	unhandled := failed && !n.Handled
	if unhandled {
		m.fail(i, fmt.Sprintf("%s: %s", n.ID, n.Message))
	}
	m.switchDecisions(i, out, failed, decisions)
	for _, k := range out {
		a := m.g.Arcs[k]
		if _, decided := decisions[k]; decided || m.back[k] {
			continue
		}
		switch {
		case failed && n.Handled:
			decisions[k] = ArcNotTaken
		case failed:
			decisions[k] = ArcBlocked
		case a.Edge.Mode.V == "conditional":
			decisions[k] = m.condition(i, a)
		case a.Edge.Mode.V == "event":
			decisions[k] = ArcWaiting
		default:
			decisions[k] = ArcTaken
		}
	}
	// Apply in arc order, so targets are considered deterministically.
	for _, k := range out {
		st, ok := decisions[k]
		if !ok || m.back[k] {
			continue
		}
		if st == ArcWaiting {
			m.waitSignal(k)
			continue
		}
		m.setArc(k, st)
	}
	if unhandled && m.opts.FailFast {
		m.stop(StopCause{Reason: fmt.Sprintf("%s failed and --fail-fast stops the run", n.ID)})
	}
}

// fail records a failure nothing handled.
func (m *Machine) fail(i int, msg string) {
	m.st.Failures = append(m.st.Failures, Failed{Node: i, Message: msg})
}

// failurePath decides a fallback, error, timeout or compensation arc.
func (m *Machine) failurePath(i int, a graph.Arc, failed bool) ArcState {
	n := m.node(i)
	e := a.Edge
	switch e.Mode.V {
	case "timeout":
		if failed && n.Code == run.CodeTimeout {
			return ArcTaken
		}
		return ArcNotTaken
	case "error":
		if !failed {
			return ArcNotTaken
		}
		if e.When.V == "" {
			return ArcTaken
		}
		return m.condition(i, a)
	}
	// fallback, compensation: on failure; and, with a condition, also when
	// the condition holds on the source's outputs.
	if failed {
		return ArcTaken
	}
	if n.Status == run.Completed && e.When.V != "" && m.condition(i, a) == ArcTaken {
		m.note(i, "%s completed, but %s holds: taking the %s edge to %s", n.ID, e.When.V, e.Mode.V, e.To.V)
		return ArcTaken
	}
	return ArcNotTaken
}

// condition evaluates an arc's when after its source. An expression that
// cannot be evaluated (it reads an output that was not produced) counts as
// false, and says so.
func (m *Machine) condition(i int, a graph.Arc) ArcState {
	ok, err := m.evalBool(i, a.Edge.When.V, nil)
	if err != nil {
		m.note(i, "condition of edge %s → %s could not be evaluated, so it is false: %v", a.Edge.From.V, m.id(a.To), err)
		return ArcNotTaken
	}
	if ok {
		return ArcTaken
	}
	return ArcNotTaken
}

// switchDecisions takes exactly one arc of each switch edge.
func (m *Machine) switchDecisions(i int, out []int, failed bool, decisions map[int]ArcState) {
	seen := map[any]bool{}
	for _, k0 := range out {
		e := m.g.Arcs[k0].Edge
		if e.Mode.V != "switch" || seen[e] {
			continue
		}
		seen[e] = true
		chosen := -1
		if !failed {
			v, err := m.eval(i, e.When.V, nil)
			if err != nil {
				m.note(i, "switch %q could not be evaluated: %v", e.When.V, err)
			}
			chosen = m.pickCase(out, e, v, err == nil)
		}
		for _, k := range out {
			if m.g.Arcs[k].Edge != e {
				continue
			}
			switch {
			case k == chosen:
				decisions[k] = ArcTaken
			case failed && !m.node(i).Handled:
				decisions[k] = ArcBlocked
			default:
				decisions[k] = ArcNotTaken
			}
		}
	}
}

// pickCase returns the arc of the case equal to v, or of the default.
func (m *Machine) pickCase(out []int, e any, v any, ok bool) int {
	def := -1
	for _, k := range out {
		a := m.g.Arcs[k]
		if a.Edge != e {
			continue
		}
		if a.Case != nil {
			if ok && fmt.Sprint(a.Case.Value.Interface()) == fmt.Sprint(v) {
				return k
			}
			continue
		}
		if a.Edge.DefaultTo.V == m.id(a.To) {
			def = k
		}
	}
	return def
}

// eval evaluates an expression in node i's scope.
func (m *Machine) eval(i int, src string, event map[string]any) (any, error) {
	n := m.node(i)
	return m.opts.Eval.Eval(src, Scope{Node: i, Iteration: n.Iteration, Attempt: n.Attempt, Event: event})
}

func (m *Machine) evalBool(i int, src string, event map[string]any) (bool, error) {
	v, err := m.eval(i, src, event)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%s: gave %T %v, not a boolean", src, v, v)
	}
	return b, nil
}
