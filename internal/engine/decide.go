package engine

import (
	"fmt"
	"strings"

	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/run"
)

// consider decides whether a pending node can run, must be skipped, or
// waits, from the state of the arcs entering it.
func (s *scheduler) consider(i int) {
	n := s.nodes[i]
	if n.status != run.Pending {
		return
	}
	var taken, blocked, pending, total int
	var blockedBy, why []string
	for _, k := range s.g.InArcs(i) {
		if s.isBackLoop(k) {
			continue
		}
		total++
		a := s.g.Arcs[k]
		switch s.arcs[k] {
		case arcTaken:
			taken++
		case arcNotTaken:
			why = append(why, s.notTakenReason(a))
		case arcBlocked:
			blocked++
			blockedBy = append(blockedBy, s.g.Nodes[a.From].ID.V)
		default:
			pending++
		}
	}
	j := s.joins[i]
	need := 0
	switch j.mode {
	case "wait_any":
		need = 1
	case "wait_n":
		need = max(j.count, 1)
	}
	switch {
	case total == 0: // an entry node
		s.makeReady(i)
	case need > 0 && taken >= need:
		s.makeReady(i)
	case need > 0 && taken+pending >= need, need == 0 && pending > 0:
		// wait for more arcs
	case blocked > 0:
		s.skip(i, run.Blocked, "blocked: "+strings.Join(dedupe(blockedBy), ", ")+" did not complete", true)
	case taken > 0 && need == 0:
		s.makeReady(i)
	default:
		s.skip(i, run.Skipped, "not reached: "+strings.Join(dedupe(why), "; "), false)
	}
}

