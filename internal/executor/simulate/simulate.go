// Package simulate stands in for every executor when a run is simulated
// (osop run --simulate): nothing real runs. Each attempt takes the outcome
// its node's scenario gives (completed, failed, timed out or skipped, with
// outputs, after attempts that fail first), or completes with outputs
// made from the node's declarations. The engine and the decision machine
// are the same as in a real run, so conditions, joins, loops, fallbacks,
// retries and timeouts decide as they would.
package simulate

import (
	"context"
	"fmt"
	"sync"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// Outcome is what one attempt of a node does in a simulation.
type Outcome struct {
	// Status is completed (the default), failed, timeout or skipped.
	Status  string
	Outputs map[string]any
	// Error is the failure's message; Code its error code (default
	// EXIT_CODE for failed, TIMEOUT for timeout); Retryable whether a
	// retry policy may try again (default true, as a command's exit is).
	Error     string
	Code      string
	Retryable *bool
	// Line is where the scenario gives it, for messages.
	Line int
}

// The statuses an outcome may have.
const (
	Completed = "completed"
	Failed    = "failed"
	Timeout   = "timeout"
	Skipped   = "skipped"
)

// Scenario gives nodes their outcomes: each attempt of a node takes the
// next of its list, and the last answers every attempt after it.
type Scenario struct {
	mu    sync.Mutex
	nodes map[string][]Outcome
	used  map[string]int
}

// NewScenario returns a scenario with the outcomes given, by node id.
func NewScenario(nodes map[string][]Outcome) *Scenario {
	if nodes == nil {
		nodes = map[string][]Outcome{}
	}
	return &Scenario{nodes: nodes, used: map[string]int{}}
}

// Nodes lists the node ids the scenario gives outcomes for.
func (s *Scenario) Nodes() []string {
	out := make([]string, 0, len(s.nodes))
	for id := range s.nodes {
		out = append(out, id)
	}
	return out
}

// next is the outcome of a node's next attempt; ok is false when the
// scenario says nothing of the node.
func (s *Scenario) next(node string) (Outcome, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	os := s.nodes[node]
	if len(os) == 0 {
		return Outcome{}, false
	}
	k := min(s.used[node], len(os)-1)
	s.used[node]++
	return os[k], true
}

// Registry returns a registry that simulates every node real runs: every
// type of real, and manual steps. real still describes what each node
// would run.
func Registry(real *executor.Registry, sc *Scenario) *executor.Registry {
	if sc == nil {
		sc = NewScenario(nil)
	}
	r := executor.NewRegistry()
	for _, t := range real.Types() {
		r.Register(executor.Info{Type: t, New: func() executor.Executor { return &Sim{real: real, sc: sc} }})
	}
	r.SetManual(executor.Info{New: func() executor.Executor { return &Sim{real: real, sc: sc, manual: true} }})
	return r
}

// Sim is the simulating executor.
type Sim struct {
	real   *executor.Registry
	sc     *Scenario
	manual bool
}

var _ executor.Describer = (*Sim)(nil)

// Describe says what the real executor would run, marked as simulated.
func (s *Sim) Describe(req *executor.Request) (string, error) {
	what := ""
	if ex, ok := s.real.For(configOf(req)); ok {
		if d, ok := ex.(executor.Describer); ok {
			what, _ = d.Describe(req) // a value only a real run has: say what we can
		}
	}
	if what == "" {
		what = "(" + req.NodeType + " node)"
	}
	return "simulated, not run: " + what, nil
}

// predicted are the outputs the real executor knows it would give (a
// docker build's image tag).
func (s *Sim) predicted(req *executor.Request) map[string]any {
	if s.manual {
		return nil
	}
	ex, ok := s.real.For(configOf(req))
	if !ok {
		return nil
	}
	if p, ok := ex.(executor.Predictor); ok {
		return p.Predict(req)
	}
	return nil
}

// configOf rebuilds what the registry decides by from a request.
func configOf(req *executor.Request) executor.NodeConfig {
	cfg := executor.NodeConfig{ID: req.NodeID, Type: req.NodeType, Runtime: req.Runtime, Outputs: req.Outputs,
		MCPServers: req.MCPServers}
	cfg.Subtype, _ = req.Node["subtype"].(string)
	cfg.Purpose, _ = req.Node["purpose"].(string)
	_, cfg.Approval = req.Node["approval_gate"]
	return cfg
}

// Execute takes the scenario's outcome, or completes with synthesized
// outputs.
func (s *Sim) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o, given := s.sc.next(req.NodeID)
	out := Builtins(req.NodeType)
	if s.manual {
		out = map[string]any{}
	}
	for k, v := range s.predicted(req) {
		out[k] = v
	}
	for k, v := range Synthesize(req.OutputSpecs, req.Outputs) {
		out[k] = v
	}
	if req.NodeType == "human" && !s.manual {
		out["decision"], out["comment"], out["decided_by"] = "approve", "", "simulation"
	}
	for k, v := range o.Outputs {
		out[k] = v
	}
	fmt.Fprintf(req.Stderr, "simulated: %s\n", describeOutcome(o, given))
	switch o.Status {
	case "", Completed:
		return &executor.Result{Outputs: out}, nil
	case Skipped:
		return &executor.Result{Outputs: o.Outputs, Skipped: "skipped by the scenario"}, nil
	case Timeout:
		return nil, &executor.Error{Code: firstOf(o.Code, run.CodeTimeout), Retryable: retryable(o),
			Message: firstOf(o.Error, "simulated timeout"), Outputs: o.Outputs}
	case Failed:
		return nil, &executor.Error{Code: firstOf(o.Code, run.CodeExit), Retryable: retryable(o),
			Message: firstOf(o.Error, "simulated failure"), Outputs: o.Outputs}
	}
	return nil, executor.Errorf(run.CodeConfig, false, "scenario line %d: status %q: want completed, failed, timeout or skipped", o.Line, o.Status)
}

func describeOutcome(o Outcome, given bool) string {
	if !given {
		return "completed with outputs made from the declarations"
	}
	return "the scenario's outcome: " + firstOf(o.Status, Completed)
}

func retryable(o Outcome) bool { return o.Retryable == nil || *o.Retryable }

func firstOf(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// Approver approves every approval gate of a simulated run.
type Approver struct{}

// Approve approves.
func (Approver) Approve(_ context.Context, req executor.ApprovalRequest) (executor.Decision, error) {
	choice := executor.AnswerDone
	if req.Manual == nil {
		choice = "approve"
		if len(req.Options) > 0 {
			choice = req.Options[0]
		}
	}
	return executor.Decision{Choice: choice, By: "simulation"}, nil
}

// Signals delivers every signal a simulated run waits for at once, with
// no data: no one sends signals to a simulation.
type Signals struct{}

// Wait returns at once.
func (Signals) Wait(ctx context.Context, _ run.ID, _ string) (map[string]any, error) {
	return map[string]any{}, ctx.Err()
}
