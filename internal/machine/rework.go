package machine

import (
	"fmt"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/run"
)

// A rework loop is a cycle that a conditional, fallback, error, timeout
// or switch edge guards ("review rejected → revise"). Its back arc (the
// one graph.IsBack marks) re-enters it: when node i finishes and a back
// arc out of i is taken, the loop's nodes run again as a new iteration,
// and i's other arcs wait for the iteration that ends the loop. The
// bound counts iterations; the node that would go past it fails.

// reentry decides node i's back arcs, once i has finished: the first one
// taken, or -1. A node whose loop is exhausted re-enters nothing.
func (m *Machine) reentry(i int) int {
	if m.node(i).Exhausted || m.st.Stopping {
		return -1
	}
	for _, k := range m.g.OutArcs(i) {
		if m.guard[k] && m.backTaken(i, k) {
			return k
		}
	}
	return -1
}

// backTaken decides back arc k out of node i as resolveOut would decide a
// forward arc of the same mode.
func (m *Machine) backTaken(i, k int) bool {
	a := m.g.Arcs[k]
	failed := failedStatus(m.node(i).Status)
	switch {
	case a.Edge.IsFailurePath():
		return m.failurePath(i, a, failed) == ArcTaken
	case failed:
		return false
	case a.Edge.Mode.V == "conditional":
		return m.condition(i, a) == ArcTaken
	case a.Edge.Mode.V == "switch":
		v, err := m.eval(i, a.Edge.When.V, nil)
		if err != nil {
			m.note(i, "switch %q could not be evaluated: %v", a.Edge.When.V, err)
		}
		return m.pickCase(m.g.OutArcs(i), a.Edge, v, err == nil) == k
	case a.Edge.Mode.V == "event":
		m.note(i, "event edge %s → %s goes back into a loop; osop does not wait for signals there, so it is not taken", a.Edge.From.V, m.id(a.To))
		return false
	}
	return true
}

// bound is how many iterations back arc k's loop may run: the first
// max_iterations of the back arc, the loop's other edges, or its first
// node; else the run's bound.
func (m *Machine) bound(k int) int {
	l := m.loops[k]
	for _, j := range append([]int{k}, l.Arcs...) {
		if n := m.g.Arcs[j].Edge.MaxIterations; n > 0 {
			return n
		}
	}
	if v := m.g.Nodes[m.g.Arcs[k].To].Raw.Get("max_iterations"); v != nil && v.Kind == ast.Int && v.Int > 0 && v.Int < 1<<31 {
		return int(v.Int)
	}
	return m.opts.LoopBound
}

// withinBound reports whether back arc k may begin another iteration.
func (m *Machine) withinBound(k int) bool {
	return m.node(m.g.Arcs[k].From).Loops[k]+1 < m.bound(k)
}

// loopName is "a → b → a", the loop back arc k closes.
func (m *Machine) loopName(k int) string {
	l := m.loops[k]
	names := make([]string, 0, len(l.Nodes)+1)
	for _, i := range l.Nodes {
		names = append(names, m.id(i))
	}
	return strings.Join(append(names, m.id(m.g.Arcs[k].To)), " → ")
}

// boundMessage says that back arc k's loop reached its bound, and how to
// change it.
func (m *Machine) boundMessage(k int) string {
	e := m.g.Arcs[k].Edge
	return fmt.Sprintf("loop %s reached its bound of %d iterations and may not go round again "+
		"(set max_iterations on the edge %s → %s at line %d, or run with --max-iterations N)",
		m.loopName(k), m.bound(k), e.From.V, e.To.V, e.Range.Start.Line)
}

// reenterGuarded begins the next iteration of back arc k's loop.
func (m *Machine) reenterGuarded(k, tail int) {
	src := m.node(tail)
	if src.Loops == nil {
		src.Loops = map[int]int{}
	}
	src.Loops[k]++
	m.note(tail, "loop %s: iteration %d of at most %d", m.loopName(k), src.Loops[k]+1, m.bound(k))
	head := m.g.Arcs[k].To
	m.restart(head, m.body(head, tail), k)
}

// reopen undoes the decision of arc k, which leads out of a loop that
// runs again: the new iteration decides it. A target that was skipped
// because of it (and what that skip passed on) waits again.
func (m *Machine) reopen(k int) {
	if st := m.st.Arcs[k]; st != ArcNotTaken && st != ArcBlocked {
		return
	}
	m.resetArc(k, ArcPending)
	t := m.g.Arcs[k].To
	n := m.node(t)
	if (n.Status != run.Skipped && n.Status != run.Blocked) || n.Stopped {
		return
	}
	n.Reason = ""
	m.setStatus(t, run.Pending)
	for _, j := range m.g.OutArcs(t) {
		if !m.back[j] {
			m.reopen(j)
		}
	}
}
