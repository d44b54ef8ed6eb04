package machine_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/machine"
	"github.com/osopdev/osop/internal/run"
)

// The reproduction in issue 7: a → b → c → d → e and a → p → c; d fails.
const issue7 = `nodes: [{id: a, type: cli}, {id: b, type: cli}, {id: p, type: cli}, {id: c, type: cli}, {id: d, type: cli}, {id: e, type: cli}]
edges:
  - {from: a, to: b}
  - {from: a, to: p, mode: parallel}
  - {from: b, to: c}
  - {from: p, to: c}
  - {from: c, to: d}
  - {from: d, to: e}`

// restore encodes the machine's state as JSON and starts a new machine
// from it, as a new process (or continue-as-new) would.
func (s *sim) restore() {
	s.t.Helper()
	b, err := json.Marshal(s.m.Snapshot())
	if err != nil {
		s.t.Fatal(err)
	}
	var st machine.State
	if err := json.Unmarshal(b, &st); err != nil {
		s.t.Fatal(err)
	}
	ev := &celEval{g: s.g, env: s.ev.env, anc: s.ev.anc}
	m, err := machine.New(s.g, machine.Options{Eval: ev, WorkflowID: "t", RunID: "r", Signals: true}, &st)
	if err != nil {
		s.t.Fatal(err)
	}
	ev.m = m
	s.m, s.ev = m, ev
	// Whatever the old process was doing died with it.
	s.queue, s.live, s.running, s.finish = nil, map[string]bool{}, map[string]int{}, nil
	if s.script == nil {
		s.script = map[string][]outcome{}
	}
}

// continueWith feeds e (Resume, RetryFrom) and runs to the end,
// returning the attempts started since.
func (s *sim) continueWith(e machine.Event) []string {
	s.t.Helper()
	before := len(s.starts())
	s.trace = append(s.trace, "--- restored")
	s.feed(e)
	for steps := 0; s.finish == nil; steps++ {
		if steps > 10000 || !s.next() {
			s.t.Fatalf("the run did not finish:\n%s", strings.Join(s.trace, "\n"))
		}
	}
	return s.starts()[before:]
}

func TestMachine_resumeRunsOnlyWhatDidNotComplete(t *testing.T) {
	s := newSim(t, head+issue7, machine.Options{}, map[string][]outcome{"d": {fails(run.CodeExit, true), ok(nil)}})
	s.run(machine.Begin{})
	if got := render(s.g, *s.finish); got != "finish FAILED: d: failed with EXIT_CODE" {
		t.Fatalf("first run: %s", got)
	}
	s.restore()
	again := s.continueWith(machine.Resume{})
	if diff := cmp.Diff([]string{"d#2", "e#1"}, again); diff != "" {
		t.Errorf("resume started (-want +got):\n%s\n%s", diff, strings.Join(s.trace, "\n"))
	}
	if got := render(s.g, *s.finish); got != "finish COMPLETED" {
		t.Errorf("resumed run: %s", got)
	}
	var reused []string
	for _, e := range s.emitted(run.NodeSkipped) {
		if e.Extra["resumed"] == "true" {
			reused = append(reused, e.Node)
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "p", "c"}, reused); diff != "" {
		t.Errorf("reused (-want +got):\n%s", diff)
	}
	if !slices.Contains(s.trace, "start d#2 /2") {
		t.Errorf("d's second attempt must show 2 as its last:\n%s", strings.Join(s.trace, "\n"))
	}
}

func TestMachine_retryFromRunsOnlyWhatFollows(t *testing.T) {
	for _, c := range []struct {
		from string
		want []string
	}{
		{"e", []string{"e#2"}},
		{"c", []string{"c#2", "d#2", "e#2"}},
		{"p", []string{"p#2", "c#2", "d#2", "e#2"}},
		{"a", []string{"a#2", "b#2", "p#2", "c#2", "d#2", "e#2"}},
	} {
		s := newSim(t, head+issue7, machine.Options{}, nil)
		s.run(machine.Begin{})
		s.restore()
		if diff := cmp.Diff(c.want, s.continueWith(machine.RetryFrom{Node: c.from})); diff != "" {
			t.Errorf("retry --from %s (-want +got):\n%s", c.from, diff)
		}
		if got := render(s.g, *s.finish); got != "finish COMPLETED" {
			t.Errorf("retry --from %s: %s", c.from, got)
		}
	}
}

// TestMachine_retryFromRunsASkippedNode: the node asked for runs even when
// its edges did not lead to it the first time.
func TestMachine_retryFromRunsASkippedNode(t *testing.T) {
	src := `nodes: [{id: check, type: cli, outputs: [health]}, {id: rollback, type: cli}, {id: after, type: cli}]
edges: [{from: check, to: rollback, mode: fallback, condition: "health != 'ok'"}, {from: rollback, to: after}]`
	s := newSim(t, head+src, machine.Options{}, map[string][]outcome{"check": {ok(map[string]any{"health": "ok"})}})
	s.run(machine.Begin{})
	if got := s.statuses("rollback", "after"); got != "rollback=SKIPPED after=SKIPPED" {
		t.Fatal(got)
	}
	s.restore()
	if diff := cmp.Diff([]string{"rollback#1", "after#1"}, s.continueWith(machine.RetryFrom{Node: "rollback"})); diff != "" {
		t.Errorf("(-want +got):\n%s\n%s", diff, strings.Join(s.trace, "\n"))
	}
}

