package machine_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/machine"
	"github.com/osopdev/osop/internal/run"
)

const head = "osop_version: \"2.0\"\nid: t\nname: T\n"

// simCase runs a workflow through the machine on a virtual clock and
// checks what it decided.
type simCase struct {
	name     string
	src      string
	opts     machine.Options
	script   map[string][]outcome
	signals  map[string][]map[string]any
	decide   map[string]bool
	starts   []string // the attempts started, in order
	statuses string   // "a=COMPLETED b=SKIPPED"
	finish   string   // the rendered Finish action
	before   [][2]string
	contains []string // lines the trace must hold
}

func (c simCase) run(t *testing.T) *sim {
	t.Helper()
	s := newSim(t, head+c.src, c.opts, c.script)
	for k, v := range c.signals {
		s.signals[k] = v
	}
	for k, v := range c.decide {
		s.decide[k] = v
	}
	s.run(machine.Begin{Seed: 1})
	if c.starts != nil {
		if diff := cmp.Diff(c.starts, s.starts()); diff != "" {
			t.Errorf("starts (-want +got):\n%s\ntrace:\n%s", diff, strings.Join(s.trace, "\n"))
		}
	}
	if c.statuses != "" {
		var nodes []string
		for _, f := range strings.Fields(c.statuses) {
			nodes = append(nodes, strings.Split(f, "=")[0])
		}
		if got := s.statuses(nodes...); got != c.statuses {
			t.Errorf("statuses %s, want %s", got, c.statuses)
		}
	}
	if got := render(s.g, *s.finish); c.finish != "" && got != c.finish {
		t.Errorf("got %q, want %q", got, c.finish)
	}
	for _, b := range c.before {
		i, j := s.line(b[0]), s.line(b[1])
		if i < 0 || j < 0 || i > j {
			t.Errorf("%q (line %d) must come before %q (line %d):\n%s", b[0], i, b[1], j, strings.Join(s.trace, "\n"))
		}
	}
	for _, want := range c.contains {
		if s.line(want) < 0 {
			t.Errorf("the trace has no line starting %q:\n%s", want, strings.Join(s.trace, "\n"))
		}
	}
	return s
}

// line returns the index of the first trace line starting with prefix.
func (s *sim) line(prefix string) int {
	return slices.IndexFunc(s.trace, func(l string) bool { return strings.HasPrefix(l, prefix) })
}

