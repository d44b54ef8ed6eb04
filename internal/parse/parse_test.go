package parse

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

func load(t *testing.T, src string) (*ast.Workflow, diag.Diagnostics) {
	t.Helper()
	doc, ds := Bytes("f.osop.yaml", []byte(src), DefaultLimits)
	if doc.Workflow == nil {
		t.Fatalf("no workflow: %v", ds)
	}
	return doc.Workflow, ds
}

func TestWorkflow_dialects(t *testing.T) {
	w, ds := load(t, `
osop: "1.1"
id: mixed
name: "Kubernetes 建置與部署流水線"
inputs:
  type: object
  properties:
    region: {type: string, default: eu}
  required: [region]
variables: {replicas: 3}
timeout: 1h
retry: {max_attempts: 4, backoff: {type: exponential, initial_delay: 2s, max_delay: 10s, multiplier: 3}}
nodes:
  - id: a
    type: cli
    cmd: echo hi
    timeout: "10m"
    outputs: {digest: {type: string}, tags: array}
  - id: b
    type: api
    name: Call
    config: {url: "https://x", method: POST}
    retry_policy: {max_retries: 5, backoff_sec: 10}
    timeout_sec: 60
    inputs: [{name: digest, required: true}, tags]
    security: {approval_gate: {approvers: [lead], timeout_hours: 2}}
    explain: {why: w, what: x, result: r}
edges:
  - from: a
    to: b
    condition: "digest != ''"
    mode: conditional
`)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if w.Version.V != "1.1" || w.Name.V != "Kubernetes 建置與部署流水線" {
		t.Errorf("version %q name %q", w.Version.V, w.Name.V)
	}
	if len(w.Inputs) != 1 || w.Inputs[0].Name != "region" || !w.Inputs[0].Required || w.Inputs[0].Type != "string" {
		t.Errorf("inputs %+v", w.Inputs[0])
	}
	if w.Timeout.D != time.Hour || w.Retry.MaxAttempts != 4 || w.Retry.Backoff.Delay(3) != 10*time.Second {
		t.Errorf("workflow timeout %v retry %+v", w.Timeout.D, w.Retry)
	}
	a, b := w.Nodes[0], w.Nodes[1]
	if got := a.RuntimeString("command"); got != "echo hi" {
		t.Errorf("legacy cmd read as %q", got)
	}
	if a.Timeout.D != 10*time.Minute || a.Outputs[0].Type != "string" || a.Outputs[1].Type != "array" {
		t.Errorf("node a: %v %+v", a.Timeout.D, a.Outputs)
	}
	if b.RuntimeString("url") != "https://x" || b.Retry.MaxAttempts != 6 || b.Retry.Backoff.Initial != 10*time.Second {
		t.Errorf("node b runtime/retry: %v %+v", b.Runtime, b.Retry)
	}
	if b.Approval == nil || !b.Approval.Required || b.Approval.Timeout != 2*time.Hour || b.Approval.Approvers[0] != "lead" {
		t.Errorf("approval %+v", b.Approval)
	}
	if !b.Inputs[0].Required || b.Explain.Why != "w" {
		t.Errorf("inputs %+v explain %+v", b.Inputs, b.Explain)
	}
	if e := w.Edges[0]; e.When.V != "digest != ''" || e.Mode.V != "conditional" {
		t.Errorf("edge %+v", e)
	}
	// Every alias is reported at Info, with its position.
	ds.Sort()
	var aliases []string
	for _, d := range ds {
		if d.Code == "alias" {
			aliases = append(aliases, strings.TrimPrefix(d.Subject.String(), "f.osop.yaml:"))
		}
	}
	want := []string{"2:7", "6:3", "11:10", "16:5", "17:14", "18:14", "22:5", "26:16", "31:5"}
	if diff := cmp.Diff(want, aliases); diff != "" {
		t.Errorf("alias notes (-want +got):\n%s", diff)
	}
}

