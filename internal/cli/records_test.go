package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/runlog/runlogtest"
)

// proc is a real osop process: the test binary, which testscript.Main
// put on $PATH as osop.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
}

// start starts osop in dir; env adds NAME=VALUE to the environment, or
// takes NAME out of it with -NAME.
func start(t *testing.T, dir string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command("osop", args...)}
	p.cmd.Dir, p.cmd.Stdout, p.cmd.Stderr = dir, &p.stdout, &p.stderr
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(env, "-"+name) {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	for _, kv := range env {
		if !strings.HasPrefix(kv, "-") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// wait returns the exit code.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

func (p *proc) output() string { return p.stdout.String() + p.stderr.String() }

// runOsop runs osop to the end and checks its exit code.
func runOsop(t *testing.T, dir string, want int, args ...string) string {
	t.Helper()
	p := start(t, dir, nil, args...)
	if code := p.wait(t); code != want {
		t.Fatalf("osop %s: exit %d, want %d:\n%s", strings.Join(args, " "), code, want, p.output())
	}
	return p.output()
}

// waitFile waits (at most patience) until a file exists.
func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not appear within %v", path, patience)
}

var recordFlows = map[string]string{
	"ok": `osop_version: "2.0"
id: ok
name: OK
nodes:
  - {id: a, type: cli, runtime: {command: 'echo v=1 >> $OSOP_OUTPUT'}, outputs: [v]}
  - {id: route, type: gateway}
  - {id: list, type: cli, runtime: {command: 'echo items=[\"x\",\"y\"] >> $OSOP_OUTPUT'}, outputs: [{name: items, type: array}]}
  - {id: each, type: cli, runtime: {command: 'echo {{name}}'}}
edges:
  - {from: a, to: route}
  - {from: route, to: list}
  - {from: list, to: each, mode: loop, for_each: "outputs.list.items", iterator_var: name}
`,
	"fail": `osop_version: "2.0"
id: fail
name: Fail
nodes:
  - {id: a, type: cli, runtime: {command: 'echo broken >&2; exit 4'}}
  - {id: b, type: cli, runtime: {command: "true"}}
edges: [{from: a, to: b}]
`,
	"flaky": `osop_version: "2.0"
id: flaky
name: Flaky
nodes:
  - id: a
    type: cli
    runtime: {command: 'if [ ! -f tried ]; then touch tried; exit 75; fi'}
    retry_policy: {max_retries: 2, backoff_sec: 0}
`,
	"long": `osop_version: "2.0"
id: long
name: Long
nodes:
  - {id: a, type: cli, runtime: {command: "true"}}
  - {id: wait, type: cli, runtime: {command: 'if [ ! -f started-$OSOP_RUN_ID ]; then touch started-$OSOP_RUN_ID; exec sleep 300; fi'}}
  - {id: after, type: cli, runtime: {command: "true"}}
edges: [{from: a, to: wait}, {from: wait, to: after}]
`,
	"fix": `osop_version: "2.0"
id: fix
name: Fix
nodes:
  - {id: prep, type: cli, runtime: {command: "true"}}
  - {id: check, type: cli, runtime: {command: "test -f fixed"}}
  - {id: done, type: cli, runtime: {command: "true"}}
edges: [{from: prep, to: check}, {from: check, to: done}]
`,
}

// TestRecordsAgainstThePublishedSchema runs real osop processes to every
// end a run can have (completed, failed, retried, interrupted with
// SIGINT, killed, resumed, retried from a node) and checks each record
// against the published osoplog schema and osop's, with durations that
// equal ended_at − started_at; osop reads every record back.
func TestRecordsAgainstThePublishedSchema(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, src := range recordFlows {
		must(t, os.WriteFile(filepath.Join(dir, name+".osop.yaml"), []byte(src), 0o644))
	}
	record := func(id string) string { return filepath.Join(dir, ".osop", "runs", id+".osoplog.yaml") }
	field := func(doc *ast.Document, node, key string) []string {
		var out []string
		for _, r := range doc.Log.Records {
			if r.NodeID.V == node {
				s, _ := r.Raw.Get(key).String()
				out = append(out, s)
			}
		}
		return out
	}
	var killedAt time.Time
	checks := []struct {
		id   string
		do   func()
		want func(doc *ast.Document)
	}{
		{"ok", func() { runOsop(t, dir, ExitOK, "run", "--run-id", "ok", "ok.osop.yaml") }, func(doc *ast.Document) {
			if got := field(doc, "route", "x-node-type"); len(got) != 1 || got[0] != "gateway" {
				t.Errorf("gateway: x-node-type %q", got)
			}
			if n := len(field(doc, "each", "node_id")); n != 2 || doc.Log.Records[len(doc.Log.Records)-1].Raw.Get("iteration").Int != 1 {
				t.Errorf("each: %d records, want 2, the second of iteration 1", n)
			}
		}},
		{"fail", func() { runOsop(t, dir, ExitFailed, "run", "--run-id", "fail", "fail.osop.yaml") }, func(doc *ast.Document) {
			if e, c := field(doc, "a", "error"), field(doc, "a", "x-error-code"); len(e) != 1 || !strings.Contains(e[0], "status 4") || c[0] != "EXIT_CODE" {
				t.Errorf("a: error %q, x-error-code %q", e, c)
			}
			if s := field(doc, "b", "status"); len(s) != 1 || s[0] != "BLOCKED" {
				t.Errorf("b: %q", s)
			}
		}},
		{"flaky", func() { runOsop(t, dir, ExitOK, "run", "--run-id", "flaky", "flaky.osop.yaml") }, func(doc *ast.Document) {
			if s := field(doc, "a", "status"); strings.Join(s, " ") != "FAILED COMPLETED" {
				t.Errorf("a: %q", s)
			}
		}},
		{"int", func() {
			p := start(t, dir, nil, "run", "--run-id", "int", "long.osop.yaml")
			waitFile(t, filepath.Join(dir, "started-int"))
			must(t, p.cmd.Process.Signal(os.Interrupt))
			if code := p.wait(t); code != ExitCancelled {
				t.Fatalf("interrupted run: exit %d, want 130:\n%s", code, p.output())
			}
		}, func(doc *ast.Document) {
			if c := field(doc, "wait", "x-error-code"); len(c) != 1 || c[0] != "CANCELLED" {
				t.Errorf("wait: x-error-code %q", c)
			}
			if s, _ := doc.Root.Get("result_summary").String(); !strings.HasPrefix(s, "cancelled") {
				t.Errorf("result_summary %q", s)
			}
		}},
		{"crash", func() {
			p := start(t, dir, nil, "run", "--run-id", "crash", "long.osop.yaml")
			waitFile(t, filepath.Join(dir, "started-crash"))
			time.Sleep(time.Second) // the attempt runs a while, with nothing written
			killedAt = time.Now()
			must(t, p.cmd.Process.Signal(syscall.SIGKILL))
			p.wait(t)
			// Killed: the record says RUNNING, valid against osop's schema.
			if doc := runlogtest.Check(t, record("crash")); doc != nil && doc.Log.Status.V != "RUNNING" {
				t.Errorf("a killed run's record says %s", doc.Log.Status.V)
			}
			time.Sleep(time.Second) // resume comes later
			runOsop(t, dir, ExitOK, "resume", "crash")
		}, func(doc *ast.Document) {
			if s := field(doc, "wait", "status"); strings.Join(s, " ") != "FAILED COMPLETED" {
				t.Errorf("wait after resume: %q", s)
			}
			interruptedHasOneEnd(t, doc, runOsop(t, dir, ExitOK, "runs", "show", "crash", "--output", "json"), killedAt)
		}},
		{"fix", func() {
			runOsop(t, dir, ExitFailed, "run", "--run-id", "fix", "fix.osop.yaml")
			must(t, os.WriteFile(filepath.Join(dir, "fixed"), nil, 0o644))
			runOsop(t, dir, ExitOK, "resume", "fix")
			runOsop(t, dir, ExitOK, "retry", "fix", "--from", "done")
		}, func(doc *ast.Document) {
			// How many attempts resume and retry make is the engine's
			// business; the record ends with the one that completed.
			for _, n := range []string{"check", "done"} {
				if s := field(doc, n, "status"); len(s) == 0 || s[len(s)-1] != "COMPLETED" {
					t.Errorf("%s after resume and retry: %q", n, s)
				}
			}
		}},
	}
	for _, c := range checks {
		c.do()
		doc := runlogtest.Check(t, record(c.id))
		if doc == nil || doc.Log == nil {
			continue
		}
		if doc.Log.Status.V == "RUNNING" {
			t.Errorf("%s: the record still says RUNNING", c.id)
		}
		c.want(doc)
		// osop reads its own record back.
		runOsop(t, dir, ExitOK, "validate", record(c.id))
		runOsop(t, dir, ExitOK, "runs", "show", c.id)
	}
}

// TestSchemaOsoplogIsWhatRecordsAreCheckedBy: `osop schema osoplog`
// prints the schema the records above pass.
func TestSchemaOsoplogIsWhatRecordsAreCheckedBy(t *testing.T) {
	t.Parallel()
	r := osop(t.Context(), false, "schema", "osoplog")
	for _, want := range []string{"x-error-code:", "x-node-type:", "format: date-time", "enum: [human, agent, api, cli, db, git, docker, cicd, mcp, system, infra, data]"} {
		if r.code != 0 || !strings.Contains(r.out, want) {
			t.Errorf("osop schema osoplog lacks %q (exit %d)", want, r.code)
		}
	}
	if r := osop(t.Context(), false, "schema", "osoplog-read", "--json"); r.code != 0 || !strings.Contains(r.out, `"oneOf"`) {
		t.Errorf("osop schema osoplog-read --json: exit %d", r.code)
	}
}

// interruptedHasOneEnd: the interrupted attempt of node wait has one end
// in runs show and the .osoplog: the last moment its osop wrote the
// journal, before the kill (not the resume), and duration_ms is
// ended_at − started_at in both.
func interruptedHasOneEnd(t *testing.T, doc *ast.Document, shown string, killedAt time.Time) {
	t.Helper()
	var show struct {
		Attempts []struct {
			Node       string    `json:"node"`
			Attempt    int       `json:"attempt"`
			StartedAt  time.Time `json:"started_at"`
			EndedAt    time.Time `json:"ended_at"`
			DurationMS int64     `json:"duration_ms"`
			Code       string    `json:"code"`
		} `json:"attempts"`
	}
	if err := json.Unmarshal([]byte(shown), &show); err != nil {
		t.Fatalf("runs show: %v\n%s", err, shown)
	}
	var rec *ast.Value
	for _, r := range doc.Log.Records {
		if r.NodeID.V == "wait" {
			rec = r.Raw
			break
		}
	}
	for _, a := range show.Attempts {
		if a.Node != "wait" || a.Attempt != 1 {
			continue
		}
		if a.Code != "INTERRUPTED" {
			t.Fatalf("attempt 1 of wait: code %q", a.Code)
		}
		if !a.EndedAt.Before(killedAt) {
			t.Errorf("the interrupted attempt ended at %s, after the kill at %s", a.EndedAt, killedAt)
		}
		if want := a.EndedAt.Truncate(time.Millisecond).Sub(a.StartedAt.Truncate(time.Millisecond)).Milliseconds(); a.DurationMS != want {
			t.Errorf("runs show: duration_ms %d, ended_at − started_at %d", a.DurationMS, want)
		}
		ended, _ := rec.Get("ended_at").String()
		if got := a.EndedAt.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z"); got != ended {
			t.Errorf("the .osoplog says the attempt ended at %s, runs show %s", ended, got)
		}
		if d := rec.Get("duration_ms").Int; d != a.DurationMS {
			t.Errorf("the .osoplog says duration_ms %d, runs show %d", d, a.DurationMS)
		}
		return
	}
	t.Errorf("runs show has no attempt 1 of wait:\n%s", shown)
}
