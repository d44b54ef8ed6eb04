package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/executor/all"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/secret"
)

// runResult is what a test sees of a run.
type runResult struct {
	*engine.Result
	events []run.Event
	dir    string
}

func (r *runResult) status(node string) run.Status { return r.Nodes[node].Status }

func (r *runResult) attempts(node string) int { return r.Nodes[node].Attempts }

// log returns the lines the workflow's commands appended to $DIR/log.
func (r *runResult) log(t *testing.T) []string {
	b, err := os.ReadFile(filepath.Join(r.dir, "log"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

type options func(*engine.Options)

// runYAML runs a workflow written in YAML, in a fresh directory that
// commands can reach as $DIR.
func runYAML(t *testing.T, src string, opts ...options) *runResult {
	t.Helper()
	return runYAMLCtx(t, t.Context(), src, opts...)
}

func runYAMLCtx(t *testing.T, parent context.Context, src string, opts ...options) *runResult {
	t.Helper()
	dir := t.TempDir()
	doc, ds := parse.Bytes("test.osop.yaml", []byte(src), parse.DefaultLimits)
	if doc.Workflow == nil || ds.HasErrors() {
		t.Fatalf("workflow does not load: %v", ds)
	}
	var mu sync.Mutex
	res := &runResult{dir: dir}
	o := engine.Options{
		Workflow: doc.Workflow, Registry: all.Registry(), RunID: "test-run", Workdir: dir,
		Env:      map[string]string{"DIR": dir, "PATH": os.Getenv("PATH"), "HOME": dir},
		Builtins: map[string]string{"RUN_ID": "test-run", "GIT_SHA": "abc123"},
		Inputs:   map[string]any{},
		Masker:   &secret.Masker{},
		Sink: func(e run.Event) {
			mu.Lock()
			res.events = append(res.events, e)
			mu.Unlock()
		},
	}
	for _, f := range opts {
		f(&o)
	}
	ctx, cancel := context.WithTimeout(parent, 60*time.Second)
	defer cancel()
	r, err := engine.Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	res.Result = r
	return res
}

func statuses(r *runResult, nodes ...string) string {
	var parts []string
	for _, n := range nodes {
		parts = append(parts, n+"="+string(r.status(n)))
	}
	return strings.Join(parts, " ")
}

const head = "osop_version: \"2.0\"\nid: t\nname: T\n"

func TestSequentialAndOutputs(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - id: a
    type: cli
    runtime: {command: 'echo a >> $DIR/log; echo "greeting=hello world" >> $OSOP_OUTPUT'}
    outputs: [greeting]
  - id: b
    type: cli
    runtime: {command: 'echo {{greeting}} | tr " " _ >> $DIR/log; printf "multi<<EOF\nx\ny\nEOF\n" >> $OSOP_OUTPUT'}
    outputs: [multi]
  - id: c
    type: cli
    runtime: {command: 'echo "${outputs.b.multi}" | wc -l | tr -d " " >> $DIR/log'}
edges: [{from: a, to: b}, {from: b, to: c}]
`)
	if r.Status != run.Completed {
		t.Fatalf("status %s: %v", r.Status, r.Failures)
	}
	if got := strings.Join(r.log(t), " "); got != "a hello_world 2" {
		t.Errorf("log %q", got)
	}
	if r.Nodes["b"].Outputs["multi"] != "x\ny" {
		t.Errorf("heredoc output %q", r.Nodes["b"].Outputs["multi"])
	}
}

func TestParallelJoinWaitsForAll(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: start, type: cli, runtime: {command: "true"}}
  - {id: slow, type: cli, runtime: {command: "sleep 0.3; echo slow >> $DIR/log"}}
  - {id: fast, type: cli, runtime: {command: "echo fast >> $DIR/log"}}
  - {id: join, type: cli, runtime: {command: "echo join >> $DIR/log"}}
edges:
  - {from: start, to: slow, mode: parallel}
  - {from: start, to: fast, mode: parallel}
  - {from: slow, to: join}
  - {from: fast, to: join}
`)
	if got := strings.Join(r.log(t), " "); got != "fast slow join" {
		t.Errorf("order %q, want fast slow join", got)
	}
}

func TestJoinModes(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: start, type: cli, runtime: {command: "true"}}
  - {id: quick, type: cli, runtime: {command: "echo quick >> $DIR/log"}}
  - {id: slow, type: cli, runtime: {command: "sleep 0.5; echo slow >> $DIR/log"}}
  - {id: any, type: cli, runtime: {command: "echo any >> $DIR/log"}}
edges:
  - {from: start, to: quick, mode: parallel}
  - {from: start, to: slow, mode: parallel}
  - {from: quick, to: any, join_mode: wait_any}
  - {from: slow, to: any}
`)
	if got := strings.Join(r.log(t), " "); got != "quick any slow" {
		t.Errorf("wait_any: order %q, want quick any slow", got)
	}
}

func TestConditionalSkipsPropagate(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - id: check
    type: cli
    runtime: {command: "echo ok=false >> $OSOP_OUTPUT"}
    outputs:
      ok: {type: boolean}
  - {id: deploy, type: cli, runtime: {command: "echo deploy >> $DIR/log"}}
  - {id: after, type: cli, runtime: {command: "echo after >> $DIR/log"}}
  - {id: notify, type: cli, runtime: {command: "echo notify >> $DIR/log"}}
edges:
  - {from: check, to: deploy, mode: conditional, when: "ok"}
  - {from: deploy, to: after}
  - {from: check, to: notify, mode: conditional, when: "!ok && status('check') == 'completed'"}
`)
	if got := statuses(r, "deploy", "after", "notify"); got != "deploy=SKIPPED after=SKIPPED notify=COMPLETED" {
		t.Errorf("%s", got)
	}
	if !strings.Contains(r.Nodes["deploy"].Reason, `condition "ok" was false`) {
		t.Errorf("reason %q", r.Nodes["deploy"].Reason)
	}
	if r.Status != run.Completed || r.Recovered {
		t.Errorf("run %s recovered=%v", r.Status, r.Recovered)
	}
}

