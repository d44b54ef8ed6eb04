package engine

import (
	"fmt"

	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/run"
)

// defaultMaxIterations bounds a while-loop that sets no max_iterations.
const defaultMaxIterations = 100

// loopAgain decides, after node i completed, whether a loop runs again:
// a back or self loop out of i (re-enter its body at the target), a
// forward while-loop into i (run i again), or the next item of a
// for_each. It returns true when something was restarted; then i's other
// edges wait.
func (s *scheduler) loopAgain(i int) bool {
	n := s.nodes[i]
	if n.items != nil && len(n.itemsOut) < len(n.items) {
		s.restart(i, nil)
		return true
	}
	for _, k := range s.g.OutArcs(i) {
		if s.isBackLoop(k) && s.whileHolds(i, k) {
			s.restart(s.g.Arcs[k].To, s.body(s.g.Arcs[k].To, i))
			return true
		}
	}
	for _, k := range s.g.InArcs(i) {
		a := s.g.Arcs[k]
		if a.IsLoop() && !s.isBackLoop(k) && !a.Edge.ForEach.Set() && s.arcs[k] == arcTaken && s.whileHolds(i, k) {
			s.restart(i, nil)
			return true
		}
	}
	return false
}

// whileHolds evaluates loop arc k's when after node i, counting
// iterations against max_iterations.
func (s *scheduler) whileHolds(i, k int) bool {
	a := s.g.Arcs[k]
	if a.Edge.When.V == "" {
		return false
	}
	limit := a.Edge.MaxIterations
	if limit <= 0 {
		limit = defaultMaxIterations
	}
	n := s.nodes[a.From]
	if n.loops[k]+1 >= limit {
		s.emit(run.Event{Kind: run.RunLogMessage, Node: s.nodes[i].n.ID.V,
			Message: fmt.Sprintf("loop %s → %s stopped after %d iterations (max_iterations)", a.Edge.From.V, a.Edge.To.V, limit)})
		return false
	}
	ok, err := s.evalBool(i, a.Edge.When.V, nil)
	if err != nil {
		s.emit(run.Event{Kind: run.RunLogMessage, Node: s.nodes[i].n.ID.V,
			Message: fmt.Sprintf("loop condition %q could not be evaluated, so the loop ends: %v", a.Edge.When.V, err)})
		return false
	}
	if ok {
		n.loops[k]++
	}
	return ok
}

// body returns the nodes of a loop from head to tail: the head, the tail,
// and every node after the head and before the tail.
func (s *scheduler) body(head, tail int) []int {
	after := graph.NewSet(len(s.g.Nodes))
	stack := []int{head}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, k := range s.g.OutArcs(x) {
			a := s.g.Arcs[k]
			if a.IsLoop() || after.Has(a.To) {
				continue
			}
			after.Add(a.To)
			stack = append(stack, a.To)
		}
	}
	out := []int{head}
	for x := range s.g.Nodes {
		if x != head && (x == tail || (after.Has(x) && s.anc[tail].Has(x))) {
			out = append(out, x)
		}
	}
	return out
}

// restart sets a node (and, for a loop body, the other nodes of the body)
// back to pending for the next iteration, and starts the head.
func (s *scheduler) restart(head int, body []int) {
	if body == nil {
		body = []int{head}
	}
	in := map[int]bool{}
	for _, x := range body {
		in[x] = true
	}
	for _, x := range body {
		n := s.nodes[x]
		n.iteration++
		n.attempts, n.code, n.message, n.reason = 0, "", "", ""
		s.setStatus(x, run.Pending)
		if n.items == nil {
			s.setOutputs(x, nil)
		}
		for _, k := range s.g.OutArcs(x) {
			if in[s.g.Arcs[k].To] && !s.isBackLoop(k) {
				s.arcs[k] = arcPending
			}
		}
	}
	s.setStatus(head, run.Waiting)
	s.ready = append(s.ready, head)
}

// prepareItems binds a for_each loop's items when its target becomes
// ready. It returns false when the node was skipped instead (an empty
// list, or an expression that failed).
func (s *scheduler) prepareItems(i int) bool {
	n := s.nodes[i]
	if n.items != nil {
		return true
	}
	for _, k := range s.g.InArcs(i) {
		a := s.g.Arcs[k]
		if !a.IsLoop() || !a.Edge.ForEach.Set() || s.arcs[k] != arcTaken {
			continue
		}
		v, err := s.evalFor(a.From, a.Edge.ForEach.V)
		if err != nil {
			s.skip(i, run.Blocked, fmt.Sprintf("for_each %q could not be evaluated: %v", a.Edge.ForEach.V, err), true)
			s.unhandled = append(s.unhandled, fmt.Sprintf("%s: for_each: %v", n.n.ID.V, err))
			return false
		}
		items, ok := v.([]any)
		if !ok {
			s.skip(i, run.Blocked, fmt.Sprintf("for_each %q gave %T, not a list", a.Edge.ForEach.V, v), true)
			s.unhandled = append(s.unhandled, fmt.Sprintf("%s: for_each is not a list", n.n.ID.V))
			return false
		}
		if limit := a.Edge.MaxIterations; limit > 0 && len(items) > limit {
			items = items[:limit]
		}
		if len(items) == 0 {
			s.skip(i, run.Skipped, "for_each list is empty", false)
			return false
		}
		n.items, n.itemsOut = items, nil
		n.itemVar = a.Edge.IteratorVar.V
		if n.itemVar == "" {
			n.itemVar = "item"
		}
		return true
	}
	return true
}
