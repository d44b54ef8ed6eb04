package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/osopdev/osop/internal/jsonout"
	"github.com/osopdev/osop/internal/mcpserver"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/store"
)

// The MCP tests drive `osop mcp` in its own process (the osop command on
// $PATH that testscript.Main installs: the CLI's Main) with the SDK's own
// client.

const mcpFlow = `osop_version: "1.0"
id: mcpflow
name: MCP flow
inputs:
  - name: who
    type: string
nodes:
  - id: greet
    type: cli
    purpose: Say hello
    runtime:
      command: 'echo "hello ${inputs.who} token=${secrets.TOKEN}"; echo greeting=hi >> "$OSOP_OUTPUT"'
    outputs: [greeting]
  - id: gate
    type: human
    purpose: Approve the release
  - id: store
    type: db
    purpose: Keep it
    runtime:
      connection: sqlite://mcp.db
      statements:
        - CREATE TABLE IF NOT EXISTS seen (who TEXT)
        - INSERT INTO seen VALUES (:who)
    inputs: [who]
edges:
  - {from: greet, to: gate}
  - {from: gate, to: store}
`

const mcpBad = `osop_version: "1.0"
id: bad
name: Bad
nodes:
  - id: a
    type: clii
    purpose: typo
`

func mcpWorkdir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"flow.osop.yaml": mcpFlow, "sub/bad.osop.yaml": mcpBad} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(t.TempDir(), "secret.osop.yaml")
	if err := os.WriteFile(outside, []byte(mcpBad), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link.osop.yaml")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// stdioSession starts osop mcp ARGS in dir and connects the SDK client.
func stdioSession(t *testing.T, dir string, args ...string) *mcp.ClientSession {
	t.Helper()
	cmd := exec.Command("osop", append([]string{"mcp"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	c := mcp.NewClient(&mcp.Implementation{Name: "osop-test", Version: "1"}, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	s, err := c.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connecting to osop mcp: %v", err)
	}
	t.Cleanup(func() {
		_ = s.Close() // closes osop's stdin and waits for it to exit
		if t.Failed() {
			t.Logf("osop mcp stderr:\n%s", stderr.String())
		}
		if strings.Contains(stderr.String(), "DATA RACE") || strings.Contains(stderr.String(), "panic") {
			t.Errorf("osop mcp said:\n%s", stderr.String())
		}
	})
	return s
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// call calls a tool and decodes its structured output into out. It fails
// the test on a protocol error; a tool error is returned.
func call(t *testing.T, s *mcp.ClientSession, tool string, args any, out any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	if res.IsError && out != nil {
		t.Logf("%s: tool error: %s", tool, text(res))
	}
	if !res.IsError && out != nil {
		b, _ := json.Marshal(res.StructuredContent)
		reflect.ValueOf(out).Elem().SetZero() // what an answer leaves out is not left over from the last
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: structured output %s: %v", tool, b, err)
		}
	}
	return res
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// wantToolError checks that a call failed as a tool error saying want.
func wantToolError(t *testing.T, res *mcp.CallToolResult, want string) {
	t.Helper()
	if !res.IsError || !strings.Contains(text(res), want) {
		t.Errorf("got error=%v %q, want a tool error saying %q", res.IsError, text(res), want)
	}
}

func TestMCP_tools(t *testing.T) {
	t.Parallel()
	dir := mcpWorkdir(t)
	s := stdioSession(t, dir)
	ctx := t.Context()

	tools, err := s.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
		if tool.InputSchema == nil || tool.OutputSchema == nil || tool.Description == "" {
			t.Errorf("tool %s lacks an input schema, output schema or description", tool.Name)
		}
	}
	if want := slices.Sorted(slices.Values(mcpserver.Tools)); !slices.Equal(slices.Sorted(slices.Values(names)), want) {
		t.Errorf("tools = %v, want %v", names, want)
	}

	var v mcpserver.ValidateOutput
	call(t, s, "validate", map[string]any{"files": []string{"flow.osop.yaml", "sub"}}, &v)
	if v.Valid || len(v.Files) != 2 || v.Files[1].Valid {
		t.Fatalf("validate = %+v", v)
	}
	if f := v.Files[0]; f.File != "flow.osop.yaml" || !f.Valid || f.Nodes != 3 || f.Level == nil || f.Level.Name == "" {
		t.Errorf("flow: %+v", f)
	}
	d := v.Files[1].Diagnostics
	if len(d) == 0 || d[0].Code != "unknown-node-type" || d[0].Subject.File != "sub/bad.osop.yaml" || d[0].Subject.Start.Line != 6 ||
		d[0].Subject.Start.Column != 11 || d[0].Subject.End.Column != 15 || !strings.Contains(d[0].Detail, `"cli"`) {
		t.Errorf("bad: diagnostics %+v", d)
	}
	res := call(t, s, "validate", map[string]any{"files": []string{"flow.osop.yaml", "sub"}}, nil)
	cli := osop(ctx, false, "validate", "--format", "json", filepath.Join(dir, "flow.osop.yaml"), filepath.Join(dir, "sub"))
	sameShape(t, "validate", cli.out, res.StructuredContent)
	call(t, s, "validate", map[string]any{"content": mcpBad, "name": "draft.osop.yaml"}, &v)
	if v.Valid || v.Files[0].File != "draft.osop.yaml" || v.Files[0].Errors != 1 {
		t.Errorf("validate content = %+v", v)
	}
	wantToolError(t, call(t, s, "validate", map[string]any{"files": []string{"../" + filepath.Base(dir) + "/../"}}, nil), "outside the server's workdir")
	wantToolError(t, call(t, s, "validate", map[string]any{"files": []string{"/etc/passwd"}}, nil), "outside the server's workdir")
	wantToolError(t, call(t, s, "validate", map[string]any{"files": []string{"link.osop.yaml"}}, nil), "outside the server's workdir")
	call(t, s, "validate", map[string]any{"files": []string{"."}}, &v) // a directory: the link in it is left out
	if len(v.Files) != 2 || v.Files[0].File != "flow.osop.yaml" || v.Files[1].File != "sub/bad.osop.yaml" {
		t.Errorf("validate . = %+v", v.Files)
	}
	wantToolError(t, call(t, s, "render", map[string]any{"file": "link.osop.yaml"}, nil), "outside the server's workdir")
	wantToolError(t, call(t, s, "run", map[string]any{"file": "link.osop.yaml", "dry_run": true}, nil), "outside the server's workdir")
	wantToolError(t, call(t, s, "validate", map[string]any{}, nil), "give files")

	for format, want := range map[string]string{"mermaid": "flowchart", "ascii": "greet", "story": "Approve the release", "agent": "greet", "svg": "<svg", "dot": "digraph"} {
		var r mcpserver.RenderOutput
		res := call(t, s, "render", map[string]any{"file": "flow.osop.yaml", "format": format}, &r)
		if res.IsError || !strings.Contains(r.Text, want) || text(res) != r.Text {
			t.Errorf("render %s: error=%v %q…, want %q", format, res.IsError, truncate(r.Text, 80), want)
		}
	}
	wantToolError(t, call(t, s, "render", map[string]any{"file": "flow.osop.yaml", "format": "png"}, nil), "png is binary")

	var plan mcpserver.RunOutput
	call(t, s, "run", map[string]any{"file": "flow.osop.yaml", "dry_run": true, "inputs": map[string]any{"who": "ada"}, "secrets": map[string]string{"TOKEN": "s3cr3t-t0ken"}}, &plan)
	if plan.Status != "DRY_RUN" || !plan.DryRun || plan.WorkflowID != "mcpflow" || len(plan.Steps) != 3 ||
		!strings.Contains(plan.Steps[0].Action, "OSOP_V_inputs_who=ada OSOP_V_secrets_TOKEN='***'") ||
		!strings.Contains(plan.Steps[2].Action, `INSERT INTO seen VALUES (?1) [?1 = "ada" from :who]`) {
		t.Errorf("dry run = %+v", plan)
	}
	res = call(t, s, "run", map[string]any{"file": "flow.osop.yaml", "dry_run": true, "inputs": map[string]any{"who": "ada"}, "secrets": map[string]string{"TOKEN": "tok-123"}}, nil)
	cli = osop(ctx, false, "run", filepath.Join(dir, "flow.osop.yaml"), "--dry-run", "--output", "json", "--input", "who=ada", "--secret", "TOKEN=tok-123", "--workdir", dir)
	if cli.code != 0 {
		t.Fatalf("osop run --dry-run: exit %d: %s", cli.code, cli.all())
	}
	sameShape(t, "dry run", cli.out, res.StructuredContent, "run_id", "status", "record_path")
	wantToolError(t, call(t, s, "run", map[string]any{"file": "flow.osop.yaml", "inputs": map[string]any{"who": "ada"}}, nil), "--allow-run")
	wantToolError(t, call(t, s, "approve", map[string]any{"run_id": "x", "node": "gate"}, nil), "--allow-run")
	if _, err := os.Stat(filepath.Join(dir, ".osop")); err == nil {
		t.Errorf("a server without --allow-run wrote %s", filepath.Join(dir, ".osop"))
	}
	wantToolError(t, call(t, s, "run", map[string]any{"file": "flow.osop.yaml", "dry_run": true}, nil), `input "who" is required`)

	var sc mcpserver.SchemaOutput
	call(t, s, "schema", map[string]any{"name": "osoplog"}, &sc)
	if sc.Schema["properties"] == nil {
		t.Errorf("schema osoplog = %v", sc.Schema)
	}
	wantToolError(t, call(t, s, "schema", map[string]any{"name": "nope"}, nil), "unknown schema")
	var rules mcpserver.RulesOutput
	call(t, s, "rules", map[string]any{}, &rules)
	if !slices.ContainsFunc(rules.Rules, func(r mcpserver.Rule) bool { return r.ID == "unknown-node-type" && r.Summary != "" }) {
		t.Errorf("rules = %v", rules)
	}
	wantToolError(t, call(t, s, "runs", map[string]any{}, nil), "no runs here")
	wantToolError(t, call(t, s, "runs", map[string]any{"status": "bogus"}, nil), `unknown status "bogus": want one of running, completed`)
	wantToolError(t, call(t, s, "run_status", map[string]any{"run_id": "nope"}, nil), "no runs here")

	// A protocol error: an unknown tool. Arguments the schema refuses are
	// tool errors, as the MCP specification (2025-11-25, SEP-1303) says,
	// so that the model sees what to correct.
	if _, err := s.CallTool(ctx, &mcp.CallToolParams{Name: "nope", Arguments: map[string]any{}}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown tool: err = %v", err)
	}
	wantToolError(t, call(t, s, "validate", map[string]any{"files": "flow.osop.yaml"}, nil), "validating \"arguments\"")
	wantToolError(t, call(t, s, "rules", map[string]any{"extra": 1}, nil), "validating \"arguments\"")
}

func TestMCP_resources(t *testing.T) {
	t.Parallel()
	dir := mcpWorkdir(t)
	s := stdioSession(t, dir)
	ctx := t.Context()
	list, err := s.ListResources(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var uris []string
	for _, r := range list.Resources {
		uris = append(uris, r.URI)
	}
	if !slices.Equal(slices.Sorted(slices.Values(uris)), []string{"osop://workflows/flow.osop.yaml", "osop://workflows/sub/bad.osop.yaml"}) {
		t.Errorf("resources = %v", uris)
	}
	r, err := s.ReadResource(ctx, &mcp.ReadResourceParams{URI: "osop://workflows/sub/bad.osop.yaml"})
	if err != nil || len(r.Contents) != 1 || r.Contents[0].Text != mcpBad {
		t.Fatalf("read: %v %v", r, err)
	}
	for _, uri := range []string{"osop://workflows/../secret.osop.yaml", "osop://workflows/link.osop.yaml", "osop://workflows//etc/passwd", "osop://workflows/nope.osop.yaml", "osop://runs/nope", "osop://other/x"} {
		if _, err := s.ReadResource(ctx, &mcp.ReadResourceParams{URI: uri}); err == nil {
			t.Errorf("read %s: no error", uri)
		}
	}
}

// waitFor polls cond (a condition on the server's answers) for up to 60 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 60s for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitDone waits for a run to end, and fails unless it ended with want.
func waitDone(t *testing.T, s *mcp.ClientSession, id, want string) mcpserver.RunStatusOutput {
	t.Helper()
	var st mcpserver.RunStatusOutput
	waitFor(t, "run "+id+" to end", func() bool {
		call(t, s, "run_status", map[string]any{"run_id": id}, &st)
		return run.Status(st.Run.Status).Done()
	})
	if st.Run.Status != want {
		t.Fatalf("run %s ended %s, want %s: %+v", id, st.Run.Status, want, st)
	}
	return st
}

func TestMCP_run(t *testing.T) {
	t.Parallel()
	dir := mcpWorkdir(t)
	// The gate asks its approver for a ticket, which approve's outputs give.
	flow := strings.Replace(mcpFlow, "purpose: Approve the release\n", "purpose: Approve the release\n    outputs: [ticket]\n", 1)
	must(t, os.WriteFile(filepath.Join(dir, "flow.osop.yaml"), []byte(flow), 0o644))
	s := stdioSession(t, dir, "--allow-run")
	const secret = "s3cr3t-t0ken"
	var started mcpserver.RunOutput
	call(t, s, "run", map[string]any{"file": "flow.osop.yaml", "inputs": map[string]any{"who": "'; DROP TABLE seen; --"},
		"secrets": map[string]string{"TOKEN": secret}, "run_id": "m1"}, &started)
	if started.RunID != "m1" || started.Status != "RUNNING" || started.WorkflowID != "mcpflow" || !strings.HasSuffix(started.Record, ".osop/runs/m1.osoplog.yaml") {
		t.Fatalf("run = %+v", started)
	}
	var st mcpserver.RunStatusOutput
	waitFor(t, "the run to wait at gate", func() bool {
		call(t, s, "run_status", map[string]any{"run_id": "m1"}, &st)
		if run.Status(st.Run.Status).Done() {
			t.Fatalf("the run ended: %+v", st)
		}
		return slices.Equal(st.Waiting, []string{"gate"})
	})
	var ev mcpserver.RunEventsOutput
	call(t, s, "run_events", map[string]any{"run_id": "m1"}, &ev)
	if !ev.Live || ev.Done || ev.Next != len(ev.Events) || ev.Events[0].Kind != "run_started" {
		t.Fatalf("events = %+v", ev)
	}
	if !slices.ContainsFunc(ev.Events, func(e run.Event) bool { return e.Kind == run.NodeStarted && e.Node == "gate" }) {
		t.Errorf("no node_started event for gate in %+v", ev.Events)
	}

	var ok mcpserver.ApproveOutput
	wantToolError(t, call(t, s, "approve", map[string]any{"run_id": "m1", "node": "gate"}, nil), "asks its approver for the outputs ticket: pass outputs: {ticket: …}")
	wantToolError(t, call(t, s, "approve", map[string]any{"run_id": "m1", "node": "gate", "outputs": map[string]string{"nope": "x"}}, nil), `outputs: {nope: …}: node "gate" asks for the outputs ticket`)
	call(t, s, "approve", map[string]any{"run_id": "m1", "node": "gate", "comment": "ship it", "outputs": map[string]string{"ticket": "T-7"}}, &ok)
	if ok.Decision != "approve" {
		t.Fatalf("approve = %+v", ok)
	}
	st = waitDone(t, s, "m1", "COMPLETED")
	if st.Run.ExitCode == nil || *st.Run.ExitCode != 0 || len(st.Waiting) != 0 {
		t.Errorf("status = %+v", st.Run)
	}
	if i := slices.IndexFunc(st.Attempts, func(a jsonout.Attempt) bool { return a.Node == "gate" }); i < 0 || st.Attempts[i].Outputs["ticket"] != "T-7" {
		t.Errorf("gate's outputs: %+v", st.Attempts)
	}
	res := call(t, s, "run_status", map[string]any{"run_id": "m1"}, nil)
	sameShape(t, "run_status", osop(t.Context(), false, "runs", "show", "m1", "--output", "json", "--workdir", dir).out, res.StructuredContent)
	res = call(t, s, "runs", map[string]any{}, nil)
	sameShape(t, "runs", `{"runs": `+osop(t.Context(), false, "runs", "--output", "json", "--workdir", dir).out+"}", res.StructuredContent)
	next := ev.Next
	waitFor(t, "the last events", func() bool {
		call(t, s, "run_events", map[string]any{"run_id": "m1", "after": next}, &ev)
		next = ev.Next
		return ev.Done
	})
	if last := ev.Events[len(ev.Events)-1]; last.Kind != "run_finished" || last.Status != "COMPLETED" {
		t.Errorf("last event = %+v", last)
	}

	var logs mcpserver.LogsOutput
	call(t, s, "logs", map[string]any{"run_id": "m1", "node": "greet"}, &logs)
	if len(logs.Attempts) != 1 || !strings.Contains(logs.Attempts[0].Stdout, "hello '; DROP TABLE seen; -- token=***") || logs.Attempts[0].Code != "" {
		t.Errorf("logs = %+v", logs)
	}
	wantToolError(t, call(t, s, "logs", map[string]any{"run_id": "m1", "node": "nope"}, nil), `has no node "nope"`)
	var runs mcpserver.RunsOutput
	call(t, s, "runs", map[string]any{}, &runs)
	if len(runs.Runs) != 1 || runs.Runs[0].RunID != "m1" || runs.Runs[0].WorkflowID != "mcpflow" {
		t.Errorf("runs = %+v", runs)
	}
	rec, err := s.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: "osop://runs/m1"})
	if err != nil || !strings.Contains(rec.Contents[0].Text, "status: COMPLETED") {
		t.Fatalf("record: %v %v", rec, err)
	}
	list, err := s.ListResources(t.Context(), nil)
	if err != nil || !slices.ContainsFunc(list.Resources, func(r *mcp.Resource) bool { return r.URI == "osop://runs/m1" }) {
		t.Errorf("the run's record is not listed: %v", err)
	}
	// The secret shows nowhere osop wrote.
	for _, p := range []string{".osop/runs/m1.osoplog.yaml", ".osop/osop.db"} {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil || strings.Contains(string(b), secret) {
			t.Errorf("%s: holds the secret, or %v", p, err)
		}
	}
	if b, _ := json.Marshal(ev); strings.Contains(string(b), secret) {
		t.Errorf("events show the secret")
	}
}

// sameShape checks that a tool's structured answer has the shape of the
// JSON the command of the same name prints (docs/json.md): the same keys
// with the same kinds of value, besides the keys extra only the tool has.
func sameShape(t *testing.T, name, cliOut string, structured any, extra ...string) {
	t.Helper()
	b, err := json.Marshal(structured)
	if err != nil {
		t.Fatal(err)
	}
	want, got := map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, d := range decodeAll(t, name+" (osop)", cliOut) {
		walkShape(t, name, d, "", want)
	}
	var v any
	must(t, json.Unmarshal(b, &v))
	walkShape(t, name, v, "", got)
	for _, k := range extra {
		delete(got, k)
	}
	if d := cmp.Diff(renderShape(want), renderShape(got)); d != "" {
		t.Errorf("%s: the tool's answer and the command's JSON differ in shape (-command +tool):\n%s", name, d)
	}
}

// TestMCP_stopCancelsRuns: when the client goes away, the server's runs
// are cancelled and recorded so, and the server exits.
func TestMCP_stopCancelsRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flow := "osop_version: \"1.0\"\nid: slow\nname: Slow\nnodes:\n  - id: wait\n    type: cli\n    purpose: Take long\n    runtime:\n      command: sleep 60\n"
	if err := os.WriteFile(filepath.Join(dir, "slow.osop.yaml"), []byte(flow), 0o644); err != nil {
		t.Fatal(err)
	}
	s := stdioSession(t, dir, "--allow-run")
	var out mcpserver.RunOutput
	call(t, s, "run", map[string]any{"file": "slow.osop.yaml", "run_id": "m2"}, &out)
	var st mcpserver.RunStatusOutput
	waitFor(t, "the node to start", func() bool {
		call(t, s, "run_status", map[string]any{"run_id": "m2"}, &st)
		return len(st.Attempts) == 1 && st.Attempts[0].Status == "RUNNING"
	})
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the server took %s to stop", d)
	}
	st2, err := store.Open(filepath.Join(dir, ".osop", "osop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	r, err := st2.GetRun(t.Context(), "m2")
	if err != nil || r.Status != run.Cancelled || r.ExitCode == nil || *r.ExitCode != ExitCancelled {
		t.Fatalf("run after the server stopped: %+v, %v", r, err)
	}
}
