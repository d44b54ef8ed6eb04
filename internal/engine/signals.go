package engine

import (
	"fmt"

	"github.com/osopdev/osop/internal/run"
)

// signalName is what an event arc waits for: its signal field, else its
// label, else the target's id.
func (s *scheduler) signalName(k int) string {
	a := s.g.Arcs[k]
	if v, ok := a.Edge.Raw.Get("signal").String(); ok && v != "" {
		return v
	}
	if a.Edge.Label.V != "" {
		return a.Edge.Label.V
	}
	return s.g.Nodes[a.To].ID.V
}

// waitSignal starts waiting, off the scheduler goroutine, for the signal
// an event arc needs.
func (s *scheduler) waitSignal(k int) {
	name := s.signalName(k)
	from := s.g.Nodes[s.g.Arcs[k].From].ID.V
	if s.opts.Signals == nil {
		s.emit(run.Event{Kind: run.RunLogMessage, Node: from,
			Message: fmt.Sprintf("event edge waits for signal %q, but signals cannot reach this run", name)})
		s.setArc(k, arcNotTaken)
		return
	}
	s.emit(run.Event{Kind: run.NodeWaiting, Node: s.g.Nodes[s.g.Arcs[k].To].ID.V, Status: run.Waiting,
		Message: fmt.Sprintf("waiting for signal %q: osop signal %s %s [--data JSON]", name, s.opts.RunID, name)})
	go func() {
		data, err := s.opts.Signals.Wait(s.ctx, s.opts.RunID, name)
		if err != nil {
			return // the run is ending; the scheduler settles the arc
		}
		s.results <- message{kind: msgSignal, arc: k, data: data}
	}()
}

// onSignal takes an event arc when its signal arrives and its when (if
// any) holds for the signal's data; otherwise it waits for the next.
func (s *scheduler) onSignal(m message) {
	k := m.arc
	if s.arcs[k] != arcWaiting {
		return
	}
	a := s.g.Arcs[k]
	if a.Edge.When.V != "" {
		event := map[string]any{"name": s.signalName(k), "type": s.signalName(k), "data": m.data}
		ok, err := s.evalBool(a.From, a.Edge.When.V, event)
		if err != nil || !ok {
			s.emit(run.Event{Kind: run.RunLogMessage, Node: s.g.Nodes[a.From].ID.V,
				Message: fmt.Sprintf("signal %q does not satisfy %q; still waiting", s.signalName(k), a.Edge.When.V)})
			s.waitSignal(k)
			return
		}
	}
	s.setArc(k, arcTaken)
}
