package machine_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/machine"
	"github.com/osopdev/osop/internal/run"
)

var graphs = flag.Int("graphs", 150, "random workflows per property test")

// randomWorkflow writes a random workflow (chains, diamonds, fan-out and
// fan-in, joins, conditions, fallbacks, error and timeout edges, retries,
// while and for_each loops, back loops, rework loops (conditional and
// fallback edges back), approval gates, event edges) and
// a random script of what each node's attempts do.
func randomWorkflow(r *rand.Rand) (string, map[string][]outcome, map[string][]map[string]any) {
	n := 2 + r.IntN(9)
	var nodes, edges []string
	script := map[string][]outcome{}
	signals := map[string][]map[string]any{}
	for i := range n {
		id := fmt.Sprintf("n%d", i)
		spec := fmt.Sprintf("{id: %s, type: cli, outputs: {ok: {type: boolean}, count: {type: integer}, items: {type: array}}", id)
		timeout := r.IntN(6) == 0
		if timeout {
			spec += ", timeout: 50ms"
		}
		if r.IntN(4) == 0 {
			spec += fmt.Sprintf(", retry_policy: {max_retries: %d, backoff_sec: 0.01, jitter: %v}", 1+r.IntN(2), r.IntN(2) == 0)
		}
		if r.IntN(8) == 0 {
			spec += ", approval_gate: true"
		}
		nodes = append(nodes, "  - "+spec+"}")
		script[id] = randomOutcomes(r, timeout)
		if i == 0 {
			continue
		}
		preds := []int{r.IntN(i)}
		if i > 1 && r.IntN(3) == 0 {
			if q := r.IntN(i); q != preds[0] {
				preds = append(preds, q)
			}
		}
		for k, p := range preds {
			edges = append(edges, "  - "+randomEdge(r, fmt.Sprintf("n%d", p), id, k == 0 && len(preds) > 1, signals))
		}
		if r.IntN(8) == 0 {
			edges = append(edges, fmt.Sprintf("  - {from: %s, to: %s, mode: loop, when: \"count < 3\", max_iterations: 4}", id, id))
		}
		if r.IntN(10) == 0 && preds[0] != i {
			edges = append(edges, fmt.Sprintf("  - {from: %s, to: n%d, mode: loop, when: \"count < 2\", max_iterations: 3}", id, preds[0]))
		}
		// Rework loops: guarded back edges of other modes.
		switch r.IntN(10) {
		case 0:
			edges = append(edges, fmt.Sprintf("  - {from: %s, to: n%d, mode: conditional, when: \"!ok\", max_iterations: 3}", id, r.IntN(i+1)))
		case 1:
			edges = append(edges, fmt.Sprintf("  - {from: %s, to: n%d, mode: fallback}", id, r.IntN(i+1)))
		}
	}
	src := head + "nodes:\n" + strings.Join(nodes, "\n") + "\n"
	if len(edges) > 0 {
		src += "edges:\n" + strings.Join(edges, "\n") + "\n"
	}
	return src, script, signals
}

func randomEdge(r *rand.Rand, from, to string, joins bool, signals map[string][]map[string]any) string {
	join := ""
	if joins {
		join = []string{"", ", join_mode: wait_any", ", join_mode: wait_n, join_count: 1"}[r.IntN(3)]
	}
	switch r.IntN(12) {
	case 0, 1:
		return fmt.Sprintf("{from: %s, to: %s, mode: parallel%s}", from, to, join)
	case 2:
		return fmt.Sprintf("{from: %s, to: %s, mode: conditional, when: \"ok\"%s}", from, to, join)
	case 3:
		return fmt.Sprintf("{from: %s, to: %s, mode: fallback%s}", from, to, join)
	case 4:
		return fmt.Sprintf("{from: %s, to: %s, mode: error, when: \"status('%s') == 'failed'\"%s}", from, to, from, join)
	case 5:
		return fmt.Sprintf("{from: %s, to: %s, mode: timeout%s}", from, to, join)
	case 6:
		return fmt.Sprintf("{from: %s, to: %s, mode: loop, for_each: \"outputs.%s.items\"%s}", from, to, from, join)
	case 7:
		name := "go_" + to
		for range r.IntN(3) {
			signals[name] = append(signals[name], map[string]any{"yes": r.IntN(2) == 0})
		}
		return fmt.Sprintf("{from: %s, to: %s, mode: event, signal: %s, when: \"event.data.yes\"%s}", from, to, name, join)
	}
	return fmt.Sprintf("{from: %s, to: %s%s}", from, to, join)
}