func TestMachine_edgesAndJoins(t *testing.T) {
	cases := []simCase{{
		name: "sequential",
		src: `nodes: [{id: a, type: cli}, {id: b, type: cli}, {id: c, type: cli}]
edges: [{from: a, to: b}, {from: b, to: c}]`,
		starts: []string{"a#1", "b#1", "c#1"},
		finish: "finish COMPLETED",
	}, {
		name: "parallel join waits for all",
		src: `nodes: [{id: start, type: cli}, {id: slow, type: cli}, {id: fast, type: cli}, {id: join, type: cli}]
edges:
  - {from: start, to: slow, mode: parallel}
  - {from: start, to: fast, mode: parallel}
  - {from: slow, to: join}
  - {from: fast, to: join}`,
		script: map[string][]outcome{"slow": {slow(300 * time.Millisecond)}, "fast": {slow(10 * time.Millisecond)}},
		before: [][2]string{{"emit node_finished fast", "emit node_finished slow"}, {"emit node_finished slow", "start join#1"}},
		finish: "finish COMPLETED",
	}, {
		name: "wait_any runs on the first",
		src: `nodes: [{id: start, type: cli}, {id: quick, type: cli}, {id: slow, type: cli}, {id: any, type: cli}]
edges:
  - {from: start, to: quick, mode: parallel}
  - {from: start, to: slow, mode: parallel}
  - {from: quick, to: any, join_mode: wait_any}
  - {from: slow, to: any}`,
		script:   map[string][]outcome{"slow": {slow(500 * time.Millisecond)}, "quick": {slow(10 * time.Millisecond)}},
		before:   [][2]string{{"emit node_finished quick", "start any#1"}, {"start any#1", "emit node_finished slow"}},
		statuses: "quick=COMPLETED slow=COMPLETED any=COMPLETED",
	}, {
		name: "wait_n runs on the n-th",
		src: `nodes: [{id: s, type: cli}, {id: a, type: cli}, {id: b, type: cli}, {id: c, type: cli}, {id: j, type: cli}]
edges:
  - {from: s, to: a, mode: parallel}
  - {from: s, to: b, mode: parallel}
  - {from: s, to: c, mode: parallel}
  - {from: a, to: j, join_mode: wait_n, join_count: 2}
  - {from: b, to: j}
  - {from: c, to: j}`,
		script: map[string][]outcome{"a": {slow(10 * time.Millisecond)}, "b": {slow(20 * time.Millisecond)}, "c": {slow(time.Second)}},
		before: [][2]string{{"emit node_finished b", "start j#1"}, {"start j#1", "emit node_finished c"}},
		finish: "finish COMPLETED",
	}, {
		name: "conditional skips propagate",
		src: `nodes:
  - {id: check, type: cli, outputs: {ok: {type: boolean}}}
  - {id: deploy, type: cli}
  - {id: after, type: cli}
  - {id: notify, type: cli}
edges:
  - {from: check, to: deploy, mode: conditional, when: "ok"}
  - {from: deploy, to: after}
  - {from: check, to: notify, mode: conditional, when: "!ok && status('check') == 'completed'"}`,
		script:   map[string][]outcome{"check": {ok(map[string]any{"ok": false})}},
		statuses: "deploy=SKIPPED after=SKIPPED notify=COMPLETED",
		contains: []string{`emit node_skipped deploy SKIPPED: not reached: condition "ok" was false`},
		finish:   "finish COMPLETED",
	}, {
		name: "switch takes one case",
		src: `nodes:
  - {id: classify, type: cli, outputs: [intent]}
  - {id: billing, type: cli}
  - {id: tech, type: cli}
  - {id: human, type: cli}
  - {id: log, type: cli}
edges:
  - {from: classify, to: billing, mode: switch, when: outputs.classify.intent, cases: [{value: billing, to: billing}, {value: technical, to: tech}], default_to: human}
  - {from: billing, to: log}
  - {from: tech, to: log}
  - {from: human, to: log}`,
		script:   map[string][]outcome{"classify": {ok(map[string]any{"intent": "billing"})}},
		statuses: "billing=COMPLETED tech=SKIPPED human=SKIPPED log=COMPLETED",
	}, {
		name: "switch default",
		src: `nodes: [{id: c, type: cli, outputs: [intent]}, {id: x, type: cli}, {id: other, type: cli}]
edges:
  - {from: c, to: x, mode: switch, when: outputs.c.intent, cases: [{value: x, to: x}], default_to: other}`,
		script:   map[string][]outcome{"c": {ok(map[string]any{"intent": "nothing known"})}},
		statuses: "x=SKIPPED other=COMPLETED",
	}, {
		name: "spawn is taken when its source completes",
		src: `nodes: [{id: a, type: cli}, {id: bg, type: cli}]
edges: [{from: a, to: bg, mode: spawn}]`,
		starts: []string{"a#1", "bg#1"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t) })
	}
}

