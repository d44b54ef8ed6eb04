package engine_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/run"
)

// count returns how many lines of $DIR/name say word.
func (r *runResult) count(t *testing.T, name, word string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Fields(string(b)) {
		if l == word {
			n++
		}
	}
	return n
}

// TestWorkflowRetryIsTheDefault: a node with no policy of its own retries
// by the workflow's; one with its own does not take the workflow's.
func TestWorkflowRetryIsTheDefault(t *testing.T) {
	r := runYAML(t, head+`
retry_policy: {max_retries: 2, backoff_sec: 0.01}
nodes:
  - {id: inherits, type: cli, runtime: {command: "echo x >> $DIR/inherits; exit 1"}}
  - {id: own, type: cli, retry_policy: {max_retries: 0}, runtime: {command: "echo x >> $DIR/own; exit 1"}}
`)
	if n := r.count(t, "inherits", "x"); n != 3 || r.attempts("inherits") != 3 {
		t.Errorf("inherits ran %d times (%d attempts), want 3", n, r.attempts("inherits"))
	}
	if n := r.count(t, "own", "x"); n != 1 {
		t.Errorf("own ran %d times, want 1", n)
	}
}

// TestRetryableErrorsNarrowRetries: with retryable_errors, only the codes
// listed are retried (an exit code is not a timeout).
func TestRetryableErrorsNarrowRetries(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - id: exits
    type: cli
    retry: {max_attempts: 3, retryable_errors: [TIMEOUT], backoff: {initial_delay: 10ms}}
    runtime: {command: "echo x >> $DIR/exits; exit 1"}
  - id: times_out
    type: cli
    timeout: 200ms
    retry: {max_attempts: 3, retryable_errors: [TIMEOUT], backoff: {initial_delay: 10ms}}
    runtime: {command: "echo x >> $DIR/times_out; sleep 30"}
  - id: listed
    type: cli
    retry: {max_attempts: 2, retryable_errors: [EXIT_CODE], backoff: {initial_delay: 10ms}}
    runtime: {command: "echo x >> $DIR/listed; exit 1"}
`)
	for node, want := range map[string]int{"exits": 1, "times_out": 3, "listed": 2} {
		if n := r.count(t, node, "x"); n != want {
			t.Errorf("%s ran %d times, want %d", node, n, want)
		}
	}
	if r.status("times_out") != run.TimedOut {
		t.Errorf("times_out is %s", r.status("times_out"))
	}
}

// TestEventEdgeTakesTheSignalItsConditionAccepts: the first signal does
// not satisfy the edge's when, the second does; both are consumed, and the
// run says which one was refused and which accepted.
func TestEventEdgeTakesTheSignalItsConditionAccepts(t *testing.T) {
	sig := &signals{}
	ch := sig.get("approved")
	ch <- map[string]any{"decision": "no"}
	ch <- map[string]any{"decision": "yes"}
	ch <- map[string]any{"decision": "unused"}
	r := runYAML(t, head+`
nodes:
  - {id: request, type: cli, runtime: {command: "echo request >> $DIR/log"}}
  - {id: deploy, type: cli, runtime: {command: "echo deploy >> $DIR/log"}}
edges:
  - {from: request, to: deploy, mode: event, signal: approved, when: "event.data.decision == 'yes'"}
`, func(o *engine.Options) { o.Signals = sig })
	if got := strings.Join(r.log(t), " "); got != "request deploy" || r.Status != run.Completed {
		t.Fatalf("log %q, run %s", got, r.Status)
	}
	var refused, accepted int
	for _, e := range r.events {
		switch {
		case strings.Contains(e.Message, `signal "approved" does not satisfy`):
			refused++
		case strings.Contains(e.Message, `signal "approved" accepted`):
			accepted++
		}
	}
	if refused != 1 || accepted != 1 {
		t.Errorf("%d signals refused and %d accepted, want 1 and 1", refused, accepted)
	}
	if left := <-ch; left["decision"] != "unused" || len(ch) != 0 {
		t.Errorf("the signals taken were not the first two: next is %v, %d more", left, len(ch))
	}
}

// TestFailFastStopsTheRest: without --fail-fast, a branch that does not
// depend on a failure runs to its end; with it, it is stopped and what
// follows it does not run.
func TestFailFastStopsTheRest(t *testing.T) {
	src := head + `
nodes:
  - {id: s, type: cli, runtime: {command: "true"}}
  - {id: bad, type: cli, runtime: {command: "until [ -f $DIR/long.started ]; do sleep 0.01; done; exit 1"}}
  - {id: long, type: cli, runtime: {command: "touch $DIR/long.started; sleep 3; echo long >> $DIR/log"}}
  - {id: after, type: cli, runtime: {command: "echo after >> $DIR/log"}}
edges:
  - {from: s, to: bad, mode: parallel}
  - {from: s, to: long, mode: parallel}
  - {from: long, to: after}
`
	r := runYAML(t, src)
	if got := statuses(r, "bad", "long", "after"); got != "bad=FAILED long=COMPLETED after=COMPLETED" {
		t.Errorf("without --fail-fast: %s", got)
	}
	r = runYAML(t, src, func(o *engine.Options) { o.FailFast = true })
	if got := statuses(r, "bad", "long", "after"); got != "bad=FAILED long=CANCELLED after=SKIPPED" {
		t.Errorf("with --fail-fast: %s", got)
	}
	if r.Status != run.Failed || len(r.log(t)) != 0 {
		t.Errorf("with --fail-fast: run %s, log %v", r.Status, r.log(t))
	}
	if !strings.Contains(r.Nodes["after"].Reason, "--fail-fast") {
		t.Errorf("after's reason: %q", r.Nodes["after"].Reason)
	}
}

// TestSuccessCodes: an exit code listed in success_codes completes the
// node; another fails it.
func TestSuccessCodes(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: two, type: cli, runtime: {command: "exit 2", success_codes: [0, 2]}}
  - {id: three, type: cli, runtime: {command: "exit 3", success_codes: [0, 2]}}
  - {id: zero, type: cli, runtime: {command: "exit 0", success_codes: [2]}}
`)
	if got := statuses(r, "two", "three", "zero"); got != "two=COMPLETED three=FAILED zero=FAILED" {
		t.Errorf("%s", got)
	}
	if code := r.Nodes["two"].Outputs["exit_code"]; code != 2 {
		t.Errorf("exit_code %v", code)
	}
}