func randomOutcomes(r *rand.Rand, canHang bool) []outcome {
	var out []outcome
	for k := range 1 + r.IntN(3) {
		o := outcome{took: time.Duration(1+r.IntN(40)) * time.Millisecond}
		switch r.IntN(6) {
		case 0:
			o.code, o.retryable = run.CodeExit, r.IntN(2) == 0
		case 1:
			if canHang {
				o.hang = true
			}
		}
		if o.code == "" {
			items := make([]any, r.IntN(3))
			for j := range items {
				items[j] = int64(j)
			}
			o.out = map[string]any{"ok": r.IntN(2) == 0, "count": int64(k + 1), "items": items}
		}
		out = append(out, o)
	}
	return out
}

// simulate runs a random workflow to its end, cancelling it when it
// waits for nothing that can come (a signal nobody sends).
func simulate(t *testing.T, r *rand.Rand, src string, script map[string][]outcome, signals map[string][]map[string]any) *sim {
	t.Helper()
	s := newSim(t, src, machine.Options{Signals: true, MaxParallel: r.IntN(4)}, script)
	for k, v := range signals {
		s.signals[k] = append([]map[string]any(nil), v...)
	}
	if r.IntN(3) == 0 {
		s.decide = map[string]bool{}
		for i := range 10 {
			s.decide[fmt.Sprintf("n%d", i)] = r.IntN(3) != 0
		}
	}
	s.feed(machine.Begin{Seed: r.Uint64()})
	cancelled := false
	for steps := 0; s.finish == nil; steps++ {
		if steps > 5000 {
			t.Fatalf("no end after %d steps:\n%s\n%s", steps, src, strings.Join(s.trace, "\n"))
		}
		if !s.next() {
			if cancelled {
				b, _ := json.MarshalIndent(s.m.Snapshot(), "", " ")
				t.Fatalf("cancelled, and still no end:\n%s\n%s\n%s", src, strings.Join(s.trace, "\n"), b)
			}
			cancelled = true
			s.feed(machine.Cancel{})
		}
	}
	return s
}

// fresh returns a machine for the sim's workflow, from a prior state or
// from nothing, with its own evaluator.
func (s *sim) fresh(t *testing.T, prior *machine.State) *machine.Machine {
	t.Helper()
	ev := &celEval{g: s.g, env: s.ev.env, anc: s.ev.anc}
	opts := s.opts
	opts.Eval = ev
	m, err := machine.New(s.g, opts, prior)
	if err != nil {
		t.Fatal(err)
	}
	ev.m = m
	return m
}