func TestMachine_failures(t *testing.T) {
	cases := []simCase{{
		name: "fallback recovers",
		src: `nodes: [{id: deploy, type: cli}, {id: verify, type: cli}, {id: rollback, type: cli}]
edges: [{from: deploy, to: verify}, {from: deploy, to: rollback, mode: fallback}]`,
		script:   map[string][]outcome{"deploy": {fails(run.CodeExit, true)}},
		statuses: "deploy=FAILED verify=SKIPPED rollback=COMPLETED",
		finish:   "finish COMPLETED recovered",
	}, {
		name: "a fallback with a condition also runs when it holds",
		src: `nodes: [{id: check, type: cli, outputs: [health]}, {id: rollback, type: cli}]
edges: [{from: check, to: rollback, mode: fallback, condition: "health != 'ok'"}]`,
		script:   map[string][]outcome{"check": {ok(map[string]any{"health": "degraded"})}},
		statuses: "check=COMPLETED rollback=COMPLETED",
		contains: []string{"emit message check: check completed, but health != 'ok' holds"},
	}, {
		name: "compensation runs on failure",
		src: `nodes: [{id: charge, type: cli}, {id: refund, type: cli}, {id: ship, type: cli}]
edges: [{from: charge, to: ship}, {from: charge, to: refund, mode: compensation}]`,
		script:   map[string][]outcome{"charge": {fails(run.CodeExit, false)}},
		statuses: "charge=FAILED refund=COMPLETED ship=SKIPPED",
		finish:   "finish COMPLETED recovered",
	}, {
		name: "compensation is not taken when the source completes",
		src: `nodes: [{id: charge, type: cli}, {id: refund, type: cli}]
edges: [{from: charge, to: refund, mode: compensation}]`,
		statuses: "charge=COMPLETED refund=SKIPPED",
		contains: []string{"emit node_skipped refund SKIPPED: not reached: charge did not fail"},
		finish:   "finish COMPLETED",
	}, {
		name: "an unhandled failure blocks what follows",
		src: `nodes: [{id: a, type: cli}, {id: b, type: cli}, {id: c, type: cli}, {id: other, type: cli}]
edges: [{from: a, to: b}, {from: b, to: c}]`,
		script:   map[string][]outcome{"a": {fails(run.CodeExit, true)}},
		statuses: "a=FAILED b=BLOCKED c=BLOCKED other=COMPLETED",
		contains: []string{"emit node_skipped b BLOCKED: blocked: a did not complete"},
		finish:   "finish FAILED: a: failed with EXIT_CODE",
	}, {
		name: "an error edge filters on the error",
		src: `nodes: [{id: deploy, type: cli}, {id: oom, type: cli}, {id: other, type: cli}]
edges:
  - {from: deploy, to: oom, mode: error, when: "error_of('deploy').contains('EXIT')"}
  - {from: deploy, to: other, mode: error, when: "error_of('deploy').contains('disk')"}`,
		script:   map[string][]outcome{"deploy": {fails(run.CodeExit, false)}},
		statuses: "oom=COMPLETED other=SKIPPED",
		finish:   "finish COMPLETED recovered",
	}, {
		name: "a timeout edge is taken when the node runs out of time",
		src: `nodes:
  - {id: hang, type: cli, timeout: 300ms}
  - {id: on_timeout, type: cli}
  - {id: on_error, type: cli}
edges: [{from: hang, to: on_timeout, mode: timeout}, {from: hang, to: on_error, mode: error, when: "false"}]`,
		script:   map[string][]outcome{"hang": {hangs()}},
		contains: []string{"timer 1 300ms", "stop hang#1 timeout"},
		statuses: "hang=TIMEOUT on_timeout=COMPLETED on_error=SKIPPED",
		finish:   "finish COMPLETED recovered",
	}, {
		name: "a timeout edge is not taken on another failure",
		src: `nodes: [{id: a, type: cli}, {id: on_timeout, type: cli}]
edges: [{from: a, to: on_timeout, mode: timeout}]`,
		script:   map[string][]outcome{"a": {fails(run.CodeExit, false)}},
		statuses: "a=FAILED on_timeout=SKIPPED",
		finish:   "finish FAILED: a: failed with EXIT_CODE",
	}, {
		name: "the workflow's timeout stops the run",
		src: `timeout_sec: 0.3
nodes: [{id: long, type: cli}, {id: next, type: cli}]
edges: [{from: long, to: next}]`,
		script:   map[string][]outcome{"long": {hangs()}},
		contains: []string{"timer 1 300ms", "stop long#1 timeout", "emit node_skipped next SKIPPED: not run: workflow t timed out after 300ms"},
		finish:   "finish TIMEOUT: workflow t timed out after 300ms; long: stopped",
	}, {
		name: "fail-fast stops the other branches",
		src: `nodes: [{id: s, type: cli}, {id: bad, type: cli}, {id: long, type: cli}, {id: after, type: cli}]
edges: [{from: s, to: bad, mode: parallel}, {from: s, to: long, mode: parallel}, {from: long, to: after}]`,
		opts:     machine.Options{FailFast: true},
		script:   map[string][]outcome{"bad": {fails(run.CodeExit, false)}, "long": {slow(time.Hour)}},
		contains: []string{"stop long#1: bad failed and --fail-fast stops the run", "emit node_skipped after SKIPPED: not run: bad failed and --fail-fast"},
		statuses: "bad=FAILED long=CANCELLED after=SKIPPED",
		finish:   "finish FAILED: bad: failed with EXIT_CODE; long: stopped",
	}, {
		name: "without fail-fast the other branches finish",
		src: `nodes: [{id: s, type: cli}, {id: bad, type: cli}, {id: long, type: cli}, {id: after, type: cli}]
edges: [{from: s, to: bad, mode: parallel}, {from: s, to: long, mode: parallel}, {from: long, to: after}]`,
		script:   map[string][]outcome{"bad": {fails(run.CodeExit, false)}, "long": {slow(time.Hour)}},
		statuses: "bad=FAILED long=COMPLETED after=COMPLETED",
		finish:   "finish FAILED: bad: failed with EXIT_CODE",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t) })
	}
}