func TestFallbackRecovers(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: deploy, type: cli, runtime: {command: "echo deploy >> $DIR/log; exit 3"}}
  - {id: verify, type: cli, runtime: {command: "echo verify >> $DIR/log"}}
  - {id: rollback, type: cli, runtime: {command: "echo rollback >> $DIR/log"}}
edges:
  - {from: deploy, to: verify}
  - {from: deploy, to: rollback, mode: fallback}
`)
	if got := statuses(r, "deploy", "verify", "rollback"); got != "deploy=FAILED verify=SKIPPED rollback=COMPLETED" {
		t.Errorf("%s", got)
	}
	if r.Status != run.Completed || !r.Recovered {
		t.Errorf("run %s recovered=%v, want completed and recovered (exit 3)", r.Status, r.Recovered)
	}
}

func TestUnhandledFailureBlocksDownstream(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: a, type: cli, runtime: {command: "exit 1"}}
  - {id: b, type: cli, runtime: {command: "echo b >> $DIR/log"}}
  - {id: c, type: cli, runtime: {command: "echo c >> $DIR/log"}}
  - {id: other, type: cli, runtime: {command: "echo other >> $DIR/log"}}
edges: [{from: a, to: b}, {from: b, to: c}]
`)
	if got := statuses(r, "a", "b", "c", "other"); got != "a=FAILED b=BLOCKED c=BLOCKED other=COMPLETED" {
		t.Errorf("%s", got)
	}
	if r.Status != run.Failed || len(r.Failures) != 1 || !strings.Contains(r.Failures[0], "exited with status 1") {
		t.Errorf("run %s %v", r.Status, r.Failures)
	}
}