func TestBackoff_Delay(t *testing.T) {
	tests := []struct {
		b    ast.Backoff
		want []time.Duration // after attempts 1, 2, 3, 4
	}{
		{ast.Backoff{Type: "fixed", Initial: time.Second}, []time.Duration{time.Second, time.Second, time.Second, time.Second}},
		{ast.Backoff{Type: "linear", Initial: time.Second}, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second}},
		{ast.Backoff{Type: "exponential", Initial: time.Second, Multiplier: 2, Max: 5 * time.Second},
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}},
	}
	for _, tt := range tests {
		for i, want := range tt.want {
			if got := tt.b.Delay(i + 1); got != want {
				t.Errorf("%s: delay after attempt %d = %v, want %v", tt.b.Type, i+1, got, want)
			}
		}
	}
}

func TestParseDurationString(t *testing.T) {
	tests := map[string]time.Duration{
		"30": 30 * time.Second, "2.5": 2500 * time.Millisecond, "30s": 30 * time.Second,
		"10m": 10 * time.Minute, "1h30m": 90 * time.Minute, "24h": 24 * time.Hour, "2d": 48 * time.Hour,
	}
	for in, want := range tests {
		if got, ok := ParseDurationString(in); !ok || got != want {
			t.Errorf("%q = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "ten", "5 minutes", "1e400"} {
		if _, ok := ParseDurationString(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestTree_limits(t *testing.T) {
	bomb := `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
`
	tests := []struct {
		name, src string
		lim       Limits
		code      string
	}{
		{"alias bomb", bomb, DefaultLimits, "too-many-values"},
		{"deep nesting", "a: " + strings.Repeat("[", 200) + strings.Repeat("]", 200), DefaultLimits, "too-deep"},
		{"too large", "id: " + strings.Repeat("x", 2000), Limits{MaxBytes: 1000}, "file-too-large"},
		{"not utf-8", "id: \xff\xfe", DefaultLimits, "encoding"},
		{"empty", "  \n\n", DefaultLimits, "empty-file"},
		{"syntax", "a: [1, 2\nb: 3\n", DefaultLimits, "syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The work a limit allows is bounded by memory, not by a clock,
			// which a loaded machine stretches.
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			root, ds := Tree("f", []byte(tt.src), tt.lim)
			runtime.ReadMemStats(&after)
			if root != nil || len(ds) != 1 || ds[0].Code != tt.code {
				t.Fatalf("got root=%v diagnostics %v, want one %s", root != nil, ds, tt.code)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 512<<20 {
				t.Errorf("allocated %d MiB", n>>20)
			}
		})
	}
}

func TestTree_syntaxPosition(t *testing.T) {
	_, ds := Tree("f", []byte("osop_version: '2.0'\nnodes:\n  - id: a\n    type: cli\n   purpose: bad\n"), DefaultLimits)
	if len(ds) != 1 || ds[0].Subject.Start != (diag.Pos{Line: 5, Column: 4}) {
		t.Fatalf("got %v, want the error at 5:4, where the indentation is wrong", ds)
	}
}

func TestTree_mergeKeysAndAliases(t *testing.T) {
	root, ds := Tree("f", []byte("defaults: &d {shell: bash, env: {A: 1}}\nrt:\n  <<: *d\n  shell: sh\n"), DefaultLimits)
	if len(ds) != 0 {
		t.Fatal(ds)
	}
	rt := root.Get("rt")
	if s, _ := rt.Get("shell").String(); s != "sh" {
		t.Errorf("own key should win over the merged one, got %q", s)
	}
	if rt.Get("env").Get("A").Int != 1 {
		t.Errorf("merged key missing: %v", rt.Keys())
	}
}

func TestTree_scalarsKeepTheirText(t *testing.T) {
	root, _ := Tree("f", []byte("v: 2.0\nid: 007\nq: \"2.0\"\nyes: yes\nn: ~\n"), DefaultLimits)
	if v := root.Get("v"); v.Kind != ast.Float || v.Str != "2.0" {
		t.Errorf("v = %v %q", v.Kind, v.Str)
	}
	if q := root.Get("q"); q.Kind != ast.String || q.Str != "2.0" {
		t.Errorf("quoted number = %v", q.Kind)
	}
	if y := root.Get("yes"); y.Kind != ast.String {
		t.Errorf("yes is a string in YAML 1.2, got %v", y.Kind)
	}
	if n := root.Get("n"); n.Kind != ast.Null {
		t.Errorf("~ is null, got %v", n.Kind)
	}
}
