package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/jsonout"
	"github.com/osopdev/osop/internal/mcpserver"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/store"
)

// runOptions turns the run tool's input into osop run's flags, so both
// are read by the same code (typed inputs, --set paths, run ids).
func (o *mcpOps) runOptions(in mcpserver.RunInput, io *IOStreams) *RunOptions {
	opts := &RunOptions{IO: io, Limits: o.f.Limits, File: in.File, Sets: in.Set, DryRun: in.DryRun,
		AutoApprove: in.AutoApprove, Output: "json", Workdir: o.workdir, Store: o.sf.store, RunID: in.RunID,
		Simulate: in.Simulate, Scenario: in.Scenario, AcceptRisk: in.AcceptRisk}
	// Nobody is at a terminal: a manual step waits for the complete tool,
	// unless the client asks that they fail.
	opts.Manual = manualWait
	if in.Manual != "" {
		opts.Manual = in.Manual
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

// pairs turns a tool's NAME: VALUE object into the flags' NAME=VALUE
// arguments, sorted.
func pairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return out
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
	return &mcpserver.RunOutput{Status: string(run.DryRun), Plan: toPlanJSON(eopts.Workflow.ID.V, steps, eopts.Masker.Mask)}, nil
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
	r, err := o.waitRecorded(ctx, opts.RunID, ended)
	if err != nil {
		return nil, nil, toolError(err, &errb)
	}
	return &mcpserver.RunOutput{RunID: opts.RunID, Status: string(run.Running), Record: r.LogPath,
		Plan: jsonout.Plan{WorkflowID: r.WorkflowID, Steps: []jsonout.Step{}}}, done, nil
}

// waitRecorded waits until the run is in the store (it may then wait for
// a concurrency key, or an approval, for as long as it takes), or until
// it ended before that: refused, with the reason.
func (o *mcpOps) waitRecorded(ctx context.Context, id string, ended <-chan error) (*store.Run, error) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if r, ok := o.stored(ctx, id); ok {
			return r, nil
		}
		select {
		case err := <-ended:
			if r, ok := o.stored(ctx, id); ok {
				return r, nil // it ran, and ended, before the first look
			}
			if err == nil {
				err = errors.New("the run ended before it was recorded")
			}
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
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
	var out mcpserver.RunStatusOutput
	err := o.sf.withRun(ctx, in.RunID, func(st *store.Store, r *store.Run) error {
		attempts, err := st.Attempts(ctx, r.ID)
		if err != nil {
			return err
		}
		out, err = runShow(ctx, st, r, attempts)
		return err
	})
	return &out, err
}

// Runs is osop runs: the same filter, the same refusal of an unknown
// status.
func (o *mcpOps) Runs(ctx context.Context, in mcpserver.RunsInput) (*mcpserver.RunsOutput, error) {
	if err := checkStatus(in.Status); err != nil {
		return nil, errors.New(strings.Replace(err.Error(), "--status", "status", 1))
	}
	st, err := o.sf.open()
	if err != nil {
		return nil, err
	}
	defer st.Close()
	runs, err := st.ListRuns(ctx, store.Filter{WorkflowID: in.Workflow, Status: in.Status, Limit: positiveOr(in.Limit, 50)})
	if err != nil {
		return nil, err
	}
	return &mcpserver.RunsOutput{Runs: runsJSON(runs)}, nil
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
		out = &mcpserver.LogsOutput{RunID: string(r.ID), Attempts: []jsonout.Attempt{}}
		for _, a := range attempts {
			if a.Attempt > 0 {
				out.Attempts = append(out.Attempts, toAttemptJSON(a))
			}
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
		Reject: in.Reject, Choice: in.Choice, Comment: in.Comment, Outputs: pairs(in.Outputs), Iteration: -1, By: currentUser() + " via osop mcp",
		OutputsArg: func(name string) string { return "outputs: {" + name + ": …}" }}
	err := o.sf.withRun(ctx, in.RunID, func(st *store.Store, r *store.Run) error {
		d, err := approveRun(ctx, st, r, opts)
		if err == nil {
			out = &mcpserver.ApproveOutput{RunID: string(r.ID), Node: in.Node, Decision: d.Decision}
		}
		return err
	})
	return out, err
}

func (o *mcpOps) Complete(ctx context.Context, in mcpserver.CompleteInput) (*mcpserver.CompleteOutput, error) {
	if in.Node == "" {
		return nil, errors.New("node is required: the manual step to answer")
	}
	opts := &CompleteOptions{IO: &IOStreams{Out: io.Discard, ErrOut: io.Discard}, Limits: o.f.Limits, Registry: o.f.registry(),
		RunID: in.RunID, Node: in.Node, Failed: in.Failed, Skip: in.Skip, Reason: in.Reason, Outputs: pairs(in.Outputs),
		Iteration: -1, By: currentUser() + " via osop mcp",
		OutputsArg: func(name string) string { return "outputs: {" + name + ": …}" }}
	var out *mcpserver.CompleteOutput
	err := o.sf.withRun(ctx, in.RunID, func(st *store.Store, r *store.Run) error {
		d, err := completion(opts)
		if err != nil {
			return err
		}
		if err := answerManualStep(ctx, st, r, opts); err != nil {
			return err
		}
		out = &mcpserver.CompleteOutput{RunID: string(r.ID), Node: in.Node, Answer: d.Decision}
		return nil
	})
	return out, err
}