func TestRetriesBothDialects(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - id: flaky
    type: cli
    runtime: {command: 'echo x >> $DIR/log; test $(wc -l < $DIR/log) -ge 3'}
    retry_policy: {max_retries: 4, backoff_sec: 0.05}
  - id: never
    type: cli
    runtime: {command: 'echo y >> $DIR/never; exit 1'}
    retry: {max_attempts: 3, backoff: {type: exponential, initial_delay: 10ms, multiplier: 2}}
edges: [{from: flaky, to: never}]
`)
	if r.attempts("flaky") != 3 || r.status("flaky") != run.Completed {
		t.Errorf("flaky: %d attempts, %s", r.attempts("flaky"), r.status("flaky"))
	}
	b, _ := os.ReadFile(filepath.Join(r.dir, "never"))
	if n := strings.Count(string(b), "y"); n != 3 || r.attempts("never") != 3 {
		t.Errorf("never ran %d times (%d attempts), want 3", n, r.attempts("never"))
	}
	var retries int
	for _, e := range r.events {
		if e.Kind == run.NodeRetrying {
			retries++
		}
	}
	if retries != 4 {
		t.Errorf("%d retry events, want 4", retries)
	}
}

func TestTimeoutKillsProcessGroupAndTakesTimeoutEdge(t *testing.T) {
	start := time.Now()
	r := runYAML(t, head+`
nodes:
  - id: hang
    type: cli
    timeout: 300ms
    runtime: {command: 'sleep 30 & echo $! > $DIR/child; sleep 30'}
  - {id: on_timeout, type: cli, runtime: {command: "echo handled >> $DIR/log"}}
edges: [{from: hang, to: on_timeout, mode: timeout}]
`)
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if got := statuses(r, "hang", "on_timeout"); got != "hang=TIMEOUT on_timeout=COMPLETED" {
		t.Errorf("%s", got)
	}
	pid, err := os.ReadFile(filepath.Join(r.dir, "child"))
	p := strings.TrimSpace(string(pid))
	if err != nil || p == "" {
		t.Fatalf("the command did not record its background child (%v): nothing to check", err)
	}
	if stat, err := os.ReadFile("/proc/" + p + "/stat"); err == nil && !strings.Contains(string(stat), ") Z") {
		t.Errorf("background child %s outlived its node", p)
	}
}

func TestWorkflowTimeout(t *testing.T) {
	r := runYAML(t, head+`
timeout_sec: 0.3
nodes:
  - {id: long, type: cli, runtime: {command: "sleep 20"}}
  - {id: next, type: cli, runtime: {command: "true"}}
edges: [{from: long, to: next}]
`)
	if r.Status != run.TimedOut || r.status("next") != run.Skipped {
		t.Errorf("run %s next %s", r.Status, r.status("next"))
	}
}

func TestCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	r := runYAMLCtx(t, ctx, head+`
nodes:
  - {id: long, type: cli, runtime: {command: "sleep 20"}}
  - {id: next, type: cli, runtime: {command: "true"}}
edges: [{from: long, to: next}]
`)
	if r.Status != run.Cancelled || r.status("long") != run.Cancelled || r.status("next") != run.Skipped {
		t.Errorf("run %s: %s", r.Status, statuses(r, "long", "next"))
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("cancellation took %v", time.Since(start))
	}
}

// TestLoopOnAnUntypedOutput: a command's output with no declared type
// that is a number compares as one, so the loop counts to 3; one
// declared `type: string` stays text.
func TestLoopOnAnUntypedOutput(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: init, type: cli, runtime: {command: "echo 0 > $DIR/n"}}
  - id: count
    type: cli
    runtime: {command: 'n=$(($(cat $DIR/n)+1)); echo $n > $DIR/n; echo count$n >> $DIR/log; echo c=$n >> $OSOP_OUTPUT; echo v=$n >> $OSOP_OUTPUT; echo ok=true >> $OSOP_OUTPUT; echo ver=007 >> $OSOP_OUTPUT'}
    outputs:
      - c
      - {name: v, type: string}
      - ok
      - ver
  - {id: after, type: cli, runtime: {command: 'echo after >> $DIR/log'}}
edges:
  - {from: init, to: count}
  - {from: count, to: count, mode: loop, when: "c < 3 && ok && v != '3'"}
  - {from: count, to: after, mode: conditional, when: "v == '3' && ver == '007'"}
`)
	if got := strings.Join(r.log(t), " "); got != "count1 count2 count3 after" {
		t.Errorf("log %q", got)
	}
	out := r.Nodes["count"].Outputs
	if out["c"] != int64(3) || out["v"] != "3" || out["ok"] != true || out["ver"] != "007" {
		t.Errorf("outputs %#v", out)
	}
}

