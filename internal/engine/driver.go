package engine

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/expr"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/machine"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/secret"
	"github.com/osopdev/osop/internal/validate"
)

// TimeoutError is the cause of a context that ran out of time.
type TimeoutError struct {
	What  string
	Limit time.Duration
}

func (e *TimeoutError) Error() string { return fmt.Sprintf("%s timed out after %s", e.What, e.Limit) }

// Timeout marks the error as a timeout for errors.As checks.
func (e *TimeoutError) Timeout() bool { return true }

// driver carries out a run's decision machine on this machine: processes
// and executors in goroutines, timers, approvals and signals, and the
// record. One goroutine (run's) owns the machine and everything below
// that is not marked otherwise; workers and waiters report back on inbox.
type driver struct {
	opts Options
	w    *ast.Workflow
	g    *graph.Graph
	// nodeConfig is what executors see of a node (NodeConfigs of w).
	nodeConfig func(*ast.Node) executor.NodeConfig
	m          *machine.Machine
	anc        []graph.Set
	pos        []int            // topological position of each node
	producers  map[string][]int // output name -> nodes declaring it, by topological position
	env        *expr.Env
	env0       []string // the process environment, built once
	planning   bool     // a dry run: unknown values become placeholders

	// outs mirrors each node's published outputs for workers, which read
	// them while the run goes on; a stored map never changes.
	outs []atomic.Pointer[map[string]any]

	base     context.Context // the run's context, which only the driver cancels
	inbox    chan report
	evals    chan evalRequest
	notes    chan run.Event // executors' progress lines, for the sink
	quit     chan struct{}  // closed when the run is over
	later    []report       // events the driver itself gives, taken before the inbox
	attempts map[attemptKey]context.CancelCauseFunc
	waits    map[attemptKey]context.CancelFunc // approvals asked for
	signals  []context.CancelFunc
	timers   map[int]*time.Timer
	started  time.Time
	result   *Result

	// History: what the evaluator answered in the current step, and,
	// while replaying, what it answered when the step first happened.
	replaying bool
	evalLog   []recordedEval
	recorded  []recordedEval
}

type attemptKey struct {
	node, iteration, attempt int
}

// report is an event from a worker, a waiter or a timer, with what an
// attempt printed and spent (for the record of its end).
type report struct {
	ev             machine.Event
	stdout, stderr string
	usage          *run.Usage
}

func newDriver(opts Options) (*driver, error) {
	if opts.Masker == nil {
		opts.Masker = &secret.Masker{}
	}
	opts.Masker.Add(slices.Collect(maps.Values(opts.Secrets))...)
	w := opts.Workflow
	g := graph.New(w)
	d := &driver{
		opts: opts, w: w, g: g, nodeConfig: NodeConfigs(w),
		pos:       make([]int, len(g.Nodes)),
		producers: map[string][]int{},
		outs:      make([]atomic.Pointer[map[string]any], len(g.Nodes)),
	}
	for k, i := range g.TopoOrder() {
		d.pos[i] = k
		n := g.Nodes[i]
		if n.Type.V == "human" {
			for _, o := range validate.HumanOutputs {
				if !n.HasOutput(o.Name) {
					d.producers[o.Name] = append(d.producers[o.Name], i)
				}
			}
		}
		for _, o := range n.Outputs {
			d.producers[o.Name] = append(d.producers[o.Name], i)
		}
		for _, name := range opts.Registry.ImplicitOutputs(n.Type.V) { // {{rows}} of a db node
			if !n.HasOutput(name) {
				d.producers[name] = append(d.producers[name], i)
			}
		}
	}
	env, err := expr.NewEnv(validate.CELDecls(w, slices.Sorted(maps.Keys(opts.Vars))))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOptions, err)
	}
	d.env = env
	d.env0 = d.processEnv()
	mo := machine.For(w)
	mo.RunID, mo.MaxParallel, mo.FailFast, mo.Signals, mo.Eval = string(opts.RunID), opts.MaxParallel, opts.FailFast, opts.Signals != nil, d
	mo.MaxIterations, mo.LoopBound = opts.MaxIterations, opts.MaxIterations
	mo.SignalOnce = opts.NoWaits // a simulation's signals come at once, and once
	if d.m, err = machine.New(g, mo, nil); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOptions, err)
	}
	d.anc = d.m.Ancestors() // computed once: O(nodes²) bits
	return d, nil
}

func (d *driver) now() time.Time { return d.opts.Now() }

