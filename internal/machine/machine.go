package machine

import (
	"errors"
	"fmt"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/run"
)

// Options are what the machine needs to know beyond the graph.
type Options struct {
	// RunID and WorkflowID appear in messages.
	RunID      string
	WorkflowID string
	// Retry is the workflow's default retry policy, for nodes with none.
	Retry *ast.Retry
	// Timeout bounds the whole run; 0 means none.
	Timeout time.Duration
	// MaxParallel bounds the attempts running at once; 0 means no bound.
	MaxParallel int
	// FailFast stops the run at the first failure nothing handles.
	FailFast bool
	// Signals says whether signals can reach the run; without them an
	// event edge is not taken.
	Signals bool
	// SignalOnce says each signal comes once (a simulated run, which
	// delivers every signal at once and no other): an event edge whose
	// when does not hold for it is not taken, rather than waiting for a
	// next signal that never comes.
	SignalOnce bool
	// MaxIterations bounds a while-loop that sets no max_iterations;
	// 0 means 100.
	MaxIterations int
	// LoopBound bounds a rework loop (a cycle through a conditional,
	// fallback, error or timeout edge) that neither its edges nor its
	// first node bound with max_iterations; 0 means 10.
	LoopBound int
	// Eval evaluates CEL expressions. It must not change the machine.
	Eval Evaluator
}

// For returns the options a workflow itself sets: its id, default retry
// policy and timeout. Drivers start from these and add their own.
func For(w *ast.Workflow) Options {
	o := Options{WorkflowID: w.ID.V, Retry: w.Retry}
	if w.Timeout != nil {
		o.Timeout = w.Timeout.D
	}
	return o
}

// Evaluator evaluates an expression in the scope of a node. The driver
// reads the run's values (outputs, statuses, errors, durations) from the
// machine's accessors.
type Evaluator interface {
	Eval(src string, sc Scope) (any, error)
}

// Scope is where an expression is evaluated.
type Scope struct {
	Node      int
	Iteration int
	Attempt   int
	// Event is the signal an event edge's condition reads; nil otherwise.
	Event map[string]any
}

// defaultMaxIterations bounds a while-loop that sets no max_iterations.
const defaultMaxIterations = 100

// defaultLoopBound bounds a rework loop that sets no max_iterations.
const defaultLoopBound = 10

// Machine decides a run. It is not safe for concurrent use: one driver
// goroutine (or one workflow) owns it.
type Machine struct {
	g     *graph.Graph
	opts  Options
	order []int
	anc   []graph.Set
	back  []bool // the arc is a loop back to its source or an ancestor
	// guard marks the back arcs that are not loop edges: each closes a
	// rework loop, whose cycle loops[k] is.
	guard []bool
	loops map[int]graph.Loop
	joins []join
	st    State

	// Derived from st, kept for the evaluator; rebuilt by New.
	timers    map[int]int // timer id -> node, or -1 for the run's timer
	outputs   map[string]any
	statuses  map[string]any
	errs      map[string]any
	durations map[string]any

	acts []Action // what the current Apply returns
}

// join is how a node waits for its incoming arcs.
type join struct {
	mode  string // wait_all, wait_any, wait_n
	count int
}

// ErrState reports a prior state that does not belong to the graph.
var ErrState = errors.New("state does not match the workflow")