func TestLoopWhileAndForEach(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: init, type: cli, runtime: {command: "echo 0 > $DIR/n"}}
  - id: poll
    type: cli
    runtime: {command: 'n=$(($(cat $DIR/n)+1)); echo $n > $DIR/n; echo poll$n >> $DIR/log; echo count=$n >> $OSOP_OUTPUT'}
    outputs:
      count: {type: integer}
  - id: list
    type: cli
    runtime: {command: 'echo items=[\"a\",\"b\",\"c\"] >> $OSOP_OUTPUT'}
    outputs:
      items: {type: array}
  - id: each
    type: cli
    runtime: {command: 'echo each-{{name}} >> $DIR/log'}
edges:
  - {from: init, to: poll}
  - {from: poll, to: poll, mode: loop, when: "count < 3"}
  - {from: poll, to: list}
  - {from: list, to: each, mode: loop, for_each: "outputs.list.items", iterator_var: name}
`)
	if got := strings.Join(r.log(t), " "); got != "poll1 poll2 poll3 each-a each-b each-c" {
		t.Errorf("log %q", got)
	}
	if its, _ := r.Nodes["each"].Outputs["iterations"].([]any); len(its) != 3 {
		t.Errorf("iterations %v", r.Nodes["each"].Outputs)
	}
}

func TestBackLoopAndMaxIterations(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: write, type: cli, runtime: {command: "echo write >> $DIR/log"}}
  - {id: review, type: cli, runtime: {command: "echo review >> $DIR/log; echo verdict=revise >> $OSOP_OUTPUT"}, outputs: [verdict]}
  - {id: publish, type: cli, runtime: {command: "echo publish >> $DIR/log"}}
edges:
  - {from: write, to: review}
  - {from: review, to: write, mode: loop, when: "verdict == 'revise'", max_iterations: 3}
  - {from: review, to: publish}
`)
	if got := strings.Join(r.log(t), " "); got != "write review write review write review publish" {
		t.Errorf("log %q", got)
	}
}

func TestSwitch(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: classify, type: cli, runtime: {command: "echo intent=billing >> $OSOP_OUTPUT"}, outputs: [intent]}
  - {id: billing, type: cli, runtime: {command: "echo billing >> $DIR/log"}}
  - {id: tech, type: cli, runtime: {command: "echo tech >> $DIR/log"}}
  - {id: human, type: cli, runtime: {command: "echo human >> $DIR/log"}}
  - {id: log, type: cli, runtime: {command: "echo done >> $DIR/log"}}
edges:
  - from: classify
    to: billing
    mode: switch
    when: outputs.classify.intent
    cases: [{value: billing, to: billing}, {value: technical, to: tech}]
    default_to: human
  - {from: billing, to: log}
  - {from: tech, to: log}
  - {from: human, to: log}
`)
	if got := statuses(r, "billing", "tech", "human", "log"); got != "billing=COMPLETED tech=SKIPPED human=SKIPPED log=COMPLETED" {
		t.Errorf("%s", got)
	}
}

func TestSecretsMaskedEverywhere(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - id: use
    type: cli
    runtime: {command: 'echo "token is ${secrets.TOKEN}"; echo "t=${secrets.TOKEN}-x" >> $OSOP_OUTPUT; echo "${secrets.TOKEN}" > $DIR/plain'}
    outputs: [t]
`, func(o *engine.Options) { o.Secrets = map[string]string{"TOKEN": "s3cr3t-value"} })
	plain, _ := os.ReadFile(filepath.Join(r.dir, "plain"))
	if strings.TrimSpace(string(plain)) != "s3cr3t-value" {
		t.Fatalf("the command did not receive the secret: %q", plain)
	}
	for _, e := range r.events {
		if s := fmt.Sprintf("%+v", e); strings.Contains(s, "s3cr3t") {
			t.Errorf("event leaks the secret: %s", s)
		}
	}
	var sawMasked bool
	for _, e := range r.events {
		sawMasked = sawMasked || strings.Contains(e.Stdout, "token is ***")
	}
	if !sawMasked {
		t.Error("no event shows the masked output")
	}
}

func TestShellQuotingOfValues(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - id: a
    type: cli
    runtime: {command: "printf %s {{evil}} > $DIR/out"}
`, func(o *engine.Options) { o.Vars = map[string]string{"evil": "x; echo pwned > $DIR/pwned"} })
	out, _ := os.ReadFile(filepath.Join(r.dir, "out"))
	if _, err := os.Stat(filepath.Join(r.dir, "pwned")); err == nil || string(out) != "x; echo pwned > $DIR/pwned" {
		t.Errorf("value was not quoted: out=%q", out)
	}
}

func TestMissingDeclaredOutputFails(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: a, type: cli, runtime: {command: "true"}, outputs: [digest]}
`)
	if r.status("a") != run.Failed || !strings.Contains(r.Failures[0], "declared output digest not produced") {
		t.Errorf("%s %v", r.status("a"), r.Failures)
	}
}

