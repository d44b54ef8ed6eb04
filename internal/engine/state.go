package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/expr"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/secret"
	"github.com/osopdev/osop/internal/validate"
)

// arcState is how far an arc has been decided.
type arcState uint8

const (
	arcPending  arcState = iota
	arcTaken             // the target may run because of it
	arcNotTaken          // a condition, case or failure path that did not apply
	arcBlocked           // the source failed, or was itself blocked
	arcWaiting           // an event edge waiting for its signal
)

// node is the scheduler's state for one node. Only the scheduler goroutine
// touches it.
type node struct {
	n         *ast.Node
	status    run.Status
	reason    string
	attempts  int // attempts of the current iteration, base included
	base      int // attempts an earlier part of the run made (resume)
	iteration int
	started   time.Time
	ended     time.Time
	code      string
	message   string
	outputs   map[string]any
	handled   bool // its failure was taken up by a fallback/error/timeout edge
	// for_each: the items, the iterator's name, and what each iteration gave
	items    []any
	itemVar  string
	itemsOut []any
	loops    map[int]int // loop arc -> iterations done
}

// scheduler owns a run's state.
type scheduler struct {
	opts      Options
	w         *ast.Workflow
	g         *graph.Graph
	anc       []graph.Set
	pos       []int            // topological position of each node
	producers map[string][]int // output name -> nodes declaring it, by topological position
	nodes     []*node
	arcs      []arcState
	joins     []join
	env       *expr.Env

	// outs holds each node's outputs for workers, which read them while
	// the scheduler goes on; a node's map never changes once stored.
	outs []atomic.Pointer[map[string]any]
	// Maps CEL reads, kept up to date by the scheduler.
	outputsAll  map[string]any
	statusAll   map[string]any
	errorAll    map[string]any
	durationAll map[string]any

	ready     []int
	running   int
	waiting   int // event arcs waiting for a signal
	stopping  bool
	ctx       context.Context
	results   chan message
	unhandled []string
	recovered bool
	started   time.Time
	planning  bool     // a dry run: unknown values become placeholders
	env0      []string // the process environment, built once
}

// join is how a node waits for its incoming arcs.
type join struct {
	mode  string // wait_all, wait_any, wait_n
	count int
}

func newScheduler(opts Options) (*scheduler, error) {
	if opts.Masker == nil {
		opts.Masker = &secret.Masker{}
	}
	opts.Masker.Add(slices.Collect(maps.Values(opts.Secrets))...)
	w := opts.Workflow
	g := graph.New(w)
	s := &scheduler{
		opts: opts, w: w, g: g, anc: g.Ancestors(),
		pos:         make([]int, len(g.Nodes)),
		producers:   map[string][]int{},
		nodes:       make([]*node, len(g.Nodes)),
		arcs:        make([]arcState, len(g.Arcs)),
		joins:       make([]join, len(g.Nodes)),
		outs:        make([]atomic.Pointer[map[string]any], len(g.Nodes)),
		outputsAll:  map[string]any{},
		statusAll:   map[string]any{},
		errorAll:    map[string]any{},
		durationAll: map[string]any{},
		results:     make(chan message, 64),
	}
	order := g.TopoOrder()
	for k, i := range order {
		s.pos[i] = k
	}
	env, err := expr.NewEnv(validate.CELDecls(w, slices.Sorted(maps.Keys(opts.Vars))))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidOptions, err)
	}
	s.env = env
	s.env0 = s.processEnv()
	for _, i := range order {
		for _, o := range g.Nodes[i].Outputs {
			s.producers[o.Name] = append(s.producers[o.Name], i)
		}
	}
	for i, n := range g.Nodes {
		s.nodes[i] = &node{n: n, status: run.Pending, loops: map[int]int{}}
		s.statusAll[n.ID.V] = "pending"
		s.errorAll[n.ID.V] = ""
		s.durationAll[n.ID.V] = time.Duration(0)
		s.joins[i] = join{mode: "wait_all"}
		for _, a := range g.In(i) {
			if m := a.Edge.JoinMode.V; m != "" {
				s.joins[i] = join{mode: m, count: a.Edge.JoinCount}
				break
			}
		}
	}
	return s, nil
}

// isBackLoop reports whether loop arc k goes back to its source or to one
// of its ancestors: a loop over a body of nodes, re-entered at the target.
func (s *scheduler) isBackLoop(k int) bool {
	a := s.g.Arcs[k]
	return a.IsLoop() && (a.From == a.To || s.anc[a.From].Has(a.To))
}

// setStatus records a node's status where CEL's status() sees it.
func (s *scheduler) setStatus(i int, st run.Status) {
	n := s.nodes[i]
	n.status = st
	s.statusAll[n.n.ID.V] = celStatus(st)
}

// celStatus is the word status(node) gives in conditions.
func celStatus(st run.Status) string {
	switch st {
	case run.Completed:
		return "completed"
	case run.Failed:
		return "failed"
	case run.TimedOut:
		return "timeout"
	case run.Skipped:
		return "skipped"
	case run.Blocked:
		return "blocked"
	case run.Running, run.Waiting:
		return "running"
	case run.Cancelled:
		return "cancelled"
	}
	return "pending"
}

// setOutputs publishes a node's outputs to workers and to CEL.
func (s *scheduler) setOutputs(i int, out map[string]any) {
	n := s.nodes[i]
	n.outputs = out
	if out == nil {
		s.outs[i].Store(nil)
		delete(s.outputsAll, n.n.ID.V)
		return
	}
	s.outs[i].Store(&out)
	s.outputsAll[n.n.ID.V] = out
}
