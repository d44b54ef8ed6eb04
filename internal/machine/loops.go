package machine

import (
	"fmt"

	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/run"
)

// loopAgain decides, after node i completed, whether a loop runs again:
// the next item of a for_each, a back or self loop out of i (re-enter its
// body at the target), or a forward while-loop into i (run i again). It
// returns true when something was restarted; then i's other edges wait.
//
// Re-entry goes through reenter, the one place a cycle is re-run: a
// guarded back edge of another mode would re-enter the same way.
func (m *Machine) loopAgain(i int) bool {
	n := m.node(i)
	if n.Items != nil && len(n.ItemsOut) < len(n.Items) {
		m.restart(i, nil, -1)
		return true
	}
	for _, k := range m.g.OutArcs(i) {
		if m.back[k] && !m.guard[k] && m.whileHolds(i, k) {
			m.reenter(k, i)
			return true
		}
	}
	for _, k := range m.g.InArcs(i) {
		a := m.g.Arcs[k]
		if a.IsLoop() && !m.back[k] && !a.Edge.ForEach.Set() && m.st.Arcs[k] == ArcTaken && m.whileHolds(i, k) {
			m.restart(i, nil, -1)
			return true
		}
	}
	return false
}

// reenter runs the body of back arc k again, from its target to tail.
func (m *Machine) reenter(k, tail int) {
	head := m.g.Arcs[k].To
	m.restart(head, m.body(head, tail), k)
}

// whileHolds evaluates loop arc k's when after node i, counting
// iterations against max_iterations.
func (m *Machine) whileHolds(i, k int) bool {
	a := m.g.Arcs[k]
	if a.Edge.When.V == "" {
		return false
	}
	limit := a.Edge.MaxIterations
	if limit <= 0 {
		limit = m.opts.MaxIterations
	}
	src := m.node(a.From)
	if src.Loops[k]+1 >= limit {
		m.note(i, "loop %s → %s stopped after %d iterations (max_iterations)", a.Edge.From.V, a.Edge.To.V, limit)
		return false
	}
	ok, err := m.evalBool(i, a.Edge.When.V, nil)
	if err != nil {
		m.note(i, "loop condition %q could not be evaluated, so the loop ends: %v", a.Edge.When.V, err)
		return false
	}
	if ok {
		if src.Loops == nil {
			src.Loops = map[int]int{}
		}
		src.Loops[k]++
	}
	return ok
}

// body returns the nodes of a loop from head to tail: the head, the tail,
// and every node after the head and before the tail.
func (m *Machine) body(head, tail int) []int {
	after := graph.NewSet(len(m.g.Nodes))
	stack := []int{head}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, k := range m.g.OutArcs(x) {
			a := m.g.Arcs[k]
			if a.IsLoop() || m.back[k] || after.Has(a.To) {
				continue
			}
			after.Add(a.To)
			stack = append(stack, a.To)
		}
	}
	out := []int{head}
	for x := range m.g.Nodes {
		if x != head && (x == tail || (after.Has(x) && m.anc[tail].Has(x))) {
			out = append(out, x)
		}
	}
	return out
}