func TestMachine_retries(t *testing.T) {
	cases := []simCase{{
		name: "both dialects retry with their backoff",
		src: `nodes:
  - {id: flaky, type: cli, retry_policy: {max_retries: 4, backoff_sec: 0.05}}
  - {id: never, type: cli, retry: {max_attempts: 3, backoff: {type: exponential, initial_delay: 10ms, multiplier: 2}}}
edges: [{from: flaky, to: never}]`,
		script: map[string][]outcome{
			"flaky": {fails(run.CodeExit, true), fails(run.CodeExit, true), ok(nil)},
			"never": {fails(run.CodeExit, true)},
		},
		starts:   []string{"flaky#1", "flaky#2", "flaky#3", "never#1", "never#2", "never#3"},
		contains: []string{"timer 1 50ms", "timer 2 50ms", "timer 3 10ms", "timer 4 20ms"},
		finish:   "finish FAILED: never: failed with EXIT_CODE",
	}, {
		name:   "an error that is not retryable is not retried",
		src:    `nodes: [{id: call, type: api, retry_policy: {max_retries: 3, backoff_sec: 0.01}}]`,
		script: map[string][]outcome{"call": {fails(run.CodeHTTP4xx, false)}},
		starts: []string{"call#1"},
	}, {
		name: "the workflow's retry policy is the default",
		src: `retry_policy: {max_retries: 2, backoff_sec: 0.01}
nodes: [{id: a, type: cli}, {id: own, type: cli, retry_policy: {max_retries: 0}}]`,
		script: map[string][]outcome{"a": {fails(run.CodeExit, true)}, "own": {fails(run.CodeExit, true)}},
		starts: []string{"a#1", "own#1", "a#2", "a#3"},
	}, {
		name: "retryable_errors narrows what is retried",
		src: `nodes:
  - {id: exit, type: cli, retry: {max_attempts: 3, retryable_errors: [TIMEOUT]}}
  - {id: timeout, type: cli, retry: {max_attempts: 3, retryable_errors: [TIMEOUT]}}
  - {id: http, type: api, retry: {max_attempts: 2, retryable_errors: [5xx]}}`,
		script: map[string][]outcome{"exit": {fails(run.CodeExit, true)}, "timeout": {fails(run.CodeTimeout, true)},
			"http": {fails(run.CodeHTTP5xx, true)}},
		starts: []string{"exit#1", "timeout#1", "http#1", "timeout#2", "http#2", "timeout#3"},
	}, {
		name: "retryable_errors' 4xx, 5xx and connection_error name their failures only",
		src: `nodes:
  - {id: c4, type: api, retry: {max_attempts: 2, retryable_errors: [4xx]}}
  - {id: c5, type: api, retry: {max_attempts: 2, retryable_errors: [5xx]}}
  - {id: conn, type: api, retry: {max_attempts: 2, retryable_errors: [connection_error]}}
  - {id: c5not4, type: api, retry: {max_attempts: 2, retryable_errors: [5xx]}}
  - {id: c4not5, type: api, retry: {max_attempts: 2, retryable_errors: [4xx]}}
  - {id: connnot5, type: api, retry: {max_attempts: 2, retryable_errors: [5xx]}}`,
		script: map[string][]outcome{"c4": {fails(run.CodeHTTP4xx, true)}, "c5": {fails(run.CodeHTTP5xx, true)},
			"conn": {fails(run.CodeConnection, true)}, "c5not4": {fails(run.CodeHTTP4xx, true)},
			"c4not5": {fails(run.CodeHTTP5xx, true)}, "connnot5": {fails(run.CodeConnection, true)}},
		starts: []string{"c4#1", "c5#1", "conn#1", "c5not4#1", "c4not5#1", "connnot5#1", "c4#2", "c5#2", "conn#2"},
	}, {
		name:     "a retry is shown against the round's last attempt",
		src:      `nodes: [{id: a, type: cli, retry_policy: {max_retries: 1}}]`,
		script:   map[string][]outcome{"a": {fails(run.CodeExit, true), ok(nil)}},
		contains: []string{"start a#1 /2", "emit node_retrying a#1 FAILED EXIT_CODE", "start a#2 /2"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t) })
	}
}