func TestMachine_resumeAfterACrash(t *testing.T) {
	s := newSim(t, head+issue7, machine.Options{}, map[string][]outcome{"d": {hangs()}})
	s.feed(machine.Begin{})
	for s.status("d") != run.Running || s.line("emit node_started d#1") < 0 {
		if !s.next() {
			t.Fatal("d never started")
		}
	}
	s.restore() // the process died while d ran
	s.script["d"] = []outcome{ok(nil)}
	again := s.continueWith(machine.Resume{})
	if diff := cmp.Diff([]string{"d#2", "e#1"}, again); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if s.line("emit node_finished d#1 FAILED INTERRUPTED: the osop process running this attempt stopped") < 0 {
		t.Errorf("the interrupted attempt is not recorded:\n%s", strings.Join(s.trace, "\n"))
	}
}

// TestMachine_resumeKeepsDecisions: a handled failure and a skipped branch
// stay as they were; a cancelled run's unstarted nodes run.
func TestMachine_resumeKeepsDecisions(t *testing.T) {
	src := `nodes:
  - {id: deploy, type: cli}
  - {id: rollback, type: cli}
  - {id: gate, type: cli, outputs: {go: {type: boolean}}}
  - {id: extra, type: cli}
  - {id: long, type: cli}
  - {id: last, type: cli}
edges:
  - {from: deploy, to: rollback, mode: fallback}
  - {from: gate, to: extra, mode: conditional, when: "go"}
  - {from: long, to: last}`
	s := newSim(t, head+src, machine.Options{}, map[string][]outcome{
		"deploy": {fails(run.CodeExit, false)}, "gate": {ok(map[string]any{"go": false})}, "long": {slow(time.Hour)},
	})
	s.feed(machine.Begin{})
	for s.status("rollback") != run.Completed || s.status("extra") != run.Skipped {
		if !s.next() {
			t.Fatal("ran out of events")
		}
	}
	s.feed(machine.Cancel{})
	for s.finish == nil && s.next() {
	}
	if got := render(s.g, *s.finish); !strings.HasPrefix(got, "finish CANCELLED") {
		t.Fatalf("cancelled run: %s", got)
	}
	s.restore()
	s.script["long"] = []outcome{ok(nil)}
	if diff := cmp.Diff([]string{"long#2", "last#1"}, s.continueWith(machine.Resume{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := render(s.g, *s.finish); got != "finish COMPLETED recovered" {
		t.Errorf("resumed: %s", got)
	}
}

// TestMachine_beginReusesPriors is the path for runs without a history
// (engine.Options.Resume): no reused node starts, wherever it stands.
func TestMachine_beginReusesPriors(t *testing.T) {
	s := newSim(t, head+issue7, machine.Options{}, nil)
	s.run(machine.Begin{Reuse: []machine.Prior{
		{Node: "a", Done: true, Attempts: 1}, {Node: "b", Done: true, Attempts: 1},
		{Node: "p", Done: true, Attempts: 1}, {Node: "c", Done: true, Attempts: 1}, {Node: "d", Attempts: 1},
	}})
	if diff := cmp.Diff([]string{"d#2", "e#1"}, s.starts()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestMachine_resumeInALoop: a for_each interrupted at its second item
// goes on from that item.
func TestMachine_resumeInALoop(t *testing.T) {
	src := `nodes: [{id: list, type: cli, outputs: {items: {type: array}}}, {id: each, type: cli}]
edges: [{from: list, to: each, mode: loop, for_each: "outputs.list.items"}]`
	s := newSim(t, head+src, machine.Options{}, map[string][]outcome{
		"list": {ok(map[string]any{"items": []any{"x", "y", "z"}})}, "each": {ok(nil), hangs()},
	})
	s.feed(machine.Begin{})
	for s.line("emit node_started each#1") < 0 || s.line("emit node_started each#1") == s.lastLine("emit node_started each#1") && s.count("emit node_started each") < 2 {
		if !s.next() {
			t.Fatal("ran out of events")
		}
	}
	s.restore()
	s.script["each"] = []outcome{ok(nil)}
	if diff := cmp.Diff([]string{"each@1#2 item=y", "each@2#1 item=z"}, s.continueWithItems(machine.Resume{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func (s *sim) count(prefix string) int {
	n := 0
	for _, l := range s.trace {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

func (s *sim) lastLine(prefix string) int {
	for i := len(s.trace) - 1; i >= 0; i-- {
		if strings.HasPrefix(s.trace[i], prefix) {
			return i
		}
	}
	return -1
}

func (s *sim) continueWithItems(e machine.Event) []string {
	before := len(s.trace)
	s.continueWith(e)
	var out []string
	for _, l := range s.trace[before:] {
		if rest, ok := strings.CutPrefix(l, "start "); ok {
			out = append(out, strings.Join(strings.Fields(rest)[:2], " "))
		}
	}
	return out
}