// run drives the machine until the run ends.
func (d *driver) run(parent context.Context) (*Result, error) {
	d.base = context.WithoutCancel(parent)
	d.inbox = make(chan report, 64)
	d.evals = make(chan evalRequest)
	d.notes = make(chan run.Event, 16)
	d.quit = make(chan struct{})
	d.attempts = map[attemptKey]context.CancelCauseFunc{}
	d.waits = map[attemptKey]context.CancelFunc{}
	d.timers = map[int]*time.Timer{}
	d.started = d.now()
	defer d.stopAll()
	d.sink(run.Event{Kind: run.RunStarted, Message: d.w.Name.V})
	first, err := d.first()
	if err != nil {
		return nil, err
	}
	d.feed(first, report{})
	done := parent.Done()
	for !d.m.Finished() {
		if len(d.later) > 0 {
			r := d.later[0]
			d.later = d.later[1:]
			d.feed(r.ev, r)
			continue
		}
		select {
		case r := <-d.inbox:
			d.feed(r.ev, r)
		case q := <-d.evals:
			v, err := d.evalWith(q.node, q.src, q.item, q.itemVar, nil)
			q.reply <- evalReply{v, err}
		case e := <-d.notes:
			d.sink(e)
		case <-done:
			done = nil // running attempts are stopped and report back
			d.feed(machine.Cancel{}, report{})
		}
	}
	return d.result, nil
}

// first replays the recorded history, if any, and returns the event that
// continues the run.
func (d *driver) first() (machine.Event, error) {
	if len(d.opts.Replay) == 0 {
		return machine.Begin{Seed: d.seed(), Reuse: d.reuse()}, nil
	}
	if err := d.replay(d.opts.Replay); err != nil {
		return nil, fmt.Errorf("%w: replaying the run's history: %v", ErrInvalidOptions, err)
	}
	if d.opts.RetryFrom != "" {
		if _, ok := d.g.Index(d.opts.RetryFrom); !ok {
			return nil, fmt.Errorf("%w: the workflow has no node %q", ErrInvalidOptions, d.opts.RetryFrom)
		}
		return machine.RetryFrom{Node: d.opts.RetryFrom}, nil
	}
	return machine.Resume{}, nil
}

