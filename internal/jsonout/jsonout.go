// Package jsonout holds the JSON documents osop gives programs, described
// in docs/json.md: what `--output json` and `validate --format json` print
// and what the MCP tools answer. Both the CLI and the MCP server use these
// types, so a tool and the command of the same name have one shape.
//
// Keys osop chooses are snake_case and a thing has the same name
// everywhere; keys that are names a user chose (variables, inputs,
// outputs) are kept as written. Every key is present in every object;
// what is not known is null.
package jsonout

import (
	"time"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/validate"
)

// Run is a recorded run, in `osop runs` and `osop runs show`.
type Run struct {
	RunID          string     `json:"run_id"`
	WorkflowID     string     `json:"workflow_id"`
	WorkflowName   string     `json:"workflow_name"`
	WorkflowFile   string     `json:"workflow_file"`
	WorkflowHash   string     `json:"workflow_hash" jsonschema:"the sha256: digest of the file that ran"`
	Status         string     `json:"status"`
	ExitCode       *int       `json:"exit_code" jsonschema:"null while the run goes on"`
	StartedAt      time.Time  `json:"started_at"`
	EndedAt        *time.Time `json:"ended_at"`
	DurationMS     *int64     `json:"duration_ms"`
	Summary        string     `json:"summary" jsonschema:"the final line's words: completed, failed: …"`
	RecordPath     string     `json:"record_path" jsonschema:"the execution record (.osoplog.yaml)"`
	Workdir        string     `json:"workdir"`
	ConcurrencyKey string     `json:"concurrency_key"`
	PID            int        `json:"pid" jsonschema:"the osop process running it; 0 when none is"`
	// Simulated marks a run in which nothing real ran (--simulate).
	Simulated bool   `json:"simulated"`
	Params    Params `json:"params"`
}

// Params is how a run was started; no secret value is in it.
type Params struct {
	Vars        map[string]string `json:"vars"`
	Inputs      map[string]any    `json:"inputs"`
	Sets        []string          `json:"sets"`
	Secrets     []Secret          `json:"secrets"`
	MaxParallel int               `json:"max_parallel"`
	AutoApprove bool              `json:"auto_approve"`
	Builtins    map[string]string `json:"builtins"`
	// AcceptedRisks are the risk findings --accept-risk accepted.
	AcceptedRisks []string `json:"accepted_risks"`
}

// Secret says where one of the run's secrets came from.
type Secret struct {
	Name string `json:"name"`
	From string `json:"from" jsonschema:"flag, file or env"`
	Path string `json:"path" jsonschema:"the secrets file, for file"`
}

// Attempt is one attempt of a node, or the record of a node that did not
// run (attempt 0).
type Attempt struct {
	Node       string         `json:"node"`
	Type       string         `json:"type"`
	Iteration  int            `json:"iteration"`
	Attempt    int            `json:"attempt"`
	Status     string         `json:"status"`
	StartedAt  *time.Time     `json:"started_at"`
	EndedAt    *time.Time     `json:"ended_at"`
	DurationMS int64          `json:"duration_ms"`
	Code       string         `json:"code" jsonschema:"the error's stable code, empty when none"`
	Message    string         `json:"message" jsonschema:"the error, empty when none"`
	Reason     string         `json:"reason" jsonschema:"why a node did not run"`
	Action     string         `json:"action"`
	Outputs    map[string]any `json:"outputs"`
	Stdout     string         `json:"stdout"`
	Stderr     string         `json:"stderr"`
}

// RunShow is one run and its attempts (`osop runs show RUN`).
type RunShow struct {
	Run      Run       `json:"run"`
	Attempts []Attempt `json:"attempts"`
	// Waiting are the nodes the run waits on for a decision, sorted.
	Waiting []string `json:"waiting" jsonschema:"nodes waiting for a decision (osop approve, or the approve tool)"`
}

// Plan is a dry run (`osop run --dry-run --output json`).
type Plan struct {
	DryRun     bool   `json:"dry_run"`
	WorkflowID string `json:"workflow_id"`
	Steps      []Step `json:"steps" jsonschema:"each node, in execution order"`
}

// Step is one node of a dry run.
type Step struct {
	Node   string `json:"node"`
	Type   string `json:"type"`
	When   string `json:"when" jsonschema:"when it runs, in words; empty: always"`
	Action string `json:"action" jsonschema:"what it would run, templates resolved, secrets masked"`
	Error  string `json:"error" jsonschema:"why the action cannot be shown"`
}

// Validation is `osop validate --format json`.
type Validation struct {
	Valid bool         `json:"valid"`
	Files []FileReport `json:"files"`
}

// FileReport is what validation found in one file.
type FileReport struct {
	File        string           `json:"file"`
	Kind        string           `json:"kind" jsonschema:"workflow, osoplog or sop"`
	Valid       bool             `json:"valid"`
	ID          string           `json:"id,omitempty"`
	Name        string           `json:"name,omitempty"`
	Nodes       int              `json:"nodes"`
	Edges       int              `json:"edges"`
	Level       *validate.Level  `json:"conformance,omitempty" jsonschema:"for workflows: the highest conformance level met, its name, and what it lacks for the next"`
	Errors      int              `json:"errors"`
	Warnings    int              `json:"warnings"`
	Diagnostics diag.Diagnostics `json:"diagnostics"`
}