// TestWaitN: a wait_n join runs once join_count of its edges are taken,
// without waiting for the rest.
func TestWaitN(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: s, type: cli, runtime: {command: "true"}}
  - {id: a, type: cli, runtime: {command: "echo a >> $DIR/log"}}
  - {id: b, type: cli, runtime: {command: "until grep -q a $DIR/log 2>/dev/null; do sleep 0.01; done; echo b >> $DIR/log"}}
  - {id: slow, type: cli, runtime: {command: "until grep -q join $DIR/log 2>/dev/null; do sleep 0.01; done; echo slow >> $DIR/log"}}
  - {id: join, type: cli, runtime: {command: "echo join >> $DIR/log"}}
edges:
  - {from: s, to: a, mode: parallel}
  - {from: s, to: b, mode: parallel}
  - {from: s, to: slow, mode: parallel}
  - {from: a, to: join, join_mode: wait_n, join_count: 2}
  - {from: b, to: join}
  - {from: slow, to: join}
`)
	if got := strings.Join(r.log(t), " "); got != "a b join slow" || r.Status != run.Completed {
		t.Errorf("log %q (run %s), want a b join slow", got, r.Status)
	}
}

// TestCompensation: a compensation edge runs its target when the source
// fails, and the run is recovered; it is not taken when the source
// completes.
func TestCompensation(t *testing.T) {
	src := head + `
nodes:
  - {id: charge, type: cli, runtime: {command: "echo charge >> $DIR/log; test -f $DIR/ok"}}
  - {id: refund, type: cli, runtime: {command: "echo refund >> $DIR/log"}}
  - {id: ship, type: cli, runtime: {command: "echo ship >> $DIR/log"}}
edges:
  - {from: charge, to: ship}
  - {from: charge, to: refund, mode: compensation}
`
	r := runYAML(t, src)
	if got := statuses(r, "charge", "refund", "ship"); got != "charge=FAILED refund=COMPLETED ship=SKIPPED" || !r.Recovered || r.Status != run.Completed {
		t.Errorf("failing: %s recovered=%v run %s", got, r.Recovered, r.Status)
	}
	r = runYAML(t, src, func(o *engine.Options) {
		if err := os.WriteFile(filepath.Join(o.Workdir, "ok"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	})
	if got := statuses(r, "charge", "refund", "ship"); got != "charge=COMPLETED refund=SKIPPED ship=COMPLETED" || r.Recovered {
		t.Errorf("completing: %s recovered=%v", got, r.Recovered)
	}
}

// TestOutputCaptureKeepsTheLast64KiB: an attempt's stdout and stderr are
// kept up to their last 64 KiB, marked as cut, whether the output goes
// to a capture file or is streamed live too.
func TestOutputCaptureKeepsTheLast64KiB(t *testing.T) {
	src := head + `
nodes:
  - id: loud
    type: cli
    runtime: {command: 'head -c 100000 /dev/zero | tr "\0" a; echo END; head -c 70000 /dev/zero | tr "\0" b >&2; echo ERR >&2'}
`
	for _, live := range []bool{false, true} {
		var mu sync.Mutex
		var streamed strings.Builder
		r := runYAML(t, src, func(o *engine.Options) {
			if live {
				o.Stream = func(string, bool) io.Writer { return lockedWriter{&mu, &streamed} }
			}
		})
		var fin run.Event
		for _, e := range r.events {
			if e.Kind == run.NodeFinished && e.Node == "loud" {
				fin = e
			}
		}
		const limit = 64 << 10
		for name, s := range map[string]string{"stdout": fin.Stdout, "stderr": fin.Stderr} {
			body, cut := strings.CutPrefix(s, "…")
			if !cut || len(body) != limit {
				t.Errorf("live=%v: %s kept %d bytes (cut %v), want the last %d", live, name, len(body), cut, limit)
			}
		}
		if !strings.HasSuffix(fin.Stdout, "aaaEND\n") || !strings.HasSuffix(fin.Stderr, "bbbERR\n") {
			t.Errorf("live=%v: the tail is not what was printed last", live)
		}
		if live && streamed.Len() < 170000 {
			t.Errorf("the live stream got %d bytes, want all of them", streamed.Len())
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
