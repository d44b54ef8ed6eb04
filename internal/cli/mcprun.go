package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/mcpserver"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/store"
)

// runOptions turns the run tool's input into osop run's flags, so both
// are read by the same code (typed inputs, --set paths, run ids).
func (o *mcpOps) runOptions(in mcpserver.RunInput, io *IOStreams) *RunOptions {
	opts := &RunOptions{IO: io, Limits: o.f.Limits, File: in.File, Sets: in.Set, DryRun: in.DryRun,
		AutoApprove: in.AutoApprove, Output: "json", Workdir: o.workdir, Store: o.sf.store, RunID: in.RunID}
	pairs := func(m map[string]string) []string {
		out := make([]string, 0, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, k+"="+m[k])
		}
		return out
	}
	opts.Vars, opts.Secrets = pairs(in.Vars), pairs(in.Secrets)
	inputs := map[string]string{}
	for k, v := range in.Inputs {
		if s, ok := v.(string); ok {
			inputs[k] = s
		} else {
			b, _ := json.Marshal(v) // a JSON value from the client marshals back
			inputs[k] = string(b)
		}
	}
	opts.Inputs = pairs(inputs)
	return opts
}

func (o *mcpOps) DryRun(_ context.Context, in mcpserver.RunInput) (*mcpserver.RunOutput, error) {
	io, printed := quiet()
	opts := o.runOptions(in, io)
	f := &Factory{IO: io, Limits: o.f.Limits, reg: o.f.registry()}
	_, eopts, _, err := engineOptions(f, opts)
	if err != nil {
		return nil, toolError(err, printed)
	}
	steps, err := engine.Plan(eopts)
	if err != nil {
		return nil, err
	}
	out := &mcpserver.RunOutput{Status: string(run.DryRun), Plan: []mcpserver.PlanStep{}}
	for _, s := range steps {
		out.Plan = append(out.Plan, mcpserver.PlanStep{Node: s.Node, Type: s.Type, When: s.When, Action: s.Action, Error: eopts.Masker.Mask(s.Err)})
	}
	return out, nil
}

// Start runs the workflow as osop run --output json does, in this
// process: the JSON events it prints become sink's events. It returns
// once the run is in the store.
func (o *mcpOps) Start(ctx context.Context, in mcpserver.RunInput, sink func(run.Event)) (*mcpserver.RunOutput, <-chan struct{}, error) {
	var errb bytes.Buffer
	events := &eventWriter{sink: sink}
	io := &IOStreams{In: bytes.NewReader(nil), Out: events, ErrOut: &syncWriter{w: &errb}}
	opts := o.runOptions(in, io)
	if opts.RunID == "" {
		opts.RunID = string(run.NewID(time.Now()))
	}
	f := &Factory{IO: io, Limits: o.f.Limits, reg: o.f.registry()}
	done, ended := make(chan struct{}), make(chan error, 1)
	go func() {
		defer close(done)
		ended <- runRun(ctx, f, opts)
	}()
	rec, err := o.waitRecorded(ctx, opts.RunID, ended)
	if err != nil {
		return nil, nil, toolError(err, &errb)
	}
	return &mcpserver.RunOutput{RunID: opts.RunID, Status: string(run.Running), Record: rec}, done, nil
}

// waitRecorded waits until the run is in the store (it may then wait for
// a concurrency key, or an approval, for as long as it takes), or until
// it ended before that: refused, with the reason.
func (o *mcpOps) waitRecorded(ctx context.Context, id string, ended <-chan error) (string, error) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if r, ok := o.stored(ctx, id); ok {
			return r.LogPath, nil
		}
		select {
		case err := <-ended:
			if r, ok := o.stored(ctx, id); ok {
				return r.LogPath, nil // it ran, and ended, before the first look
			}
			if err == nil {
				err = errors.New("the run ended before it was recorded")
			}
			return "", err
		case <-ctx.Done():
			return "", ctx.Err()
		case <-tick.C:
		}
	}
}

func (o *mcpOps) stored(ctx context.Context, id string) (*store.Run, bool) {
	var found *store.Run
	err := o.sf.withRun(ctx, id, func(_ *store.Store, r *store.Run) error { found = r; return nil })
	return found, err == nil && found != nil && string(found.ID) == id
}

// eventWriter reads the JSON events osop run --output json prints, one
// per line.
type eventWriter struct {
	mu   sync.Mutex
	buf  []byte
	sink func(run.Event)
}

func (w *eventWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		var e run.Event
		if json.Unmarshal(w.buf[:i], &e) == nil && e.Kind != "" {
			w.sink(e)
		}
		w.buf = w.buf[i+1:]
	}
}

// syncWriter serializes writes from a run's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

