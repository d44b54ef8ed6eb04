package cli

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/executor/simulate"
	"github.com/osopdev/osop/internal/run"
)

func addSimulateFlags(fl *pflag.FlagSet, opts *RunOptions) {
	fl.BoolVar(&opts.Simulate, "simulate", false, "run nothing real: every node completes with outputs made from its declarations, or as --scenario says")
	fl.StringVar(&opts.Scenario, "scenario", "", "YAML file of simulated outcomes: NODE: {status: completed|failed|timeout|skipped, outputs: {…}, fail_attempts: N}, and inputs: {NAME: VALUE} for the values the conditions read")
}

// simulation switches a run's executors and approvals to the simulated
// ones, reading the scenario.
func simulation(f *Factory, opts *RunOptions, p *prepared, eopts *engine.Options) error {
	sc, _, keys, err := readScenario(opts.Scenario)
	if err != nil {
		return err
	}
	ids := make([]string, len(p.w.Nodes))
	for i, n := range p.w.Nodes {
		ids[i] = n.ID.V
	}
	for _, id := range sc.Nodes() {
		if p.w.Node(id) == nil {
			k := keys[id]
			return exitf(ExitUsage, "%s:%d:%d: gives an outcome for node %q, which %s does not have%s",
				opts.Scenario, k.Line, k.Column, id, p.w.ID.V, didYouMean(id, ids))
		}
	}
	eopts.Registry = simulate.Registry(f.registry(), sc)
	eopts.Approver = simulate.Approver{}
	eopts.Signals = simulate.Signals{}
	eopts.NoWaits = true
	return nil
}

// readScenario reads a --scenario file: node id → outcome, or a list of
// outcomes for its attempts in order. An outcome's fail_attempts: N puts
// N failed attempts before it. The key inputs gives the run's input
// values (as --input does; --input wins), for the names the workflow's
// conditions read that nothing in it gives. "" gives an empty scenario.
// keys are where each node id is in the file, for errors.
func readScenario(path string) (sc *simulate.Scenario, inputs map[string]any, keys map[string]*yaml.Node, err error) {
	nodes := map[string][]simulate.Outcome{}
	inputs, keys = map[string]any{}, map[string]*yaml.Node{}
	if path == "" {
		return simulate.NewScenario(nodes), inputs, keys, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, exitf(ExitUsage, "--scenario: %v", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, nil, nil, exitf(ExitUsage, "%s: %v", path, err)
	}
	if len(doc.Content) == 0 {
		return simulate.NewScenario(nodes), inputs, keys, nil
	}
	errAt := func(n *yaml.Node, format string, args ...any) error {
		return exitf(ExitUsage, "%s:%d:%d: "+format, append([]any{path, n.Line, n.Column}, args...)...)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, nil, nil, errAt(root, "want a map of node id to outcome, e.g. build: {status: failed, error: boom}")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		id, v := root.Content[i].Value, root.Content[i+1]
		if id == "inputs" {
			if err := scenarioInputs(v, inputs, errAt); err != nil {
				return nil, nil, nil, err
			}
			continue
		}
		keys[id] = root.Content[i]
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			items = v.Content
		}
		for _, it := range items {
			os, err := outcomes(it, errAt)
			if err != nil {
				return nil, nil, nil, err
			}
			nodes[id] = append(nodes[id], os...)
		}
	}
	return simulate.NewScenario(nodes), inputs, keys, nil
}

// scenarioInputs reads a scenario's inputs: name → value, typed as YAML
// types it (a list or a map for a condition that reads its fields).
func scenarioInputs(n *yaml.Node, into map[string]any, errAt func(*yaml.Node, string, ...any) error) error {
	if n.Kind != yaml.MappingNode {
		return errAt(n, "inputs is a map of input name to value, e.g. inputs: {amount: 1200, approved: true}")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var x any
		if err := v.Decode(&x); err != nil {
			return errAt(v, "inputs.%s: %v", k.Value, err)
		}
		into[k.Value] = wide(x)
	}
	return nil
}

// wide makes YAML's ints int64, as --input's numbers are.
func wide(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case []any:
		for i := range x {
			x[i] = wide(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = wide(x[k])
		}
	}
	return v
}

