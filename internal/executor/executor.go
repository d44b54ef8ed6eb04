// Package executor defines how osop runs one node: the [Executor]
// interface, the [Registry] of executors by node type, and the
// [Request]/[Result] they exchange with the engine.
//
// Lifecycle of an executor, for each node attempt:
//
//  1. New: a fresh value from the registry, with no side effects.
//  2. Check (optional, [Checker]): the node's runtime configuration is
//     checked; `osop validate` runs this too.
//  3. Describe (optional, [Describer]): for --dry-run, the exact action
//     (argv, URL, files) with templates resolved where they can be.
//  4. Execute, once per attempt. Writes only to req.Stdout and req.Stderr.
//
// Executors never import engine, store or server.
package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/run"
)

// Executor runs one attempt of one node.
type Executor interface {
	Execute(ctx context.Context, req *Request) (*Result, error)
}

// Checker is implemented by executors that can check a node's runtime
// configuration before anything runs.
type Checker interface {
	Check(node NodeConfig) []Problem
}

// OutputDeclarer is implemented by executors whose nodes have outputs
// the workflow need not declare (a db node's rows, row_count and
// rows_affected). Validation and template lookup ({{rows}}) know them as
// if they were declared.
type OutputDeclarer interface {
	ImplicitOutputs() []string
}

// Describer is implemented by executors that can say exactly what they
// would run, for --dry-run.
type Describer interface {
	Describe(req *Request) (string, error)
}

// NodeConfig is what an executor sees of a node when checking it.
type NodeConfig struct {
	ID   string
	Type string
	// Subtype is the node's subtype (router, github-actions, pr, …), or "".
	Subtype string
	Runtime map[string]any
	Outputs []string
	// MCPServers are the workflow's mcp_servers declarations, by name.
	MCPServers map[string]any
	// Purpose and Approval (an approval gate is set) tell a human node
	// that asks a decision from one that describes work.
	Purpose  string
	Approval bool
	// Decides is set when a condition leaving the node reads what a
	// decision gives (approved, decision).
	Decides bool
}

// Problem is a configuration problem at a field path such as
// ["runtime", "method"].
type Problem struct {
	Path     []string
	Severity diag.Severity
	Summary  string
	Detail   string
	// Token, when set, is the text the problem is about (a placeholder in
	// a command), found at byte Offset of the string at Path, so the
	// diagnostic can point at it rather than at the whole field.
	Token  string
	Offset int
}

// Request is everything an executor needs for one attempt.
type Request struct {
	RunID     run.ID
	NodeID    string
	NodeType  string
	Purpose   string
	Attempt   int
	Iteration int
	// Runtime is the node's runtime map as written: templates are not yet
	// expanded. Use Expand or ExpandShell on each string that is used.
	Runtime map[string]any
	// Inputs are the values of the node's declared inputs.
	Inputs map[string]any
	// Outputs lists the node's declared output names, in order.
	Outputs []string
	Timeout time.Duration
	Workdir string
	// TempDir is a private directory for this run's scratch files (the
	// $OSOP_OUTPUT file, say); the engine removes it when the run ends.
	TempDir string
	// ArtifactDir is where a node keeps files that outlive the run
	// (rendered manifests, plans); empty means TempDir.
	ArtifactDir string
	// Security is the node's security block (credentials_source, …).
	Security map[string]any
	// Env is the environment for processes the node starts.
	Env []string
	// Expand resolves {{…}} and ${…} references in s.
	Expand func(s string) (string, error)
	// ExpandEach is Expand with each value passed through place (with
	// the byte offset of its reference in s) before it is inserted: a
	// URL or a JSON text quotes each value for where it stands. It may
	// be nil (a Request built by hand): then ExpandURL uses Expand.
	ExpandEach func(s string, place func(offset int, value string) (string, error)) (string, error)
	// PrepareShell prepares a shell command for the shell program named
	// by shell ("" means bash): template values are kept out of the
	// command's text and passed in the environment, each referenced for
	// where it stands, or the command is refused (see
	// template.Shell). With runtime.raw, values are inserted as they are
	// and Env is empty. It may be nil (a Request built by hand): then use
	// ExpandShell.
	PrepareShell func(s, shell string) (ShellCommand, error)
	// ExpandShell is PrepareShell for callers that can pass only one
	// command string to a bash or POSIX shell: the value assignments,
	// single-quoted, then the command (template.ShellCommand.Inline).
	ExpandShell func(s string) (string, error)
	// Mask hides secret values in text meant for people.
	Mask   func(s string) string
	Stdout io.Writer
	Stderr io.Writer
	// Eval evaluates a CEL expression in the run's context, for data
	// transforms.
	Eval func(expr string) (any, error)
	// WaitSignal blocks until a signal of that name is delivered to the
	// run (`osop signal RUN NAME`), and returns its data.
	WaitSignal func(ctx context.Context, name string) (map[string]any, error)
	// Approver decides approvals for human nodes.
	Approver Approver
	// AllowPrompt is false when no person can answer on this terminal.
	AllowPrompt bool

	// Node is the node as written, templates not expanded, for executors
	// that read more of it than its runtime (an agent reads explain,
	// success_criteria and handoff).
	Node map[string]any
	// OutputSpecs describe the declared outputs, in the order of Outputs.
	OutputSpecs []OutputSpec
	// MCPServers are the workflow's mcp_servers declarations, by name.
	MCPServers map[string]any
	// Note shows one line of progress live (an agent's tool call, say);
	// nil when nobody listens.
	Note func(msg string)
}

