package machine_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/expr"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/machine"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/validate"
)

// outcome is what one attempt of a node does in a simulation.
type outcome struct {
	out       map[string]any
	code      string // "" succeeds
	retryable bool
	took      time.Duration // default 1ms
	hang      bool          // never ends by itself: only a Stop ends it
	skipped   string        // a person skipped the step, for this reason
}

func ok(out map[string]any) outcome { return outcome{out: out} }
func fails(code string, retryable bool) outcome {
	return outcome{code: code, retryable: retryable}
}
func slow(d time.Duration) outcome { return outcome{took: d} }
func hangs() outcome               { return outcome{hang: true} }

// sim drives a machine on a virtual clock: attempts end after their
// outcome's time, timers fire when due, signals and decisions arrive as
// scripted. It records every event fed and renders every action.
type sim struct {
	t       *testing.T
	g       *graph.Graph
	m       *machine.Machine
	ev      *celEval
	opts    machine.Options
	script  map[string][]outcome // per node, one per attempt; the last repeats
	clock   time.Duration
	queue   []pending // what will happen, by time
	seq     int
	signals map[string][]map[string]any // data to deliver, per signal name
	decide  map[string]bool             // approval answers per node (default yes)
	events  []machine.Event
	trace   []string
	acts    [][]machine.Action // per event fed
	finish  *machine.Finish
	running map[string]int  // node -> attempts running now
	live    map[string]bool // attempts started and not ended
	most    int             // most attempts running at once
}

// pending is something the simulation will feed at a time.
type pending struct {
	at  time.Duration
	seq int
	ev  machine.Event
	key string // for cancelling: "timer:ID" or "attempt:node#iter#n"
}

// load parses a workflow and builds its graph.
func load(t testing.TB, src string) (*graph.Graph, *celEval) {
	g, ev, _ := loadWorkflow(t, src)
	return g, ev
}

func loadWorkflow(t testing.TB, src string) (*graph.Graph, *celEval, *ast.Workflow) {
	t.Helper()
	doc, ds := parse.Bytes("t.osop.yaml", []byte(src), parse.DefaultLimits)
	if doc.Workflow == nil || ds.HasErrors() {
		t.Fatalf("workflow does not load: %v", ds)
	}
	g := graph.New(doc.Workflow)
	env, err := expr.NewEnv(validate.CELDecls(doc.Workflow, nil))
	if err != nil {
		t.Fatal(err)
	}
	return g, &celEval{g: g, env: env, anc: g.Ancestors()}, doc.Workflow
}

