package mcpserver

import (
	"time"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/run"
)

// The tools' inputs and outputs. Their JSON Schemas, which clients see in
// tools/list, are inferred from these types: the jsonschema tags are the
// descriptions.

// ValidateInput names what to validate: files (or directories) under the
// workdir, or a workflow's text.
type ValidateInput struct {
	Files   []string `json:"files,omitempty" jsonschema:"workflow (.osop.yaml), record (.osoplog.yaml) or SOP files, or directories searched for them, relative to the server's workdir"`
	Content string   `json:"content,omitempty" jsonschema:"a workflow's YAML or JSON text, checked as if it were a file; use instead of files"`
	Name    string   `json:"name,omitempty" jsonschema:"the file name to report content under (default inline.osop.yaml)"`
	Strict  bool     `json:"strict,omitempty" jsonschema:"warnings make a file invalid too"`
	Schema  string   `json:"schema,omitempty" jsonschema:"schema profile: osop (every dialect, the default), core or full (the published schemas' verdicts)"`
	Verbose bool     `json:"verbose,omitempty" jsonschema:"also return info notes, such as how dialect aliases were read"`
}

// ValidateOutput is each file's verdict and diagnostics.
type ValidateOutput struct {
	Valid bool         `json:"valid"`
	Files []FileReport `json:"files"`
}

// FileReport is what validation found in one file.
type FileReport struct {
	File        string       `json:"file"`
	Kind        string       `json:"kind" jsonschema:"workflow, log or sop"`
	Valid       bool         `json:"valid"`
	ID          string       `json:"id,omitempty"`
	Name        string       `json:"name,omitempty"`
	Nodes       int          `json:"nodes"`
	Edges       int          `json:"edges"`
	Conformance string       `json:"conformance,omitempty" jsonschema:"the inferred conformance level, such as L2 executable"`
	Errors      int          `json:"errors"`
	Warnings    int          `json:"warnings"`
	Diagnostics []Diagnostic `json:"diagnostics"`
}

// Diagnostic is one problem at a position.
type Diagnostic struct {
	Severity string `json:"severity" jsonschema:"error, warning or info"`
	Code     string `json:"code" jsonschema:"the rule id (see the rules tool)"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty" jsonschema:"how to fix it"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
}

// Diagnostics turns diag values into the tools' form.
func Diagnostics(ds diag.Diagnostics) []Diagnostic {
	out := make([]Diagnostic, 0, len(ds))
	for _, d := range ds {
		out = append(out, Diagnostic{Severity: d.Severity.String(), Code: d.Code, Summary: d.Summary, Detail: d.Detail,
			File: d.Subject.File, Line: d.Subject.Start.Line, Column: d.Subject.Start.Column})
	}
	return out
}

// RenderInput is what to draw, and how.
type RenderInput struct {
	File    string `json:"file,omitempty" jsonschema:"a workflow file, relative to the server's workdir"`
	Content string `json:"content,omitempty" jsonschema:"a workflow's YAML or JSON text; use instead of file"`
	Format  string `json:"format,omitempty" jsonschema:"mermaid (default), svg, ascii, story, agent, dot or html"`
}

// RenderOutput is the drawing as text.
type RenderOutput struct {
	Format   string   `json:"format"`
	Text     string   `json:"text"`
	Warnings []string `json:"warnings,omitempty"`
}

// RunInput starts a workflow.
type RunInput struct {
	File        string            `json:"file" jsonschema:"the workflow file, relative to the server's workdir"`
	Inputs      map[string]any    `json:"inputs,omitempty" jsonschema:"workflow inputs, NAME: VALUE, typed and checked against the declared inputs as --input is"`
	Vars        map[string]string `json:"vars,omitempty" jsonschema:"template variables, NAME: VALUE ({{NAME}})"`
	Secrets     map[string]string `json:"secrets,omitempty" jsonschema:"secrets, NAME: VALUE; masked as *** in everything osop writes"`
	Set         []string          `json:"set,omitempty" jsonschema:"field overrides, PATH=VALUE, such as nodes.push.runtime.registry=127.0.0.1:5000"`
	DryRun      bool              `json:"dry_run,omitempty" jsonschema:"run nothing: return what each node would run, in order (allowed without --allow-run)"`
	AutoApprove bool              `json:"auto_approve,omitempty" jsonschema:"approve every human node and approval gate"`
	RunID       string            `json:"run_id,omitempty" jsonschema:"use this run id instead of a generated one"`
}

// RunOutput says which run started, or what a dry run would do.
type RunOutput struct {
	RunID  string     `json:"run_id,omitempty"`
	Status string     `json:"status" jsonschema:"RUNNING for a started run, DRY_RUN for a plan"`
	Record string     `json:"record,omitempty" jsonschema:"the execution record (.osoplog.yaml) the run writes"`
	Plan   []PlanStep `json:"plan,omitempty"`
}

// PlanStep is one node of a dry run, in execution order.
type PlanStep struct {
	Node   string `json:"node"`
	Type   string `json:"type"`
	When   string `json:"when,omitempty" jsonschema:"when it runs, if not always"`
	Action string `json:"action,omitempty" jsonschema:"what it would run, templates resolved, secrets masked"`
	Error  string `json:"error,omitempty" jsonschema:"why the action cannot be shown"`
}

// RunRef names a run.
type RunRef struct {
	RunID string `json:"run_id" jsonschema:"a run id, or a unique prefix of one"`
}

// RunInfo is a recorded run.
type RunInfo struct {
	RunID      string     `json:"run_id"`
	WorkflowID string     `json:"workflow_id"`
	Workflow   string     `json:"workflow_name,omitempty"`
	File       string     `json:"file,omitempty"`
	Status     string     `json:"status"`
	ExitCode   *int       `json:"exit_code,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	Summary    string     `json:"summary,omitempty"`
	Record     string     `json:"record,omitempty"`
}