// TestMachine_jitter holds jitter to the seed: the same seed gives the
// same delays, within half the delay below it.
func TestMachine_jitter(t *testing.T) {
	src := `nodes: [{id: a, type: cli, retry_policy: {max_retries: 5, backoff_sec: 1, jitter: true}}]`
	delays := func(seed uint64) []string {
		s := newSim(t, head+src, machine.Options{}, map[string][]outcome{"a": {fails(run.CodeExit, true)}})
		s.run(machine.Begin{Seed: seed})
		var out []string
		for _, l := range s.trace {
			if strings.HasPrefix(l, "timer") {
				d, err := time.ParseDuration(strings.Fields(l)[2])
				if err != nil || d < 500*time.Millisecond || d > time.Second {
					t.Errorf("jittered delay %s outside [0.5s, 1s]", l)
				}
				out = append(out, l)
			}
		}
		return out
	}
	one, again, other := delays(7), delays(7), delays(8)
	if len(one) != 5 || !slices.Equal(one, again) {
		t.Errorf("seed 7 gave %v then %v", one, again)
	}
	if slices.Equal(one, other) {
		t.Errorf("seeds 7 and 8 gave the same delays %v", one)
	}
}

func TestMachine_loops(t *testing.T) {
	cases := []simCase{{
		name: "while and for_each",
		src: `nodes:
  - {id: init, type: cli}
  - {id: poll, type: cli, outputs: {count: {type: integer}}}
  - {id: list, type: cli, outputs: {items: {type: array}}}
  - {id: each, type: cli}
edges:
  - {from: init, to: poll}
  - {from: poll, to: poll, mode: loop, when: "count < 3"}
  - {from: poll, to: list}
  - {from: list, to: each, mode: loop, for_each: "outputs.list.items", iterator_var: name}`,
		script: map[string][]outcome{
			"poll": {ok(map[string]any{"count": int64(1)}), ok(map[string]any{"count": int64(2)}), ok(map[string]any{"count": int64(3)})},
			"list": {ok(map[string]any{"items": []any{"a", "b", "c"}})},
		},
		starts: []string{"init#1", "poll#1", "poll@1#1", "poll@2#1", "list#1", "each#1", "each@1#1", "each@2#1"},
		contains: []string{"start each#1 name=a", "start each@1#1 name=b", "start each@2#1 name=c",
			"publish each map[iterations:[map[] map[] map[]]]"},
	}, {
		name: "a back loop stops at max_iterations",
		src: `nodes: [{id: write, type: cli}, {id: review, type: cli, outputs: [verdict]}, {id: publish, type: cli}]
edges:
  - {from: write, to: review}
  - {from: review, to: write, mode: loop, when: "verdict == 'revise'", max_iterations: 3}
  - {from: review, to: publish}`,
		script:   map[string][]outcome{"review": {ok(map[string]any{"verdict": "revise"})}},
		starts:   []string{"write#1", "review#1", "write@1#1", "review@1#1", "write@2#1", "review@2#1", "publish#1"},
		contains: []string{"emit message review: loop review → write stopped after 3 iterations (max_iterations)"},
	}, {
		name: "max_iterations caps a for_each list",
		src: `nodes:
  - {id: list, type: cli, outputs: {items: {type: array}}}
  - {id: each, type: cli}
  - {id: done, type: cli}
edges:
  - {from: list, to: each, mode: loop, for_each: "outputs.list.items", max_iterations: 2}
  - {from: each, to: done}`,
		script: map[string][]outcome{"list": {ok(map[string]any{"items": []any{"a", "b", "c", "d", "e"}})}},
		starts: []string{"list#1", "each#1", "each@1#1", "done#1"},
	}, {
		name: "an empty for_each list skips its target",
		src: `nodes: [{id: list, type: cli, outputs: {items: {type: array}}}, {id: each, type: cli}, {id: after, type: cli}]
edges:
  - {from: list, to: each, mode: loop, for_each: "outputs.list.items"}
  - {from: each, to: after}`,
		script:   map[string][]outcome{"list": {ok(map[string]any{"items": []any{}})}},
		statuses: "each=SKIPPED after=SKIPPED",
		contains: []string{"emit node_skipped each SKIPPED: for_each list is empty"},
	}, {
		name: "a for_each that is not a list blocks its target",
		src: `nodes: [{id: list, type: cli, outputs: [items]}, {id: each, type: cli}]
edges: [{from: list, to: each, mode: loop, for_each: "outputs.list.items"}]`,
		script:   map[string][]outcome{"list": {ok(map[string]any{"items": "abc"})}},
		statuses: "each=BLOCKED",
		finish:   "finish FAILED: each: for_each is not a list",
	}, {
		name:   "a for_each retries the failing item only",
		src:    "nodes: [{id: list, type: cli, outputs: {items: {type: array}}}, {id: each, type: cli, retry_policy: {max_retries: 1}}]\nedges: [{from: list, to: each, mode: loop, for_each: \"outputs.list.items\"}]",
		script: map[string][]outcome{"list": {ok(map[string]any{"items": []any{1, 2}})}, "each": {ok(nil), fails(run.CodeExit, true), ok(nil)}},
		starts: []string{"list#1", "each#1", "each@1#1", "each@1#2"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t) })
	}
}

