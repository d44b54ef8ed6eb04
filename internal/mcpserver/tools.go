package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/osopdev/osop/internal/diag"
)

// ErrRunNotAllowed is the answer of state-changing tools when the server
// was started without --allow-run.
var ErrRunNotAllowed = errors.New("running is off: this osop mcp server was started without --allow-run, so it does not start runs or answer approvals and manual steps (a dry run, dry_run: true, and a simulation, simulate: true, work)")

// maxValidated bounds the files one validate call reads from directories.
const maxValidated = 5000

// Tools lists the server's tools in the order they are registered.
var Tools = []string{"validate", "render", "run", "run_status", "run_events", "logs", "runs", "approve", "complete", "schema", "rules"}

func readOnly(title string) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{Title: title, ReadOnlyHint: true, OpenWorldHint: new(false)}
}

// outputSchema is T's JSON Schema as the SDK would infer it, except for
// types that marshal to another kind than their Go one: a diagnostic's
// severity is an int in Go and a word in JSON.
func outputSchema[T any]() *jsonschema.Schema {
	sc, err := jsonschema.For[T](&jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{
		reflect.TypeFor[diag.Severity](): {Type: "string", Enum: []any{"error", "warning", "info"}},
	}})
	if err != nil {
		panic(fmt.Sprintf("mcpserver: output schema of %T: %v", *new(T), err)) // a programming error, found by every test
	}
	return sc
}

func (s *Server) addTools() {
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "validate", Annotations: readOnly("Validate workflows"), OutputSchema: outputSchema[ValidateOutput](),
		Description: "Check OSOP workflows, execution records or SOP documents: structure against the JSON Schemas, meaning against osop's rules (ids, edges, CEL conditions, template references, data flow, cycles, runtime settings). Returns each file's verdict, its conformance level and every diagnostic with its position and how to fix it. Same as `osop validate --format json`."},
		s.validate)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "render", Annotations: readOnly("Draw a workflow"),
		Description: "Draw a workflow as a Mermaid flowchart (default), SVG, an ASCII picture, a story (numbered steps for a person), agent instructions (ordered steps for an AI agent), Graphviz DOT or a self-contained HTML page. Same as `osop render`."},
		s.render)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "run", Annotations: &mcp.ToolAnnotations{Title: "Run a workflow", OpenWorldHint: new(true)},
		Description: "Start running a workflow for real and return its run id at once; follow it with run_status, run_events and logs, and answer human steps with approve. The run is recorded as `osop run` records it. With dry_run: true nothing runs and the plan (each node's resolved command, request or query, in order) is returned. Needs a server started with --allow-run, except for dry runs."},
		s.run)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "run_status", Annotations: readOnly("A run's status"),
		Description: "A run's status, exit code and summary, and every node attempt with its status, outputs and error; the nodes waiting for a decision. Same as `osop runs show RUN --output json`."},
		s.runStatus)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "run_events", Annotations: readOnly("A run's events"),
		Description: "A run's events after a cursor, for following it: node started, retrying, waiting, finished, skipped, run finished. Pass the returned next as after to continue."},
		s.runEvents)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "logs", Annotations: readOnly("What nodes printed"),
		Description: "What a run's nodes ran and printed (stdout and stderr, secrets masked), attempt by attempt. Same as `osop logs RUN [NODE]`."},
		s.logs)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "runs", Annotations: readOnly("Recorded runs"),
		Description: "The recorded runs in the workdir, newest first, filtered by workflow id or status. Same as `osop runs`."},
		s.runs)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "approve", Annotations: &mcp.ToolAnnotations{Title: "Answer a waiting step", OpenWorldHint: new(false)},
		Description: "Approve (or reject) a human node or approval gate that a run is waiting on; the run goes on. Same as `osop approve RUN NODE`. Needs --allow-run."},
		s.approve)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "complete", Annotations: &mcp.ToolAnnotations{Title: "Answer a manual step", OpenWorldHint: new(false)},
		Description: "Say how a manual step a run waits on went: done (with the outputs it declares), failed (with a reason) or skipped; the run goes on. Same as `osop complete RUN NODE`. Needs --allow-run."},
		s.complete)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "schema", Annotations: readOnly("A JSON Schema"),
		Description: "One of the JSON Schemas osop validates with: osop (every dialect, the default), core or full (the published OSOP schemas), osoplog (execution records) or sop (SOP documents). Same as `osop schema NAME --json`."},
		s.schema)
	mcp.AddTool(s.mcp, &mcp.Tool{Name: "rules", Annotations: readOnly("Diagnostic rules"),
		Description: "The ids of the diagnostics validate reports, with what each checks. Same as `osop rules`."},
		s.rules)
}