// OutputSpec is a declared output: its name and, where the file gives
// them, its JSON type, description and allowed values.
type OutputSpec struct {
	Name        string
	Type        string
	Description string
	Enum        []any
}

// ShellCommand is a shell command ready to run: Script with Env added to
// the process environment.
type ShellCommand struct {
	// Script is the command as the shell reads it; each template value is
	// a reference to a variable of Env.
	Script string
	// Env binds those variables, NAME=value.
	Env []string
}

// Result is what an attempt produced.
type Result struct {
	Outputs map[string]any
	// Usage is what the attempt spent on models and tools, if anything.
	Usage *run.Usage
	// Skipped, when set, says the step was not done, and why (a person
	// skipped a manual step): the node ends SKIPPED, its declared outputs
	// are not required, and the run goes on past it.
	Skipped string
}

// Error is a failed attempt, classified for retries, error edges and the
// log. Outputs may hold what the attempt produced before it failed (an
// HTTP response, say), so conditions can still read it.
type Error struct {
	Code      string
	Message   string
	Retryable bool
	Outputs   map[string]any
	Err       error
	// Usage is what the attempt spent before it failed (a model's tokens).
	Usage *run.Usage
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a classified error.
func Errorf(code string, retryable bool, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Retryable: retryable, Err: errors.Unwrap(err)}
}

// Classify returns the code and retryability of any error: an *Error's
// own, a deadline's TIMEOUT, a cancellation's CANCELLED.
func Classify(err error) (code string, retryable bool) {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Code, e.Retryable
	case errors.Is(err, context.DeadlineExceeded):
		return run.CodeTimeout, true
	case errors.Is(err, context.Canceled):
		return run.CodeCancelled, false
	}
	return run.CodeUnclassified, true
}

// IsTimeout reports whether err, or an error it wraps, says it is a
// timeout: the engine's TimeoutError (a context's cause), a network
// timeout.
func IsTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// StopReason says in words why ctx ended, for an attempt it cut short:
// "the run was cancelled" for a plain cancellation (Ctrl-C, the server
// stopping), else the cause (a node's timeout).
func StopReason(ctx context.Context) string {
	cause := context.Cause(ctx)
	if cause == nil || errors.Is(cause, context.Canceled) {
		return "the run was cancelled"
	}
	return cause.Error()
}

// Stopped classifies why ctx ended, for an attempt it cut short: TIMEOUT
// (retryable) when a node or workflow limit ran out, CANCELLED otherwise.
func Stopped(ctx context.Context) (code string, retryable bool) {
	if IsTimeout(context.Cause(ctx)) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return run.CodeTimeout, true
	}
	return run.CodeCancelled, false
}

// Info registers an executor for a node type.
type Info struct {
	Type string
	New  func() Executor
}

// Registry maps node types to executors.
type Registry struct {
	infos map[string]Info
	// manual runs the nodes no executor accepts ([Registry.SetManual]).
	manual *Info
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{infos: map[string]Info{}} }

// Register adds an executor. It panics on an empty or duplicate type: both
// are programming errors.
func (r *Registry) Register(info Info) {
	if info.Type == "" || info.New == nil {
		panic("executor: Register needs a type and a constructor")
	}
	if _, dup := r.infos[info.Type]; dup {
		panic("executor: type registered twice: " + info.Type)
	}
	r.infos[info.Type] = info
}

// New returns a fresh executor for a node type.
func (r *Registry) New(nodeType string) (Executor, bool) {
	info, ok := r.infos[nodeType]
	if !ok {
		return nil, false
	}
	return info.New(), true
}

// Types returns the registered types, sorted.
func (r *Registry) Types() []string {
	out := make([]string, 0, len(r.infos))
	for t := range r.infos {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// ImplicitOutputs returns the outputs the executor for nodeType sets
// without a declaration; none for an unknown type or a nil registry.
func (r *Registry) ImplicitOutputs(nodeType string) []string {
	if r == nil {
		return nil
	}
	if e, ok := r.New(nodeType); ok {
		if d, ok := e.(OutputDeclarer); ok {
			return d.ImplicitOutputs()
		}
	}
	return nil
}

// Check runs the registered executor's configuration check on a node, if
// it has one.
func (r *Registry) Check(n NodeConfig) []Problem {
	// A node its executor declines is checked by that executor, which
	// says why in an info note; other manual steps get the note here.
	if r.Manual(n) && !r.declines(n) {
		return []Problem{{Path: []string{"type"}, Severity: diag.Info,
			Summary: "manual step: nothing here for a machine to run, so osop run asks a person to do it",
			Detail: "The operator is shown the step and answers done, failed or skip (at the terminal, with --answers FILE, " +
				"or with osop complete RUN " + n.ID + " under --manual=wait); --manual=fail fails it instead."}}
	}
	e, ok := r.New(n.Type)
	if !ok {
		return nil
	}
	if c, ok := e.(Checker); ok {
		return c.Check(n)
	}
	return nil
}

// declines reports whether n's executor declines it, with a reason its
// Check gives.
func (r *Registry) declines(n NodeConfig) bool {
	e, ok := r.New(n.Type)
	if !ok {
		return false
	}
	d, ok := e.(Decliner)
	return ok && d.Decline(n) != ""
}