func TestMachine_waits(t *testing.T) {
	eventSrc := `nodes: [{id: request, type: cli}, {id: deploy, type: cli}]
edges: [{from: request, to: deploy, mode: event, signal: approved, when: "event.data.decision == 'yes'"}]`
	gated := `nodes:
  - {id: ship, type: cli}
  - {id: gated, type: cli, approval_gate: {required: true, timeout: 1m}}
  - {id: after, type: cli}
edges: [{from: ship, to: gated}, {from: gated, to: after}]`
	cases := []simCase{{
		name:    "an event edge takes the signal its condition accepts",
		src:     eventSrc,
		opts:    machine.Options{Signals: true},
		signals: map[string][]map[string]any{"approved": {{"decision": "no"}, {"decision": "yes"}}},
		before: [][2]string{
			{`emit message request: signal "approved" does not satisfy`, `emit message request: signal "approved" accepted`},
			{`emit message request: signal "approved" accepted`, "start deploy#1"},
		},
		statuses: "deploy=COMPLETED",
	}, {
		name:     "with one signal each, an event edge its signal does not satisfy is not taken",
		src:      eventSrc,
		opts:     machine.Options{Signals: true, SignalOnce: true},
		signals:  map[string][]map[string]any{"approved": {{"decision": "no"}, {"decision": "yes"}}},
		contains: []string{`emit message request: signal "approved" does not satisfy "event.data.decision == 'yes'", and no other comes; the edge is not taken`},
		statuses: "deploy=SKIPPED",
	}, {
		name:     "an event edge without signals is not taken",
		src:      eventSrc,
		contains: []string{`emit message request: event edge waits for signal "approved", but signals cannot reach this run`},
		statuses: "deploy=SKIPPED",
	}, {
		name:     "an approval gate asks before the attempt",
		src:      gated,
		starts:   []string{"ship#1", "gated#1", "after#1"},
		before:   [][2]string{{"ask gated#1", "start gated#1"}},
		contains: []string{"emit node_waiting gated#1 WAITING: waiting for approval", "timer 1 1m0s", "cancel timer 1"},
	}, {
		name:     "a rejected approval fails the node",
		src:      gated,
		decide:   map[string]bool{"gated": false},
		statuses: "gated=FAILED after=BLOCKED",
		finish:   "finish FAILED: gated: approval for gated rejected by tester ",
	}, {
		name: "an approval gate without a timeout waits as long as it takes",
		src: `nodes:
  - {id: gated, type: cli, approval_gate: {required: true}}
  - {id: after, type: cli}
edges: [{from: gated, to: after}]`,
		statuses: "gated=COMPLETED after=COMPLETED",
		finish:   "finish COMPLETED",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t) })
	}
	t.Run("an approval that times out", func(t *testing.T) {
		g, ev := load(t, head+gated)
		m, err := machine.New(g, machine.Options{Eval: ev, WorkflowID: "t"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ev.m = m
		m.Apply(machine.Begin{})
		m.Apply(machine.Started{Node: "ship", Attempt: 1})
		got := renderAll(g, m.Apply(machine.Finished{Node: "ship", Attempt: 1}))
		if !slices.Contains(got, "ask gated#1") || !slices.Contains(got, "timer 1 1m0s") {
			t.Fatalf("after ship: %v", got)
		}
		got = renderAll(g, m.Apply(machine.TimerFired{Timer: 1}))
		want := []string{"stop gated#1 timeout", "emit node_finished gated#1 TIMEOUT TIMEOUT: approval of gated timed out after 1m0s",
			"emit node_skipped after BLOCKED: blocked: gated did not complete", "finish FAILED: gated: approval of gated timed out after 1m0s"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if late := m.Apply(machine.Decided{Node: "gated", Attempt: 1, Approved: true}); len(late) != 0 {
			t.Errorf("a late decision changed something: %v", renderAll(g, late))
		}
	})
}

func renderAll(g *graph.Graph, acts []machine.Action) []string {
	out := make([]string, len(acts))
	for i, a := range acts {
		out[i] = render(g, a)
	}
	return out
}

func TestMachine_maxParallel(t *testing.T) {
	var src strings.Builder
	src.WriteString("nodes:\n  - {id: s, type: cli}\n")
	for _, n := range []string{"n0", "n1", "n2", "n3", "n4", "n5"} {
		src.WriteString("  - {id: " + n + ", type: cli}\n")
	}
	src.WriteString("edges:\n")
	for _, n := range []string{"n0", "n1", "n2", "n3", "n4", "n5"} {
		src.WriteString("  - {from: s, to: " + n + ", mode: parallel}\n")
	}
	for _, limit := range []int{1, 2, 4} {
		s := newSim(t, head+src.String(), machine.Options{MaxParallel: limit}, map[string][]outcome{})
		s.run(machine.Begin{})
		if s.most != limit {
			t.Errorf("max_parallel %d: at most %d ran at once", limit, s.most)
		}
	}
	s := newSim(t, head+src.String(), machine.Options{}, map[string][]outcome{})
	s.run(machine.Begin{})
	if s.most != 6 {
		t.Errorf("no limit: at most %d ran at once, want all 6", s.most)
	}
}
