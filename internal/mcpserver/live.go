package mcpserver

import (
	"context"
	"errors"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/osopdev/osop/internal/run"
)

// maxEvents bounds the events kept for one live run; older ones are
// dropped (the store and the record keep the attempts).
const maxEvents = 10_000

// live holds the events of a run this server started.
type live struct {
	mu      sync.Mutex
	events  []run.Event
	dropped int // events dropped from the front
	done    bool
}

func (l *live) add(e run.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) == maxEvents {
		l.events = l.events[1:]
		l.dropped++
	}
	l.events = append(l.events, e)
}

// page returns the events after cursor, at most limit.
func (l *live) page(after, limit int) (events []run.Event, next int, done bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	start := max(after-l.dropped, 0)
	end := min(start+limit, len(l.events))
	if start > end {
		start = end
	}
	return append([]run.Event(nil), l.events[start:end]...), l.dropped + end, l.done && end == len(l.events)
}

func (s *Server) run(ctx context.Context, _ *mcp.CallToolRequest, in RunInput) (*mcp.CallToolResult, *RunOutput, error) {
	p, err := s.resolve(in.File)
	if err != nil {
		return nil, nil, err
	}
	in.File = p
	if in.DryRun {
		out, err := s.opts.Ops.DryRun(ctx, in)
		return nil, out, err
	}
	if in.Scenario != "" {
		if in.Scenario, err = s.resolve(in.Scenario); err != nil {
			return nil, nil, err
		}
	}
	if !s.opts.AllowRun && !in.Simulate { // a simulation runs nothing real
		return nil, nil, ErrRunNotAllowed
	}
	l := &live{}
	// The run outlives this call: it runs on the server's context.
	out, done, err := s.opts.Ops.Start(s.runCtx, in, l.add)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	s.live[out.RunID] = l
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-done
		l.mu.Lock()
		l.done = true
		l.mu.Unlock()
	}()
	s.addRunResource(out.RunID)
	return nil, out, nil
}

func (s *Server) runEvents(ctx context.Context, _ *mcp.CallToolRequest, in RunEventsInput) (*mcp.CallToolResult, *RunEventsOutput, error) {
	if in.Limit <= 0 {
		in.Limit = 500
	}
	if in.After < 0 {
		return nil, nil, errors.New("after must be 0 or more")
	}
	st, err := s.opts.Ops.RunStatus(ctx, RunRef{RunID: in.RunID})
	if err != nil {
		return nil, nil, err
	}
	id := st.Run.RunID
	s.mu.Lock()
	l := s.live[id]
	s.mu.Unlock()
	out := &RunEventsOutput{RunID: id, Events: []run.Event{}}
	if l != nil {
		out.Live = true
		out.Events, out.Next, out.Done = l.page(in.After, in.Limit)
		return nil, out, nil
	}
	// Another process's run: one event per recorded attempt, in order.
	all := attemptEvents(st)
	start := min(in.After, len(all))
	end := min(start+in.Limit, len(all))
	out.Events, out.Next = all[start:end], end
	out.Done = end == len(all) && run.Status(st.Run.Status).Done()
	return nil, out, nil
}

// attemptEvents tells a recorded run as events: each attempt's latest
// state.
func attemptEvents(st *RunStatusOutput) []run.Event {
	out := make([]run.Event, 0, len(st.Attempts))
	for _, a := range st.Attempts {
		e := run.Event{RunID: run.ID(st.Run.RunID), Node: a.Node, Type: a.Type, Attempt: a.Attempt, Iteration: a.Iteration,
			Status: run.Status(a.Status), Code: a.Code, Message: a.Message, Outputs: a.Outputs, Action: a.Action}
		switch run.Status(a.Status) {
		case run.Running:
			e.Kind = run.NodeStarted
		case run.Waiting:
			e.Kind = run.NodeWaiting
		case run.Skipped, run.Blocked:
			e.Kind, e.Message = run.NodeSkipped, a.Reason
		default:
			e.Kind = run.NodeFinished
		}
		out = append(out, e)
	}
	return out
}