func (o *mcpOps) RunStatus(ctx context.Context, in mcpserver.RunRef) (*mcpserver.RunStatusOutput, error) {
	var out *mcpserver.RunStatusOutput
	err := o.sf.withRun(ctx, in.RunID, func(st *store.Store, r *store.Run) error {
		attempts, err := st.Attempts(ctx, r.ID)
		if err != nil {
			return err
		}
		out = &mcpserver.RunStatusOutput{Run: runInfo(r), Attempts: []mcpserver.AttemptInfo{}}
		for _, a := range attempts {
			out.Attempts = append(out.Attempts, mcpserver.AttemptInfo{Node: a.NodeID, Type: a.NodeType, Iteration: a.Iteration,
				Attempt: a.Attempt, Status: string(a.Status), DurationMS: a.DurationMS, ErrorCode: a.ErrorCode, Error: a.ErrorMessage,
				Reason: a.Reason, Action: a.Action, Outputs: a.Outputs})
		}
		// What waits is what the approve tool can answer: the open waits.
		if reachable(r) == nil {
			ws, err := st.Waiting(ctx, r.ID)
			if err != nil {
				return err
			}
			for _, w := range ws {
				if !slices.Contains(out.Waiting, w.NodeID) {
					out.Waiting = append(out.Waiting, w.NodeID)
				}
			}
			slices.Sort(out.Waiting)
		}
		return nil
	})
	return out, err
}

func runInfo(r *store.Run) mcpserver.RunInfo {
	info := mcpserver.RunInfo{RunID: string(r.ID), WorkflowID: r.WorkflowID, Workflow: r.WorkflowName, File: r.WorkflowFile,
		Status: string(r.Status), ExitCode: r.ExitCode, StartedAt: r.StartedAt, Summary: r.Summary, Record: r.LogPath}
	if !r.EndedAt.IsZero() {
		info.EndedAt = &r.EndedAt
	}
	if settle(r) && info.Summary == "" {
		info.Summary = interruptedHint(r)
	}
	return info
}

func (o *mcpOps) Runs(ctx context.Context, in mcpserver.RunsInput) (*mcpserver.RunsOutput, error) {
	st, err := o.sf.open()
	if err != nil {
		return nil, err
	}
	defer st.Close()
	runs, err := st.ListRuns(ctx, store.Filter{WorkflowID: in.Workflow, Status: in.Status, Limit: positiveOr(in.Limit, 50)})
	if err != nil {
		return nil, err
	}
	out := &mcpserver.RunsOutput{Runs: []mcpserver.RunInfo{}}
	for _, r := range runs {
		out.Runs = append(out.Runs, runInfo(r))
	}
	return out, nil
}

func positiveOr(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

func (o *mcpOps) Logs(ctx context.Context, in mcpserver.LogsInput) (*mcpserver.LogsOutput, error) {
	var out *mcpserver.LogsOutput
	err := o.sf.withRun(ctx, in.RunID, func(st *store.Store, r *store.Run) error {
		attempts, err := st.Attempts(ctx, r.ID)
		if err != nil {
			return err
		}
		if attempts, err = nodeAttempts(r, attempts, in.Node); err != nil {
			return err
		}
		out = &mcpserver.LogsOutput{RunID: string(r.ID), Attempts: []mcpserver.LogEntry{}}
		for _, a := range attempts {
			if a.Attempt == 0 {
				continue
			}
			e := mcpserver.LogEntry{Node: a.NodeID, Attempt: a.Attempt, Iteration: a.Iteration, Status: string(a.Status),
				Action: a.Action, Stdout: a.Stdout, Stderr: a.Stderr}
			if a.ErrorMessage != "" {
				e.Error = a.ErrorCode + ": " + a.ErrorMessage
			}
			out.Attempts = append(out.Attempts, e)
		}
		return nil
	})
	return out, err
}

func (o *mcpOps) Approve(ctx context.Context, in mcpserver.ApproveInput) (*mcpserver.ApproveOutput, error) {
	if in.Node == "" {
		return nil, errors.New("node is required: the human node or approval gate to answer")
	}
	var out *mcpserver.ApproveOutput
	opts := &ApproveOptions{IO: &IOStreams{Out: io.Discard, ErrOut: io.Discard}, Limits: o.f.Limits, RunID: in.RunID, Node: in.Node,
		Reject: in.Reject, Choice: in.Choice, Comment: in.Comment, Iteration: -1, By: currentUser() + " via osop mcp"}
	err := o.sf.withRun(ctx, in.RunID, func(st *store.Store, r *store.Run) error {
		d, err := approveRun(ctx, st, r, opts)
		if err == nil {
			out = &mcpserver.ApproveOutput{RunID: string(r.ID), Node: in.Node, Decision: d.Decision}
		}
		return err
	})
	return out, err
}