// RunStatusOutput is a run and the state of its node attempts.
type RunStatusOutput struct {
	Run      RunInfo       `json:"run"`
	Attempts []AttemptInfo `json:"attempts"`
	Waiting  []string      `json:"waiting,omitempty" jsonschema:"nodes waiting for a decision: approve them with the approve tool"`
}

// AttemptInfo is one attempt of one node, or a node that did not run
// (attempt 0).
type AttemptInfo struct {
	Node       string         `json:"node"`
	Type       string         `json:"type,omitempty"`
	Iteration  int            `json:"iteration,omitempty"`
	Attempt    int            `json:"attempt"`
	Status     string         `json:"status"`
	DurationMS int64          `json:"duration_ms,omitempty"`
	ErrorCode  string         `json:"error_code,omitempty"`
	Error      string         `json:"error,omitempty"`
	Reason     string         `json:"reason,omitempty"`
	Action     string         `json:"action,omitempty"`
	Outputs    map[string]any `json:"outputs,omitempty"`
}

// RunEventsInput asks for a run's events after a cursor.
type RunEventsInput struct {
	RunID string `json:"run_id"`
	After int    `json:"after,omitempty" jsonschema:"return events after this many (the next cursor of the previous call)"`
	Limit int    `json:"limit,omitempty" jsonschema:"at most this many events (default 500)"`
}

// RunEventsOutput is a page of a run's events.
type RunEventsOutput struct {
	RunID  string      `json:"run_id"`
	Live   bool        `json:"live" jsonschema:"true for a run this server started: every event, as osop run --output json prints it; false for another run: one event per recorded attempt"`
	Done   bool        `json:"done" jsonschema:"the run has ended and no events follow"`
	Next   int         `json:"next" jsonschema:"pass as after to get the events that follow"`
	Events []run.Event `json:"events"`
}

// RunsInput filters the list of runs.
type RunsInput struct {
	Workflow string `json:"workflow,omitempty" jsonschema:"only runs of this workflow id"`
	Status   string `json:"status,omitempty" jsonschema:"only runs with this status: COMPLETED, FAILED, RUNNING, …"`
	Limit    int    `json:"limit,omitempty" jsonschema:"at most this many (default 50)"`
}

// RunsOutput lists runs, newest first.
type RunsOutput struct {
	Runs []RunInfo `json:"runs"`
}

// LogsInput names a run and, optionally, one node.
type LogsInput struct {
	RunID string `json:"run_id"`
	Node  string `json:"node,omitempty" jsonschema:"only this node's attempts"`
}

// LogsOutput is what each attempt printed, masked.
type LogsOutput struct {
	RunID    string     `json:"run_id"`
	Attempts []LogEntry `json:"attempts"`
}

// LogEntry is one attempt's output.
type LogEntry struct {
	Node      string `json:"node"`
	Attempt   int    `json:"attempt"`
	Iteration int    `json:"iteration,omitempty"`
	Status    string `json:"status"`
	Action    string `json:"action,omitempty"`
	Stdout    string `json:"stdout,omitempty"`
	Stderr    string `json:"stderr,omitempty"`
	Error     string `json:"error,omitempty"`
}

// ApproveInput answers a human node or approval gate a run waits on.
type ApproveInput struct {
	RunID   string `json:"run_id"`
	Node    string `json:"node"`
	Reject  bool   `json:"reject,omitempty" jsonschema:"reject instead of approving"`
	Choice  string `json:"choice,omitempty" jsonschema:"one of the node's options, when it has more than approve/reject"`
	Comment string `json:"comment,omitempty"`
}

// ApproveOutput is the decision recorded.
type ApproveOutput struct {
	RunID    string `json:"run_id"`
	Node     string `json:"node"`
	Decision string `json:"decision"`
}

// SchemaInput names an embedded schema.
type SchemaInput struct {
	Name string `json:"name,omitempty" jsonschema:"osop (default), core, full, osoplog or sop"`
}

// SchemaOutput is a JSON Schema.
type SchemaOutput struct {
	Name   string         `json:"name"`
	Schema map[string]any `json:"schema"`
}

// RulesOutput lists the diagnostic rules.
type RulesOutput struct {
	Rules []Rule `json:"rules"`
}

// Rule is one diagnostic rule.
type Rule struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
}