// restart sets a node (and, for a loop body, the other nodes of the body)
// back to pending for the next iteration, and queues the head. A body
// node still in flight (a parallel branch that a join did not wait for,
// or a head another loop already re-entered) is left to finish where it
// is; the new iteration goes on from it. via is the back arc re-entering
// the body (-1 for the next for_each item): loops nested inside the body
// count afresh, and arcs leading out of the body are decided again by
// the new iteration.
func (m *Machine) restart(head int, body []int, via int) {
	if body == nil {
		body = []int{head}
	}
	in := graph.NewSet(len(m.g.Nodes))
	for _, x := range body {
		if !m.inFlight(x) {
			in.Add(x)
		}
	}
	for _, x := range body {
		if !in.Has(x) {
			continue
		}
		n := m.node(x)
		if n.Step == StepQueued {
			m.st.Ready = removeInt(m.st.Ready, x)
		}
		n.Step = StepIdle
		n.Iteration++
		n.Attempt, n.Code, n.Reason, n.Retryable, n.LastOut = 0, "", "", false, nil
		n.Approved, n.Reserved, n.Handled, n.Exhausted = false, false, false, false
		n.Round = n.tries(n.Iteration)
		m.setError(x, "")
		m.setTook(x, 0)
		m.setStatus(x, run.Pending)
		if n.Items == nil {
			m.setOutputs(x, nil)
		}
		for _, k := range m.g.OutArcs(x) {
			to := m.g.Arcs[k].To
			switch {
			case m.back[k] && via >= 0 && k != via && in.Has(to) && m.nested(k, len(body)):
				delete(n.Loops, k) // a loop inside the body counts afresh
			case m.back[k]:
			case in.Has(to):
				m.resetArc(k, ArcPending)
			case via >= 0:
				m.reopen(k)
			}
		}
	}
	if !in.Has(head) {
		m.note(head, "%s is already running again: the loop goes on from there", m.id(head))
		return
	}
	m.setStatus(head, run.Waiting)
	m.node(head).Step = StepQueued
	m.st.Ready = append(m.st.Ready, head)
}

// inFlight reports whether an attempt of node i is under way: started,
// about to start, waiting to retry, or waiting for its approval.
func (m *Machine) inFlight(i int) bool {
	switch m.node(i).Step {
	case StepIssued, StepRunning, StepBackoff, StepGate:
		return true
	}
	return false
}

// prepareItems binds a for_each loop's items when its target becomes
// ready. It returns false when the node was skipped instead (an empty
// list, or an expression that failed).
func (m *Machine) prepareItems(i int) bool {
	n := m.node(i)
	if n.Items != nil {
		return true
	}
	for _, k := range m.g.InArcs(i) {
		a := m.g.Arcs[k]
		if !a.IsLoop() || !a.Edge.ForEach.Set() || m.st.Arcs[k] != ArcTaken {
			continue
		}
		v, err := m.eval(a.From, a.Edge.ForEach.V, nil)
		if err != nil {
			m.skip(i, run.Blocked, fmt.Sprintf("for_each %q could not be evaluated: %v", a.Edge.ForEach.V, err), true)
			m.fail(i, fmt.Sprintf("%s: for_each: %v", n.ID, err))
			return false
		}
		items, ok := v.([]any)
		if !ok {
			m.skip(i, run.Blocked, fmt.Sprintf("for_each %q gave %T, not a list", a.Edge.ForEach.V, v), true)
			m.fail(i, n.ID+": for_each is not a list")
			return false
		}
		if limit := a.Edge.MaxIterations; limit > 0 && len(items) > limit {
			items = items[:limit]
		}
		if len(items) == 0 {
			m.skip(i, run.Skipped, "for_each list is empty", false)
			return false
		}
		n.Items, n.ItemsOut = List(items), nil
		n.ItemVar = a.Edge.IteratorVar.V
		if n.ItemVar == "" {
			n.ItemVar = "item"
		}
		return true
	}
	return true
}

// tries returns the highest attempt number used in an iteration.
func (n *NodeState) tries(iteration int) int {
	if iteration < len(n.Tries) {
		return n.Tries[iteration]
	}
	return 0
}

// useTry records attempt a of the node's current iteration.
func (n *NodeState) useTry(a int) {
	for len(n.Tries) <= n.Iteration {
		n.Tries = append(n.Tries, 0)
	}
	n.Tries[n.Iteration] = max(n.Tries[n.Iteration], a)
}

// nested reports whether back arc k closes a loop smaller than a body of
// size n that holds both its ends: such a loop counts afresh in each
// iteration of the larger one. Two loops with the same body (a while
// loop and a rework loop on one node) are not nested: each keeps its
// count, so that both stay bounded.
func (m *Machine) nested(k, n int) bool {
	a := m.g.Arcs[k]
	return len(m.body(a.To, a.From)) < n
}