func newSim(t *testing.T, src string, opts machine.Options, script map[string][]outcome) *sim {
	t.Helper()
	g, ev, w := loadWorkflow(t, src)
	base := machine.For(w)
	opts.WorkflowID, opts.Retry, opts.Timeout, opts.RunID = base.WorkflowID, base.Retry, base.Timeout, "r"
	if opts.Eval == nil {
		opts.Eval = ev
	}
	m, err := machine.New(g, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev.m = m
	return &sim{t: t, g: g, m: m, ev: ev, opts: opts, script: script, signals: map[string][]map[string]any{},
		decide: map[string]bool{}, running: map[string]int{}, live: map[string]bool{}}
}

// feed applies one event and carries out its actions.
func (s *sim) feed(e machine.Event) []machine.Action {
	s.events = append(s.events, e)
	acts := s.m.Apply(e)
	s.acts = append(s.acts, acts)
	for _, a := range acts {
		s.trace = append(s.trace, render(s.g, a))
		s.do(a)
	}
	return acts
}

func (s *sim) at(d time.Duration, key string, e machine.Event) {
	s.seq++
	s.queue = append(s.queue, pending{at: s.clock + d, seq: s.seq, ev: e, key: key})
}

func (s *sim) cancel(key string) {
	s.queue = slices.DeleteFunc(s.queue, func(p pending) bool { return p.key == key })
}

func attemptKey(node string, iteration, attempt int) string {
	return fmt.Sprintf("attempt:%s#%d#%d", node, iteration, attempt)
}

func (s *sim) do(a machine.Action) {
	switch a := a.(type) {
	case machine.Start:
		s.running[a.ID]++
		total := 0
		for _, n := range s.running {
			total += n
		}
		s.most = max(s.most, total)
		s.startedLater(a)
	case machine.SetTimer:
		s.at(a.Delay, fmt.Sprintf("timer:%d", a.Timer), machine.TimerFired{Timer: a.Timer})
	case machine.CancelTimer:
		s.cancel(fmt.Sprintf("timer:%d", a.Timer))
	case machine.Stop:
		key := attemptKey(a.ID, a.Iteration, a.Attempt)
		if s.live[key] {
			s.cancel(key)
			code := run.CodeCancelled
			if a.Timeout {
				code = run.CodeTimeout
			}
			s.at(0, key, machine.Finished{Node: a.ID, Iteration: a.Iteration, Attempt: a.Attempt,
				Err: &machine.Failure{Code: code, Message: "stopped", Retryable: a.Timeout}})
		}
	case machine.AwaitDecision:
		yes, set := s.decide[a.ID]
		s.at(time.Millisecond, "decision:"+a.ID, machine.Decided{Node: a.ID, Iteration: a.Iteration, Attempt: a.Attempt,
			Approved: yes || !set, By: "tester"})
	case machine.AwaitSignal:
		if q := s.signals[a.Name]; len(q) > 0 {
			s.signals[a.Name] = q[1:]
			s.at(time.Millisecond, "signal", machine.Signalled{Arc: a.Arc, Name: a.Name, Data: q[0]})
		}
	case machine.Finish:
		f := a
		s.finish = &f
	}
}

// startedLater schedules an attempt's Started now and its end later.
func (s *sim) startedLater(a machine.Start) {
	key := attemptKey(a.ID, a.Iteration, a.Attempt)
	s.live[key] = true
	s.at(0, "started:"+key, machine.Started{Node: a.ID, Iteration: a.Iteration, Attempt: a.Attempt})
	o := s.outcome(a.ID)
	if o.hang {
		return
	}
	took := o.took
	if took == 0 {
		took = time.Millisecond
	}
	f := machine.Finished{Node: a.ID, Iteration: a.Iteration, Attempt: a.Attempt, Outputs: o.out, Took: took, Skipped: o.skipped}
	if o.code != "" {
		f.Err = &machine.Failure{Code: o.code, Message: "failed with " + o.code, Retryable: o.retryable}
	}
	s.at(took, key, f)
}

// outcome takes the next scripted outcome of a node.
func (s *sim) outcome(node string) outcome {
	q := s.script[node]
	if len(q) == 0 {
		return ok(nil)
	}
	o := q[0]
	if len(q) > 1 {
		s.script[node] = q[1:]
	}
	return o
}

// next feeds the earliest pending event; false when nothing is pending.
func (s *sim) next() bool {
	if len(s.queue) == 0 {
		return false
	}
	k := 0
	for i, p := range s.queue {
		if p.at < s.queue[k].at || (p.at == s.queue[k].at && p.seq < s.queue[k].seq) {
			k = i
		}
	}
	p := s.queue[k]
	s.queue = slices.Delete(s.queue, k, k+1)
	s.clock = max(s.clock, p.at)
	if f, isEnd := p.ev.(machine.Finished); isEnd && s.live[p.key] {
		delete(s.live, p.key)
		s.running[f.Node]--
	}
	s.feed(p.ev)
	return true
}

// run begins the run and goes on until it finishes (or a bound).
func (s *sim) run(begin machine.Event) *sim {
	s.t.Helper()
	s.feed(begin)
	for steps := 0; s.finish == nil; steps++ {
		if steps > 10000 || !s.next() {
			s.t.Fatalf("the run did not finish: %d steps, trace:\n%s", steps, strings.Join(s.trace, "\n"))
		}
	}
	return s
}

// starts lists the attempts started, as "node#attempt" (with "@i" for
// iterations after the first).
func (s *sim) starts() []string {
	var out []string
	for _, l := range s.trace {
		if rest, ok := strings.CutPrefix(l, "start "); ok {
			out = append(out, strings.Fields(rest)[0])
		}
	}
	return out
}

func (s *sim) status(node string) run.Status {
	i, ok := s.g.Index(node)
	if !ok {
		s.t.Fatalf("no node %s", node)
	}
	return s.m.Node(i).Status
}

func (s *sim) statuses(nodes ...string) string {
	var parts []string
	for _, n := range nodes {
		parts = append(parts, n+"="+string(s.status(n)))
	}
	return strings.Join(parts, " ")
}

// emitted returns the record events of one kind.
func (s *sim) emitted(kind run.EventKind) []run.Event {
	var out []run.Event
	for _, acts := range s.acts {
		for _, a := range acts {
			if e, ok := a.(machine.Emit); ok && e.Event.Kind == kind {
				out = append(out, e.Event)
			}
		}
	}
	return out
}

// render writes an action compactly, for traces and table tests.
func render(g *graph.Graph, a machine.Action) string {
	switch a := a.(type) {
	case machine.Start:
		s := fmt.Sprintf("start %s#%d", a.ID, a.Attempt)
		if a.Iteration > 0 {
			s = fmt.Sprintf("start %s@%d#%d", a.ID, a.Iteration, a.Attempt)
		}
		if a.HasItem {
			s += fmt.Sprintf(" %s=%v", a.ItemVar, a.Item)
		}
		return s + fmt.Sprintf(" /%d", a.MaxAttempts)
	case machine.Stop:
		if a.Timeout {
			return fmt.Sprintf("stop %s#%d timeout", a.ID, a.Attempt)
		}
		return fmt.Sprintf("stop %s#%d: %s", a.ID, a.Attempt, a.Why)
	case machine.SetTimer:
		return fmt.Sprintf("timer %d %s", a.Timer, a.Delay)
	case machine.CancelTimer:
		return fmt.Sprintf("cancel timer %d", a.Timer)
	case machine.AwaitDecision:
		return fmt.Sprintf("ask %s#%d", a.ID, a.Attempt)
	case machine.AwaitSignal:
		return fmt.Sprintf("await %s", a.Name)
	case machine.Publish:
		return fmt.Sprintf("publish %s %v", g.Nodes[a.Node].ID.V, a.Outputs)
	case machine.Emit:
		e := a.Event
		s := fmt.Sprintf("emit %s %s", e.Kind, e.Node)
		if e.Attempt > 0 {
			s += fmt.Sprintf("#%d", e.Attempt)
		}
		if e.Status != "" {
			s += " " + string(e.Status)
		}
		if e.Code != "" {
			s += " " + e.Code
		}
		if e.Message != "" {
			s += ": " + e.Message
		}
		return s
	case machine.Finish:
		s := "finish " + string(a.Status)
		if a.Recovered {
			s += " recovered"
		}
		if len(a.Failures) > 0 {
			s += ": " + strings.Join(a.Failures, "; ")
		}
		return s
	}
	return fmt.Sprintf("%T", a)
}

// celEval evaluates conditions with the real CEL environment, reading the
// machine's values, as the engine does (bare names: the scope node's own
// outputs, then the nearest earlier node's).
type celEval struct {
	g   *graph.Graph
	env *expr.Env
	anc []graph.Set
	m   *machine.Machine
}

func (c *celEval) Eval(src string, sc machine.Scope) (any, error) {
	p, err := c.env.Program(src)
	if err != nil {
		return nil, err
	}
	return p.Eval(func(name string) (any, bool) {
		switch name {
		case expr.VarOutputs:
			return c.m.Outputs(), true
		case expr.VarStatus:
			return c.m.Statuses(), true
		case expr.VarError:
			return c.m.Errors(), true
		case expr.VarDuration:
			return c.m.Durations(), true
		case expr.VarAttempt:
			return int64(sc.Attempt), true
		case expr.VarLoop:
			return map[string]any{"index": int64(sc.Iteration)}, true
		case expr.VarEvent:
			if sc.Event != nil {
				return sc.Event, true
			}
			return map[string]any{}, true
		case expr.VarInputs, expr.VarEnv, expr.VarMetadata, expr.VarSecrets:
			return map[string]any{}, true
		case expr.VarNow:
			return time.Unix(0, 0), true
		}
		if v, ok := c.m.NodeOutputs(sc.Node)[name]; ok {
			return v, true
		}
		order := c.g.TopoOrder()
		for k := len(order) - 1; k >= 0; k-- {
			if p := order[k]; c.anc[sc.Node].Has(p) {
				if v, ok := c.m.NodeOutputs(p)[name]; ok {
					return v, true
				}
			}
		}
		return nil, false
	})
}