// New returns a machine for graph g. With prior it continues from that
// state (which it does not change); otherwise the run has not begun and
// waits for [Begin].
func New(g *graph.Graph, opts Options, prior *State) (*Machine, error) {
	if opts.Eval == nil {
		return nil, errors.New("machine: an evaluator is required")
	}
	if opts.MaxIterations <= 0 {
		opts.MaxIterations = defaultMaxIterations
	}
	if opts.LoopBound <= 0 {
		opts.LoopBound = defaultLoopBound
	}
	m := &Machine{g: g, opts: opts, order: g.TopoOrder(), anc: g.Ancestors()}
	m.back = make([]bool, len(g.Arcs))
	m.guard = make([]bool, len(g.Arcs))
	for k, a := range g.Arcs {
		m.guard[k] = g.IsBack(k)
		m.back[k] = m.guard[k] || (a.IsLoop() && (a.From == a.To || m.anc[a.From].Has(a.To)))
	}
	m.loops = map[int]graph.Loop{}
	for _, l := range g.Loops() {
		m.loops[l.Back] = l
	}
	m.joins = make([]join, len(g.Nodes))
	for i := range g.Nodes {
		m.joins[i] = join{mode: "wait_all"}
		for _, a := range g.In(i) {
			if mode := a.Edge.JoinMode.V; mode != "" {
				m.joins[i] = join{mode: mode, count: a.Edge.JoinCount}
				break
			}
		}
	}
	if prior == nil {
		m.st = State{Version: stateVersion, Nodes: make([]NodeState, len(g.Nodes)), Arcs: make([]ArcState, len(g.Arcs))}
		for i, n := range g.Nodes {
			m.st.Nodes[i] = NodeState{ID: n.ID.V, Status: run.Pending}
		}
	} else {
		if err := m.check(prior); err != nil {
			return nil, err
		}
		m.st = *prior.clone()
	}
	m.rebuild()
	return m, nil
}

func (m *Machine) check(s *State) error {
	if s.Version != stateVersion {
		return fmt.Errorf("%w: state version %d, want %d", ErrState, s.Version, stateVersion)
	}
	if len(s.Nodes) != len(m.g.Nodes) || len(s.Arcs) != len(m.g.Arcs) {
		return fmt.Errorf("%w: %d nodes and %d arcs, the workflow has %d and %d", ErrState,
			len(s.Nodes), len(s.Arcs), len(m.g.Nodes), len(m.g.Arcs))
	}
	for i, n := range m.g.Nodes {
		if s.Nodes[i].ID != n.ID.V {
			return fmt.Errorf("%w: node %d is %q, the workflow's is %q", ErrState, i, s.Nodes[i].ID, n.ID.V)
		}
	}
	return nil
}

// rebuild derives the evaluator's maps and the timer index from st.
func (m *Machine) rebuild() {
	n := len(m.g.Nodes)
	m.outputs = make(map[string]any, n)
	m.statuses = make(map[string]any, n)
	m.errs = make(map[string]any, n)
	m.durations = make(map[string]any, n)
	m.timers = map[int]int{}
	if m.st.RunTimer != 0 {
		m.timers[m.st.RunTimer] = -1
	}
	for i := range m.st.Nodes {
		s := &m.st.Nodes[i]
		if s.Outputs != nil {
			m.outputs[s.ID] = map[string]any(s.Outputs)
		}
		m.statuses[s.ID] = celStatus(s.Status)
		m.errs[s.ID] = s.Message
		m.durations[s.ID] = s.Took
		for _, t := range []int{s.Deadline, s.Wake} {
			if t != 0 {
				m.timers[t] = i
			}
		}
	}
}

// Apply feeds one event to the machine and returns what the driver must
// do, in order. An event that does not fit the state (a late timer, an
// attempt that is not running, a node the workflow does not have) changes
// nothing.
func (m *Machine) Apply(e Event) []Action {
	m.acts = make([]Action, 0, 8)
	switch e := e.(type) {
	case Begin:
		m.begin(e)
	case Started:
		m.started(e)
	case Finished:
		m.finished(e)
	case TimerFired:
		m.timerFired(e)
	case Decided:
		m.decided(e)
	case Signalled:
		m.signalled(e)
	case Cancel:
		m.stop(StopCause{Cancelled: true, Reason: "the run was cancelled"})
	case Resume:
		m.resume()
	case RetryFrom:
		m.retryFrom(e.Node)
	}
	if m.st.Began && !m.st.Finished {
		m.fill()
		m.checkEnd()
	}
	acts := m.acts
	m.acts = nil
	return acts
}

// Snapshot returns a copy of the state, for encoding.
func (m *Machine) Snapshot() *State { return m.st.clone() }

// Finished reports whether the run has ended.
func (m *Machine) Finished() bool { return m.st.Finished }