func TestResumeSkipsCompleted(t *testing.T) {
	src := head + `
nodes:
  - {id: a, type: cli, runtime: {command: "echo a >> $DIR/log; echo v=1 >> $OSOP_OUTPUT"}, outputs: [v]}
  - {id: b, type: cli, runtime: {command: "echo b{{v}} >> $DIR/log"}}
edges: [{from: a, to: b}]
`
	r := runYAML(t, src, func(o *engine.Options) {
		o.Resume = map[string]engine.Prior{"a": {Status: run.Completed, Outputs: map[string]any{"v": "7"}, Attempts: 1}}
	})
	if got := strings.Join(r.log(t), " "); got != "b7" {
		t.Errorf("log %q: a should not run again and b should see its recorded output", got)
	}
}

// TestMaxParallel: with max_parallel 2, two nodes run at once (each waits
// until another has started, so this holds however loaded the machine),
// never three.
func TestMaxParallel(t *testing.T) {
	var nodes, edges []string
	for i := range 6 {
		nodes = append(nodes, fmt.Sprintf("  - {id: n%d, type: cli, runtime: {command: 'echo start >> $DIR/log; for i in $(seq 500); do [ $(grep -c start $DIR/log) -ge 2 ] && break; sleep 0.02; done; sleep 0.2; echo end >> $DIR/log'}}", i))
		edges = append(edges, fmt.Sprintf("  - {from: s, to: n%d, mode: parallel}", i))
	}
	src := head + "nodes:\n  - {id: s, type: cli, runtime: {command: 'true'}}\n" + strings.Join(nodes, "\n") + "\nedges:\n" + strings.Join(edges, "\n") + "\n"
	start := time.Now()
	r := runYAML(t, src, func(o *engine.Options) { o.MaxParallel = 2 })
	depth, most := 0, 0
	for _, l := range r.log(t) {
		if l == "start" {
			depth++
		} else {
			depth--
		}
		most = max(most, depth)
	}
	if most != 2 {
		t.Errorf("%d nodes ran at once (in %s), want 2", most, time.Since(start).Round(time.Millisecond))
	}
}

func TestDataTransform(t *testing.T) {
	r := runYAML(t, head+`
inputs:
  n: {type: integer}
nodes:
  - {id: double, type: data, runtime: {transform: "{'value': inputs.n * 2}"}, outputs: [value]}
  - {id: label, type: data, runtime: {transform: {text: "'v=' + string(value)", big: "value > 10"}}, outputs: [text, big]}
edges: [{from: double, to: label}]
`, func(o *engine.Options) { o.Inputs = map[string]any{"n": int64(21)} })
	if got := r.Nodes["label"].Outputs; got["text"] != "v=42" || got["big"] != true {
		t.Errorf("outputs %v", got)
	}
}

// TestDefaultShell: defaults.shell picks the shell of every command that
// names none; runtime.shell still wins, and bash stays the default.
func TestDefaultShell(t *testing.T) {
	for _, tt := range []struct{ defaults, want string }{
		{"", "bash bash sh"},
		{"defaults: {shell: sh}\n", "sh bash sh"},
	} {
		r := runYAML(t, head+tt.defaults+`
nodes:
  - id: plain
    type: cli
    runtime: {command: 'echo "$0" >> $DIR/log'}
  - id: bash
    type: cli
    runtime: {command: 'echo "$0" >> $DIR/log', shell: bash}
  - id: sh
    type: cli
    runtime: {command: 'echo "$0" >> $DIR/log', shell: sh}
edges: [{from: plain, to: bash}, {from: bash, to: sh}]
`)
		if r.Status != run.Completed {
			t.Fatalf("status %s: %v", r.Status, r.Failures)
		}
		if got := strings.Join(r.log(t), " "); got != tt.want {
			t.Errorf("%q: shells %q, want %q", tt.defaults, got, tt.want)
		}
	}
}