func (d *driver) seed() uint64 {
	if d.opts.Seed != 0 {
		return d.opts.Seed
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return binary.LittleEndian.Uint64(b[:])
}

// reuse turns Options.Resume into the machine's priors, in node order.
func (d *driver) reuse() []machine.Prior {
	var out []machine.Prior
	for _, n := range d.g.Nodes {
		p, ok := d.opts.Resume[n.ID.V]
		if !ok {
			continue
		}
		out = append(out, machine.Prior{Node: n.ID.V, Done: p.Status == run.Completed, Outputs: p.Outputs, Attempts: p.Attempts})
	}
	return out
}

// feed gives the machine one event: the step is journaled with the
// records it caused before any of its actions is carried out.
func (d *driver) feed(ev machine.Event, r report) {
	if f, ok := ev.(machine.Finished); ok {
		d.release(f)
	}
	d.evalLog = nil
	acts := d.m.Apply(ev)
	events := d.records(acts, r)
	if d.opts.Journal != nil {
		line, err := d.encodeStep(ev)
		if err != nil {
			d.sink(run.Event{Kind: run.RunLogMessage, Message: "the run's history could not be written: " + err.Error()})
		} else {
			d.opts.Journal.Step(line, events)
		}
	}
	k := 0
	for _, a := range acts {
		if _, ok := a.(machine.Emit); ok {
			d.sink(events[k])
			k++
			continue
		}
		d.do(a)
	}
}

// release forgets a finished attempt's cancel function.
func (d *driver) release(f machine.Finished) {
	i, ok := d.g.Index(f.Node)
	if !ok {
		return
	}
	k := attemptKey{i, f.Iteration, f.Attempt}
	if c := d.attempts[k]; c != nil {
		c(nil)
		delete(d.attempts, k)
	}
}

// records completes the events the step emits: time, run id, what the
// attempt printed, secrets masked.
func (d *driver) records(acts []machine.Action, r report) []run.Event {
	out := make([]run.Event, 0, len(acts))
	for _, a := range acts {
		em, ok := a.(machine.Emit)
		if !ok {
			continue
		}
		e := em.Event
		if f, ok := r.ev.(machine.Finished); ok && (e.Kind == run.NodeFinished || e.Kind == run.NodeRetrying) &&
			e.Node == f.Node && e.Iteration == f.Iteration && e.Attempt == f.Attempt {
			e.Stdout, e.Stderr, e.Usage = r.stdout, r.stderr, r.usage
		}
		out = append(out, d.stamp(e))
	}
	return out
}

// stamp dates an event and masks what it says.
func (d *driver) stamp(e run.Event) run.Event {
	e.Time = d.now()
	if e.Kind == run.NodeFinished && e.Code == run.CodeInterrupted && d.opts.Interrupted != nil {
		if started, ended, ok := d.opts.Interrupted(e.Node, e.Iteration, e.Attempt); ok {
			// In whole milliseconds of the times as records write
			// them, so that duration_ms is ended_at − started_at.
			e.Time, e.Duration = ended, ended.Truncate(time.Millisecond).Sub(started.Truncate(time.Millisecond))
		}
	}
	e.RunID = d.opts.RunID
	m := d.opts.Masker
	if !m.Empty() {
		e.Message, e.Action = m.Mask(e.Message), m.Mask(e.Action)
		e.Stdout, e.Stderr = m.Mask(e.Stdout), m.Mask(e.Stderr)
		if e.Outputs != nil {
			e.Outputs = m.Any(e.Outputs).(map[string]any)
		}
		if e.Extra != nil {
			extra := make(map[string]string, len(e.Extra))
			for k, v := range e.Extra {
				extra[k] = m.Mask(v)
			}
			e.Extra = extra
		}
	}
	return e
}

// sink hands an event to Options.Sink.
func (d *driver) sink(e run.Event) {
	if d.opts.Sink == nil {
		return
	}
	if e.Time.IsZero() {
		e = d.stamp(e)
	}
	d.opts.Sink(e)
}

// do carries out one action of the machine.
func (d *driver) do(a machine.Action) {
	switch a := a.(type) {
	case machine.Start:
		d.start(a)
	case machine.Stop:
		d.stopAttempt(a)
	case machine.Publish:
		if a.Outputs == nil {
			d.outs[a.Node].Store(nil)
		} else {
			out := a.Outputs
			d.outs[a.Node].Store(&out)
		}
	case machine.SetTimer:
		id, delay := a.Timer, a.Delay
		if d.opts.NoWaits && a.Kind == machine.TimerRetry {
			delay = 0 // a simulation retries at once; the journal keeps the delay
		}
		d.timers[id] = time.AfterFunc(delay, func() { d.post(report{ev: machine.TimerFired{Timer: id}}) })
	case machine.CancelTimer:
		if t := d.timers[a.Timer]; t != nil {
			t.Stop()
			delete(d.timers, a.Timer)
		}
	case machine.AwaitDecision:
		d.ask(a)
	case machine.AwaitSignal:
		d.waitSignal(a)
	case machine.Finish:
		d.finish(a)
	}
}

// post sends a report to the driver, unless the run is over.
func (d *driver) post(r report) {
	select {
	case d.inbox <- r:
	case <-d.quit:
	}
}

// finish builds the result and records the end of the run.
func (d *driver) finish(f machine.Finish) {
	res := &Result{Status: f.Status, Recovered: f.Recovered, Failures: f.Failures, Nodes: map[string]NodeResult{},
		Started: d.started, Ended: d.now()}
	for _, i := range d.g.TopoOrder() {
		n := d.m.Node(i)
		res.Nodes[n.ID] = NodeResult{Status: n.Status, Reason: n.Reason, Attempts: n.Attempt, Outputs: d.m.NodeOutputs(i)}
	}
	msg := string(res.Status)
	if res.Recovered {
		msg = "completed after a failure was handled"
	}
	d.sink(run.Event{Kind: run.RunFinished, Status: res.Status, Duration: res.Ended.Sub(res.Started),
		Message: msg, Extra: map[string]string{"failures": strings.Join(res.Failures, "; ")}})
	d.result = res
}

// stopAll ends whatever the run left waiting: timers, approvals, signal
// waits; workers are all done by then.
func (d *driver) stopAll() {
	if d.quit != nil {
		close(d.quit)
	}
	for _, t := range d.timers {
		t.Stop()
	}
	for _, c := range d.waits {
		c()
	}
	for _, c := range d.signals {
		c()
	}
	for _, c := range d.attempts {
		c(context.Canceled)
	}
}