// withScenarioInputs adds a simulation's scenario inputs to given (the
// --input values, which win), as text: declared inputs are then typed
// and checked as --input's are. It returns the values it added.
func withScenarioInputs(opts *RunOptions, given map[string]string) (map[string]any, error) {
	added := map[string]any{}
	if !opts.Simulate {
		return added, nil
	}
	_, sc, _, err := readScenario(opts.Scenario)
	if err != nil {
		return nil, err
	}
	for k, v := range sc {
		if _, ok := given[k]; ok {
			continue
		}
		text, ok := v.(string)
		if !ok {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, exitf(ExitUsage, "%s: inputs.%s: %v", opts.Scenario, k, err)
			}
			text = string(b)
		}
		given[k], added[k] = text, v
	}
	return added, nil
}

// outcomes reads one outcome, with the failed attempts that come first.
func outcomes(n *yaml.Node, errAt func(*yaml.Node, string, ...any) error) ([]simulate.Outcome, error) {
	if n.Kind != yaml.MappingNode {
		return nil, errAt(n, "an outcome is a map: {status: …, outputs: {…}, error: …, fail_attempts: N}")
	}
	o := simulate.Outcome{Line: n.Line}
	failFirst := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "status":
			o.Status = v.Value
			switch o.Status {
			case simulate.Completed, simulate.Failed, simulate.Timeout, simulate.Skipped:
			default:
				return nil, errAt(v, "status %q: want completed, failed, timeout or skipped", v.Value)
			}
		case "error", "message":
			o.Error = v.Value
		case "code":
			o.Code = v.Value
		case "retryable":
			var b bool
			err = v.Decode(&b)
			o.Retryable = &b
		case "outputs":
			err = v.Decode(&o.Outputs)
		case "fail_attempts":
			err = v.Decode(&failFirst)
		default:
			return nil, errAt(k, "unknown field %q of an outcome: use status, outputs, error, code, retryable, fail_attempts", k.Value)
		}
		if err != nil {
			return nil, errAt(v, "%s: %v", k.Value, err)
		}
	}
	var out []simulate.Outcome
	for range failFirst {
		out = append(out, simulate.Outcome{Status: simulate.Failed, Error: "simulated failure (fail_attempts)", Line: n.Line})
	}
	return append(out, o), nil
}

// simTempDir keeps a simulated run's scratch files under .osop.
func simTempDir(workdir, id string) string {
	return filepath.Join(workdir, ".osop", "tmp", id)
}

// simulatedSecrets gives each secret the workflow reads and the run lacks
// a placeholder: a simulation never needs a secret's value.
func simulatedSecrets(w *ast.Workflow, s *runSecrets) {
	for _, r := range workflowRefs(w) {
		if _, ok := s.values[r.Head()]; r.Namespace == "secrets" && !ok {
			s.values[r.Head()] = "<secrets." + r.Head() + ">"
		}
	}
}

func absPath(p string) string {
	if p == "" {
		return ""
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// simPathJSON is a simulated run's path (`osop run --simulate --output
// json`): every node's end, in the order they ended.
type simPathJSON struct {
	Simulated  bool          `json:"simulated"`
	RunID      string        `json:"run_id"`
	WorkflowID string        `json:"workflow_id"`
	Status     string        `json:"status"`
	ExitCode   int           `json:"exit_code"`
	Path       []simStepJSON `json:"path"`
	Record     string        `json:"record_path"`
	Failures   []string      `json:"failures"`
}

// simStepJSON is one node's end on the path: how its last attempt (of
// that iteration) ended, or why it was skipped or blocked.
type simStepJSON struct {
	Node      string         `json:"node"`
	Type      string         `json:"type"`
	Iteration int            `json:"iteration"`
	Attempts  int            `json:"attempts"`
	Status    string         `json:"status"`
	Code      string         `json:"code"`
	Message   string         `json:"message"`
	Outputs   map[string]any `json:"outputs"`
}

// simPath collects the path from a run's events.
type simPath struct {
	steps []simStepJSON
}

func (p *simPath) event(e run.Event) {
	switch e.Kind {
	case run.NodeFinished, run.NodeSkipped:
	default:
		return
	}
	if e.Kind == run.NodeSkipped && e.Extra["resumed"] == "true" {
		return // an earlier part of the run: already on its path
	}
	p.steps = append(p.steps, simStepJSON{Node: e.Node, Type: e.Type, Iteration: e.Iteration, Attempts: e.Attempt,
		Status: string(e.Status), Code: e.Code, Message: e.Message, Outputs: orEmpty(e.Outputs)})
}
