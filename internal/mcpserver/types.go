package mcpserver

import (
	"github.com/osopdev/osop/internal/jsonout"
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

// ValidateOutput is each file's verdict and diagnostics, as osop
// validate --format json prints them.
type ValidateOutput = jsonout.Validation

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
	Simulate    bool              `json:"simulate,omitempty" jsonschema:"run nothing real: every node completes with outputs made from its declarations, or takes the scenario's outcome (osop run --simulate; allowed without --allow-run)"`
	Scenario    string            `json:"scenario,omitempty" jsonschema:"with simulate: a scenario file, relative to the server's workdir (osop run --scenario)"`
	AcceptRisk  []string          `json:"accept_risk,omitempty" jsonschema:"risk findings to accept for a workflow osop risk calls dangerous: RULE or RULE:NODE (osop run --accept-risk; recorded in the run)"`
	Manual      string            `json:"manual,omitempty" jsonschema:"manual steps: wait (the default: the run waits for the complete tool) or fail (every manual step fails at once)"`
}

// RunOutput says which run started, or what a dry run would do: then
// dry_run, workflow_id and steps are osop run --dry-run --output json's.
type RunOutput struct {
	RunID  string `json:"run_id" jsonschema:"the run started; empty for a dry run"`
	Status string `json:"status" jsonschema:"RUNNING for a started run, DRY_RUN for a plan"`
	Record string `json:"record_path" jsonschema:"the execution record (.osoplog.yaml) the run writes"`
	jsonout.Plan
}

// RunRef names a run.
type RunRef struct {
	RunID string `json:"run_id" jsonschema:"a run id, or a unique prefix of one"`
}

// RunStatusOutput is a run, its node attempts and the nodes waiting for a
// decision, as osop runs show RUN --output json prints them.
type RunStatusOutput = jsonout.RunShow

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

// RunsOutput lists runs, newest first, as osop runs --output json
// prints them (a tool's answer is an object, so the list is under runs).
type RunsOutput struct {
	Runs []jsonout.Run `json:"runs"`
}

// LogsInput names a run and, optionally, one node.
type LogsInput struct {
	RunID string `json:"run_id"`
	Node  string `json:"node,omitempty" jsonschema:"only this node's attempts"`
}

// LogsOutput is what each attempt ran and printed, masked: the attempts
// of osop runs show, without the nodes that did not run.
type LogsOutput struct {
	RunID    string            `json:"run_id"`
	Attempts []jsonout.Attempt `json:"attempts"`
}

// ApproveInput answers a human node or approval gate a run waits on.
type ApproveInput struct {
	RunID   string            `json:"run_id"`
	Node    string            `json:"node"`
	Reject  bool              `json:"reject,omitempty" jsonschema:"reject instead of approving"`
	Choice  string            `json:"choice,omitempty" jsonschema:"one of the node's options, when it has more than approve/reject"`
	Comment string            `json:"comment,omitempty"`
	Outputs map[string]string `json:"outputs,omitempty" jsonschema:"a value for each output the node declares, NAME: VALUE (osop approve --output NAME=VALUE)"`
}

// CompleteInput answers a manual step (a node that says what to do, not
// how) that a run waits on.
type CompleteInput struct {
	RunID   string            `json:"run_id"`
	Node    string            `json:"node"`
	Failed  string            `json:"failed,omitempty" jsonschema:"the step failed, for this reason (its failure paths apply)"`
	Skip    bool              `json:"skip,omitempty" jsonschema:"the step was not done; the run goes on past it"`
	Reason  string            `json:"reason,omitempty" jsonschema:"why it was skipped"`
	Outputs map[string]string `json:"outputs,omitempty" jsonschema:"a value for each output the step declares, NAME: VALUE (osop complete --output NAME=VALUE)"`
}

// CompleteOutput is the answer recorded.
type CompleteOutput struct {
	RunID  string `json:"run_id"`
	Node   string `json:"node"`
	Answer string `json:"answer" jsonschema:"done, failed or skip"`
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