func (s *scheduler) notTakenReason(a graph.Arc) string {
	from := s.g.Nodes[a.From].ID.V
	e := a.Edge
	switch {
	case e.IsFailurePath():
		return fmt.Sprintf("%s did not fail", from)
	case e.Mode.V == "switch":
		return fmt.Sprintf("switch at %s chose another branch", from)
	case s.nodes[a.From].handled:
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

func (s *scheduler) makeReady(i int) {
	n := s.nodes[i]
	if n.status != run.Pending {
		return
	}
	if !s.prepareItems(i) {
		return
	}
	s.setStatus(i, run.Waiting)
	s.ready = append(s.ready, i)
}

// skip settles a node that will not run, and passes that on.
func (s *scheduler) skip(i int, st run.Status, reason string, blocked bool) {
	n := s.nodes[i]
	n.reason = reason
	s.setStatus(i, st)
	s.emit(run.Event{Kind: run.NodeSkipped, Node: n.n.ID.V, Type: n.n.Type.V, Status: st, Message: reason})
	for _, k := range s.g.OutArcs(i) {
		a := s.g.Arcs[k]
		if s.isBackLoop(k) {
			continue
		}
		if blocked && !a.Edge.IsFailurePath() {
			s.setArc(k, arcBlocked)
		} else {
			s.setArc(k, arcNotTaken)
		}
	}
}

func (s *scheduler) setArc(k int, st arcState) {
	if s.arcs[k] == arcWaiting && st != arcWaiting {
		s.waiting--
	}
	s.arcs[k] = st
	if st == arcWaiting {
		s.waiting++
	}
	if st != arcWaiting && st != arcPending {
		s.consider(s.g.Arcs[k].To)
	}
}

// resolveOut decides every arc leaving a node that has finished (or
// failed): failure paths first, so that the others know whether the
// failure was handled.
func (s *scheduler) resolveOut(i int) {
	n := s.nodes[i]
	out := s.g.OutArcs(i)
	failed := n.status == run.Failed || n.status == run.TimedOut || n.status == run.Cancelled
	decisions := make(map[int]arcState, len(out))
	for _, k := range out {
		a := s.g.Arcs[k]
		if a.Edge.IsFailurePath() {
			decisions[k] = s.failurePath(i, a, failed)
			if decisions[k] == arcTaken {
				n.handled = true
			}
		}
	}
	if failed && !n.handled {
		s.unhandled = append(s.unhandled, fmt.Sprintf("%s: %s", n.n.ID.V, n.message))
	}
	if n.handled {
		s.recovered = true
	}
	s.switchDecisions(i, out, failed, decisions)
	for _, k := range out {
		a := s.g.Arcs[k]
		if _, decided := decisions[k]; decided || s.isBackLoop(k) {
			continue
		}
		switch {
		case failed && n.handled:
			decisions[k] = arcNotTaken
		case failed:
			decisions[k] = arcBlocked
		case a.Edge.Mode.V == "conditional":
			decisions[k] = s.condition(i, a)
		case a.Edge.Mode.V == "event":
			decisions[k] = arcWaiting
		default:
			decisions[k] = arcTaken
		}
	}
	// Apply in arc order, so targets are considered deterministically.
	for _, k := range out {
		st, ok := decisions[k]
		if !ok {
			continue
		}
		if st == arcWaiting {
			s.setArc(k, arcWaiting)
			s.waitSignal(k)
			continue
		}
		s.setArc(k, st)
	}
}

// failurePath decides a fallback, error, timeout or compensation arc.
func (s *scheduler) failurePath(i int, a graph.Arc, failed bool) arcState {
	n := s.nodes[i]
	e := a.Edge
	switch e.Mode.V {
	case "timeout":
		if failed && n.code == run.CodeTimeout {
			return arcTaken
		}
		return arcNotTaken
	case "error":
		if !failed {
			return arcNotTaken
		}
		if e.When.V == "" {
			return arcTaken
		}
		return s.condition(i, a)
	}
	// fallback, compensation: on failure; and, with a condition, also when
	// the condition holds on the source's outputs.
	if failed {
		return arcTaken
	}
	if n.status == run.Completed && e.When.V != "" {
		if s.condition(i, a) == arcTaken {
			s.emit(run.Event{Kind: run.RunLogMessage, Node: n.n.ID.V,
				Message: fmt.Sprintf("%s completed, but %s holds: taking the %s edge to %s", n.n.ID.V, e.When.V, e.Mode.V, e.To.V)})
			return arcTaken
		}
	}
	return arcNotTaken
}

// condition evaluates an arc's when after its source. An expression that
// cannot be evaluated (it reads an output that was not produced) counts as
// false, and says so.
func (s *scheduler) condition(i int, a graph.Arc) arcState {
	ok, err := s.evalBool(i, a.Edge.When.V, nil)
	if err != nil {
		s.emit(run.Event{Kind: run.RunLogMessage, Node: s.nodes[i].n.ID.V,
			Message: fmt.Sprintf("condition of edge %s → %s could not be evaluated, so it is false: %v", a.Edge.From.V, s.g.Nodes[a.To].ID.V, err)})
		return arcNotTaken
	}
	if ok {
		return arcTaken
	}
	return arcNotTaken
}

// switchDecisions takes exactly one arc of each switch edge.
func (s *scheduler) switchDecisions(i int, out []int, failed bool, decisions map[int]arcState) {
	seen := map[any]bool{}
	for _, k0 := range out {
		e := s.g.Arcs[k0].Edge
		if e.Mode.V != "switch" || seen[e] {
			continue
		}
		seen[e] = true
		var chosen = -1
		if !failed {
			v, err := s.evalFor(i, e.When.V)
			if err != nil {
				s.emit(run.Event{Kind: run.RunLogMessage, Node: s.nodes[i].n.ID.V,
					Message: fmt.Sprintf("switch %q could not be evaluated: %v", e.When.V, err)})
			}
			chosen = s.pickCase(out, e, v, err == nil)
		}
		for _, k := range out {
			if s.g.Arcs[k].Edge != e {
				continue
			}
			switch {
			case k == chosen:
				decisions[k] = arcTaken
			case failed && !s.nodes[i].handled:
				decisions[k] = arcBlocked
			default:
				decisions[k] = arcNotTaken
			}
		}
	}
}

// pickCase returns the arc of the case equal to v, or of the default.
func (s *scheduler) pickCase(out []int, e any, v any, ok bool) int {
	def := -1
	for _, k := range out {
		a := s.g.Arcs[k]
		if a.Edge != e {
			continue
		}
		if a.Case != nil {
			if ok && sameValue(a.Case.Value.Interface(), v) {
				return k
			}
			continue
		}
		if a.Edge.DefaultTo.V == s.g.Nodes[a.To].ID.V {
			def = k
		}
	}
	return def
}

func sameValue(a, b any) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}