func roundTrip(t *testing.T, st *machine.State) *machine.State {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var out machine.State
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func stateJSON(t *testing.T, m *machine.Machine) string {
	b, err := json.Marshal(m.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestProperty_restoredMachineDecidesAlike: for every prefix of a run's
// events, a machine restored from the JSON of the state after the prefix
// gives the next event exactly the actions the uninterrupted machine gave,
// and ends in the same state; replaying the events from nothing does too.
// Every run ends.
func TestProperty_restoredMachineDecidesAlike(t *testing.T) {
	for g := range *graphs {
		seed := uint64(g)
		r := rand.New(rand.NewPCG(seed, 17))
		src, script, signals := randomWorkflow(r)
		s := simulate(t, r, src, script, signals)
		replayed := s.fresh(t, nil)
		for p, e := range s.events {
			restored := s.fresh(t, roundTrip(t, replayed.Snapshot()))
			want := renderAll(s.g, s.acts[p])
			if got := renderAll(s.g, restored.Apply(e)); !cmp.Equal(want, got) {
				t.Fatalf("graph %d, event %d (%T): restored machine differs (-want +got):\n%s\n%s", g, p, e, cmp.Diff(want, got), src)
			}
			if got := renderAll(s.g, replayed.Apply(e)); !cmp.Equal(want, got) {
				t.Fatalf("graph %d, event %d (%T): replayed machine differs (-want +got):\n%s\n%s", g, p, e, cmp.Diff(want, got), src)
			}
			if a, b := stateJSON(t, restored), stateJSON(t, replayed); a != b {
				t.Fatalf("graph %d, event %d: states differ:\n%s\n%s", g, p, a, b)
			}
		}
		if stateJSON(t, replayed) != stateJSON(t, s.m) {
			t.Fatalf("graph %d: replaying every event does not give the run's state", g)
		}
	}
}

// TestProperty_resumeNeverRestartsACompletedNode: kill the run after a
// random prefix (or let it end), restore its state from JSON, resume:
// no node completed at that point starts again, attempt numbers only go
// up, and the resumed run ends.
func TestProperty_resumeNeverRestartsACompletedNode(t *testing.T) {
	for g := range *graphs {
		r := rand.New(rand.NewPCG(uint64(g), 29))
		src, script, signals := randomWorkflow(r)
		s := simulate(t, r, src, copyScript(script), signals)
		cut := r.IntN(len(s.events) + 1)
		again := newSim(t, src, machine.Options{Signals: true, MaxParallel: s.opts.MaxParallel}, copyScript(script))
		for _, e := range s.events[:cut] {
			again.m.Apply(e)
		}
		done := map[string]int{} // node -> the iteration it completed, at the cut
		highest := map[string]int{}
		for i := range again.g.Nodes {
			n := again.m.Node(i)
			if n.Status == run.Completed {
				done[n.ID] = n.Iteration
			} else {
				done[n.ID] = -1
			}
			highest[n.ID] = slices.Max(append([]int{0}, n.Tries...))
		}
		again.restore()
		again.signals = map[string][]map[string]any{}
		for k, v := range signals {
			again.signals[k] = append([]map[string]any(nil), v...)
		}
		var resume machine.Event = machine.Resume{}
		again_ := map[string]bool{} // retry --from: the nodes it may run again
		switch {
		case cut == 0:
			resume = machine.Begin{}
		case r.IntN(2) == 0:
			from := r.IntN(len(again.g.Nodes))
			resume = machine.RetryFrom{Node: again.g.Nodes[from].ID.V}
			for _, x := range descendants(again.g, from) {
				again_[again.g.Nodes[x].ID.V] = true
			}
		}
		again.trace = nil
		again.feed(resume)
		cancelled := false
		for steps := 0; again.finish == nil; steps++ {
			if steps > 5000 {
				t.Fatalf("graph %d: the resumed run does not end", g)
			}
			if !again.next() {
				if cancelled {
					t.Fatalf("graph %d: cancelled, and still no end", g)
				}
				cancelled = true
				again.feed(machine.Cancel{})
			}
		}
		for _, l := range again.trace {
			rest, isStart := strings.CutPrefix(l, "start ")
			if !isStart {
				continue
			}
			parts := strings.FieldsFunc(strings.Fields(rest)[0], func(c rune) bool { return c == '#' || c == '@' })
			node, iteration := parts[0], 0
			if len(parts) == 3 {
				iteration, _ = strconv.Atoi(parts[1])
			}
			// A loop may run a completed node again in a later iteration;
			// never in the one it completed.
			if iteration <= done[node] && !again_[node] {
				t.Fatalf("graph %d, cut %d/%d: %s completed before the cut and started again:\n%s\n%s", g, cut, len(s.events), node, src, strings.Join(again.trace, "\n"))
			}
		}
		for i := range again.g.Nodes {
			n := again.m.Node(i)
			if got := slices.Max(append([]int{0}, n.Tries...)); got < highest[n.ID] {
				t.Fatalf("graph %d: %s's attempts went down from %d to %d", g, n.ID, highest[n.ID], got)
			}
		}
	}
}

// descendants lists node from and every node after it, loops back
// excluded.
func descendants(g *graph.Graph, from int) []int {
	anc := g.Ancestors()
	seen := map[int]bool{from: true}
	out := []int{from}
	for k := 0; k < len(out); k++ {
		for j, a := range g.Out(out[k]) {
			back := g.IsBack(g.OutArcs(out[k])[j]) || a.IsLoop() && (a.From == a.To || anc[a.From].Has(a.To))
			if !back && !seen[a.To] {
				seen[a.To] = true
				out = append(out, a.To)
			}
		}
	}
	return out
}

func copyScript(s map[string][]outcome) map[string][]outcome {
	out := make(map[string][]outcome, len(s))
	for k, v := range s {
		out[k] = append([]outcome(nil), v...)
	}
	return out
}
