package cli

import (
	"encoding/json"
	"io"
	"time"

	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/jsonout"
	"github.com/osopdev/osop/internal/store"
)

// Machine output (--output json) has one shape, documented in
// docs/json.md; its types are in package jsonout, shared with the MCP
// tools. These functions fill them from the store and the engine.

func toRunJSON(r *store.Run) jsonout.Run {
	if settle(r) && r.Summary == "" {
		r.Summary = interruptedHint(r)
	}
	out := jsonout.Run{
		RunID: string(r.ID), WorkflowID: r.WorkflowID, WorkflowName: r.WorkflowName, WorkflowFile: r.WorkflowFile,
		WorkflowHash: r.WorkflowHash, Status: string(r.Status), ExitCode: r.ExitCode, StartedAt: r.StartedAt.UTC(),
		Summary: r.Summary, RecordPath: r.LogPath, Workdir: r.Workdir, ConcurrencyKey: r.ConcurrencyKey, PID: r.PID,
		Simulated: r.Params.Simulated,
		Params: jsonout.Params{Vars: r.Params.Vars, Inputs: r.Params.Inputs, Sets: r.Params.Sets,
			Secrets: []jsonout.Secret{}, MaxParallel: r.Params.MaxParallel, AutoApprove: r.Params.AutoApprove,
			Builtins: r.Params.Builtins, AcceptedRisks: append([]string{}, r.Params.AcceptedRisks...)},
	}
	if !r.EndedAt.IsZero() {
		ended := r.EndedAt.UTC()
		d := ended.Sub(out.StartedAt).Milliseconds()
		out.EndedAt, out.DurationMS = &ended, &d
	}
	p := &out.Params
	p.Vars, p.Inputs, p.Builtins = orEmpty(p.Vars), orEmpty(p.Inputs), orEmpty(p.Builtins)
	if p.Sets == nil {
		p.Sets = []string{}
	}
	for _, src := range recordedSources(r.Params) {
		p.Secrets = append(p.Secrets, jsonout.Secret(src))
	}
	return out
}

func toAttemptJSON(a *store.Attempt) jsonout.Attempt {
	return jsonout.Attempt{
		Node: a.NodeID, Type: a.NodeType, Iteration: a.Iteration, Attempt: a.Attempt, Status: string(a.Status),
		StartedAt: timeOrNull(a.StartedAt), EndedAt: timeOrNull(a.EndedAt), DurationMS: a.DurationMS,
		Code: a.ErrorCode, Message: a.ErrorMessage, Reason: a.Reason, Action: a.Action,
		Outputs: orEmpty(a.Outputs), Stdout: a.Stdout, Stderr: a.Stderr,
	}
}

func toPlanJSON(workflowID string, steps []engine.Step, mask func(string) string) jsonout.Plan {
	out := jsonout.Plan{DryRun: true, WorkflowID: workflowID, Steps: make([]jsonout.Step, len(steps))}
	for i, s := range steps {
		out.Steps[i] = jsonout.Step{Node: s.Node, Type: s.Type, When: s.When, Action: s.Action, Error: mask(s.Err)}
	}
	return out
}

func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// writeJSON writes v as one JSON document, indented, with <, > and &
// as they are (commands hold them; nobody embeds this in HTML).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