// Ancestors returns, for each node, the nodes that lead to it (as
// graph.Ancestors computes them, once, for the machine): read only.
func (m *Machine) Ancestors() []graph.Set { return m.anc }

// Graph returns the machine's graph.
func (m *Machine) Graph() *graph.Graph { return m.g }

// Node returns node i's state. Its maps and slices are the machine's:
// read them, do not change them.
func (m *Machine) Node(i int) NodeState { return m.st.Nodes[i] }

// Outputs maps each node id to its outputs, as conditions see them
// (outputs.<node>). The map is the machine's: read it only while no Apply
// runs.
func (m *Machine) Outputs() map[string]any { return m.outputs }

// NodeOutputs returns node i's outputs, or nil.
func (m *Machine) NodeOutputs(i int) map[string]any {
	if o := m.st.Nodes[i].Outputs; o != nil {
		return map[string]any(o)
	}
	return nil
}

// Statuses maps node ids to the words status(node) gives.
func (m *Machine) Statuses() map[string]any { return m.statuses }

// Errors maps node ids to their last error message (error_of(node)).
func (m *Machine) Errors() map[string]any { return m.errs }

// Durations maps node ids to how long their attempts ran
// (duration_of(node)).
func (m *Machine) Durations() map[string]any { return m.durations }

// act queues an action.
func (m *Machine) act(a Action) { m.acts = append(m.acts, a) }

// emit queues an event for the record.
func (m *Machine) emit(e run.Event) { m.act(Emit{Event: e}) }

// note records a message about node i.
func (m *Machine) note(i int, format string, args ...any) {
	m.emit(run.Event{Kind: run.RunLogMessage, Node: m.id(i), Message: fmt.Sprintf(format, args...)})
}

func (m *Machine) id(i int) string { return m.g.Nodes[i].ID.V }

func (m *Machine) typ(i int) string { return m.g.Nodes[i].Type.V }

func (m *Machine) node(i int) *NodeState { return &m.st.Nodes[i] }

// setStatus records a node's status where status() sees it.
func (m *Machine) setStatus(i int, st run.Status) {
	n := m.node(i)
	n.Status = st
	m.statuses[n.ID] = celStatus(st)
}

// setOutputs records a node's outputs and publishes them.
func (m *Machine) setOutputs(i int, out map[string]any) {
	n := m.node(i)
	if out == nil {
		if n.Outputs == nil {
			return
		}
		n.Outputs = nil
		delete(m.outputs, n.ID)
	} else {
		n.Outputs = Values(out)
		m.outputs[n.ID] = out
	}
	m.act(Publish{Node: i, Outputs: out})
}

func (m *Machine) setError(i int, msg string) {
	n := m.node(i)
	n.Message = msg
	m.errs[n.ID] = msg
}

func (m *Machine) setTook(i int, d time.Duration) {
	n := m.node(i)
	n.Took = d
	m.durations[n.ID] = d
}

// setTimer asks for a timer for node i (-1: the run) and returns its id.
func (m *Machine) setTimer(d time.Duration, kind TimerKind, i int) int {
	m.st.NextTimer++
	id := m.st.NextTimer
	m.timers[id] = i
	m.act(SetTimer{Timer: id, Delay: d, Kind: kind, Node: i})
	return id
}

// cancelTimer cancels the timer *id holds, if any, and clears it.
func (m *Machine) cancelTimer(id *int) {
	if *id == 0 {
		return
	}
	delete(m.timers, *id)
	m.act(CancelTimer{Timer: *id})
	*id = 0
}

// index finds a node by id.
func (m *Machine) index(id string) (int, bool) { return m.g.Index(id) }

// SignalName is what event arc k waits for: its signal field, else its
// label, else the target's id.
func SignalName(g *graph.Graph, k int) string {
	a := g.Arcs[k]
	if v, ok := a.Edge.Raw.Get("signal").String(); ok && v != "" {
		return v
	}
	if a.Edge.Label.V != "" {
		return a.Edge.Label.V
	}
	return g.Nodes[a.To].ID.V
}
