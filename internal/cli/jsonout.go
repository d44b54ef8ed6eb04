package cli

import (
	"encoding/json"
	"io"
	"time"

	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/store"
)

// Machine output (--output json) has one shape, documented in
// docs/json.md: keys osop chooses are snake_case, and the same thing has
// the same name everywhere (run_id, node, type, status, code, message, as
// in the events). Keys that are names a user chose (variables, inputs,
// outputs) are kept as written. Every key is present in every object;
// what is not known is null.

// runJSON is a run, in `osop runs` and `osop runs show`.
type runJSON struct {
	RunID          string     `json:"run_id"`
	WorkflowID     string     `json:"workflow_id"`
	WorkflowName   string     `json:"workflow_name"`
	WorkflowFile   string     `json:"workflow_file"`
	WorkflowHash   string     `json:"workflow_hash"`
	Status         string     `json:"status"`
	ExitCode       *int       `json:"exit_code"`
	StartedAt      time.Time  `json:"started_at"`
	EndedAt        *time.Time `json:"ended_at"`
	DurationMS     *int64     `json:"duration_ms"`
	Summary        string     `json:"summary"`
	RecordPath     string     `json:"record_path"`
	Workdir        string     `json:"workdir"`
	ConcurrencyKey string     `json:"concurrency_key"`
	PID            int        `json:"pid"`
	// Simulated marks a run in which nothing real ran (--simulate).
	Simulated bool       `json:"simulated"`
	Params    paramsJSON `json:"params"`
}

// paramsJSON is how a run was started; no secret value is in it.
type paramsJSON struct {
	Vars        map[string]string `json:"vars"`
	Inputs      map[string]any    `json:"inputs"`
	Sets        []string          `json:"sets"`
	Secrets     []secretJSON      `json:"secrets"`
	MaxParallel int               `json:"max_parallel"`
	AutoApprove bool              `json:"auto_approve"`
	Builtins    map[string]string `json:"builtins"`
	// AcceptedRisks are the risk findings --accept-risk accepted.
	AcceptedRisks []string `json:"accepted_risks"`
}

// secretJSON says where one of the run's secrets came from.
type secretJSON struct {
	Name string `json:"name"`
	From string `json:"from"` // flag, file or env
	Path string `json:"path"` // the secrets file, for file
}

// attemptJSON is one attempt of a node, or the record of a node that did
// not run (attempt 0), in `osop runs show`.
type attemptJSON struct {
	Node       string         `json:"node"`
	Type       string         `json:"type"`
	Iteration  int            `json:"iteration"`
	Attempt    int            `json:"attempt"`
	Status     string         `json:"status"`
	StartedAt  *time.Time     `json:"started_at"`
	EndedAt    *time.Time     `json:"ended_at"`
	DurationMS int64          `json:"duration_ms"`
	Code       string         `json:"code"`
	Message    string         `json:"message"`
	Reason     string         `json:"reason"`
	Action     string         `json:"action"`
	Outputs    map[string]any `json:"outputs"`
	Stdout     string         `json:"stdout"`
	Stderr     string         `json:"stderr"`
}

// planJSON is a dry run (`osop run --dry-run --output json`).
type planJSON struct {
	DryRun     bool       `json:"dry_run"`
	WorkflowID string     `json:"workflow_id"`
	Steps      []stepJSON `json:"steps"`
}

type stepJSON struct {
	Node   string `json:"node"`
	Type   string `json:"type"`
	When   string `json:"when"`
	Action string `json:"action"`
	Error  string `json:"error"`
}

func toRunJSON(r *store.Run) runJSON {
	out := runJSON{
		RunID: string(r.ID), WorkflowID: r.WorkflowID, WorkflowName: r.WorkflowName, WorkflowFile: r.WorkflowFile,
		WorkflowHash: r.WorkflowHash, Status: string(r.Status), ExitCode: r.ExitCode, StartedAt: r.StartedAt.UTC(),
		Summary: r.Summary, RecordPath: r.LogPath, Workdir: r.Workdir, ConcurrencyKey: r.ConcurrencyKey, PID: r.PID,
		Simulated: r.Params.Simulated,
		Params: paramsJSON{Vars: r.Params.Vars, Inputs: r.Params.Inputs, Sets: r.Params.Sets,
			Secrets: []secretJSON{}, MaxParallel: r.Params.MaxParallel, AutoApprove: r.Params.AutoApprove,
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
		p.Secrets = append(p.Secrets, secretJSON(src))
	}
	return out
}

func toAttemptJSON(a *store.Attempt) attemptJSON {
	return attemptJSON{
		Node: a.NodeID, Type: a.NodeType, Iteration: a.Iteration, Attempt: a.Attempt, Status: string(a.Status),
		StartedAt: timeOrNull(a.StartedAt), EndedAt: timeOrNull(a.EndedAt), DurationMS: a.DurationMS,
		Code: a.ErrorCode, Message: a.ErrorMessage, Reason: a.Reason, Action: a.Action,
		Outputs: orEmpty(a.Outputs), Stdout: a.Stdout, Stderr: a.Stderr,
	}
}

func toPlanJSON(workflowID string, steps []engine.Step, mask func(string) string) planJSON {
	out := planJSON{DryRun: true, WorkflowID: workflowID, Steps: make([]stepJSON, len(steps))}
	for i, s := range steps {
		out.Steps[i] = stepJSON{Node: s.Node, Type: s.Type, When: s.When, Action: s.Action, Error: mask(s.Err)}
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