func (s *Server) validate(ctx context.Context, _ *mcp.CallToolRequest, in ValidateInput) (*mcp.CallToolResult, *ValidateOutput, error) {
	if (len(in.Files) == 0) == (in.Content == "") {
		return nil, nil, errors.New("give files (paths under the workdir) or content (a workflow's text), not both")
	}
	var files []string
	for _, f := range in.Files {
		p, err := s.resolve(f)
		if err != nil {
			return nil, nil, err
		}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			found := s.osopFiles(p, maxValidated)
			if len(found) == 0 {
				return nil, nil, fmt.Errorf("no OSOP files under %s", f)
			}
			files = append(files, found...)
			continue
		}
		files = append(files, p)
	}
	in.Files = files
	out, err := s.opts.Ops.Validate(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	for i := range out.Files {
		f := &out.Files[i]
		f.File = s.rel(f.File)
		for _, d := range f.Diagnostics {
			d.Subject.File = s.rel(d.Subject.File)
			if d.Context != nil {
				d.Context.File = s.rel(d.Context.File)
			}
		}
	}
	return nil, out, nil
}

func (s *Server) render(ctx context.Context, _ *mcp.CallToolRequest, in RenderInput) (*mcp.CallToolResult, *RenderOutput, error) {
	if (in.File == "") == (in.Content == "") {
		return nil, nil, errors.New("give file (a path under the workdir) or content (a workflow's text), not both")
	}
	if in.File != "" {
		p, err := s.resolve(in.File)
		if err != nil {
			return nil, nil, err
		}
		in.File = p
	}
	if in.Format == "" {
		in.Format = "mermaid"
	}
	out, err := s.opts.Ops.Render(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	// The drawing itself is the content a model reads; the structured
	// output carries it too.
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: out.Text}}}, out, nil
}

func (s *Server) runStatus(ctx context.Context, _ *mcp.CallToolRequest, in RunRef) (*mcp.CallToolResult, *RunStatusOutput, error) {
	out, err := s.opts.Ops.RunStatus(ctx, in)
	return nil, out, err
}

func (s *Server) logs(ctx context.Context, _ *mcp.CallToolRequest, in LogsInput) (*mcp.CallToolResult, *LogsOutput, error) {
	out, err := s.opts.Ops.Logs(ctx, in)
	return nil, out, err
}

func (s *Server) runs(ctx context.Context, _ *mcp.CallToolRequest, in RunsInput) (*mcp.CallToolResult, *RunsOutput, error) {
	out, err := s.opts.Ops.Runs(ctx, in)
	return nil, out, err
}

func (s *Server) approve(ctx context.Context, _ *mcp.CallToolRequest, in ApproveInput) (*mcp.CallToolResult, *ApproveOutput, error) {
	if !s.opts.AllowRun {
		return nil, nil, ErrRunNotAllowed
	}
	out, err := s.opts.Ops.Approve(ctx, in)
	return nil, out, err
}

func (s *Server) complete(ctx context.Context, _ *mcp.CallToolRequest, in CompleteInput) (*mcp.CallToolResult, *CompleteOutput, error) {
	if !s.opts.AllowRun {
		return nil, nil, ErrRunNotAllowed
	}
	out, err := s.opts.Ops.Complete(ctx, in)
	return nil, out, err
}

func (s *Server) schema(ctx context.Context, _ *mcp.CallToolRequest, in SchemaInput) (*mcp.CallToolResult, *SchemaOutput, error) {
	out, err := s.opts.Ops.Schema(ctx, in)
	return nil, out, err
}

func (s *Server) rules(ctx context.Context, _ *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, *RulesOutput, error) {
	out, err := s.opts.Ops.Rules(ctx)
	return nil, out, err
}
