package validate

import (
	"fmt"

	"github.com/osopdev/osop/internal/ast"
)

// Level is a workflow's inferred conformance level (docs/conformance-levels.md).
type Level struct {
	N    int    `json:"level"`
	Name string `json:"name"`
	// Next lists what the workflow lacks for the next level; empty at L3.
	Next []string `json:"next,omitempty"`
}

func (l Level) String() string { return fmt.Sprintf("L%d %s", l.N, l.Name) }

var levelNames = []string{"descriptive", "validatable", "executable", "observable"}

// descriptiveTypes are node types that describe people or structure and
// need no runtime to count as executable.
var descriptiveTypes = map[string]bool{"human": true, "company": true, "department": true, "event": true, "gateway": true}

// InferLevel reports the highest level whose requirements w meets:
//
//	L0 descriptive  osop_version, id, name, nodes (id, type), edges (from, to)
//	L1 validatable  data flow declared: node inputs/outputs, or workflow inputs or contracts
//	L2 executable   a runtime on every non-human node, a retry policy, a timeout, security
//	L3 observable   observability, ledger and evolution
func InferLevel(w *ast.Workflow) Level {
	checks := [][]string{levelZero(w), levelOne(w), levelTwo(w), levelThree(w)}
	for n, missing := range checks {
		if len(missing) > 0 {
			if n == 0 {
				return Level{N: 0, Name: levelNames[0], Next: missing}
			}
			return Level{N: n - 1, Name: levelNames[n-1], Next: missing}
		}
	}
	return Level{N: 3, Name: levelNames[3]}
}

func levelZero(w *ast.Workflow) []string {
	var missing []string
	if !w.Version.Set() || !w.ID.Set() || !w.Name.Set() || len(w.Nodes) == 0 {
		missing = append(missing, "osop_version, id, name and nodes")
	}
	for _, n := range w.Nodes {
		if !n.ID.Set() || !n.Type.Set() {
			missing = append(missing, "an id and type on every node")
			break
		}
	}
	return missing
}

func levelOne(w *ast.Workflow) []string {
	if len(w.Inputs) > 0 || w.Root.Get("contracts") != nil || w.Root.Get("message_contracts") != nil {
		return nil
	}
	ins, outs := false, false
	for _, n := range w.Nodes {
		ins = ins || len(n.Inputs) > 0
		outs = outs || len(n.Outputs) > 0
	}
	if ins && outs {
		return nil
	}
	return []string{"declared data flow (node inputs and outputs, workflow inputs, or contracts)"}
}

func levelTwo(w *ast.Workflow) []string {
	var missing []string
	retry, timeout, security := w.Retry != nil, w.Timeout != nil, w.Security != nil
	for _, n := range w.Nodes {
		if n.Runtime == nil && !descriptiveTypes[n.Type.V] {
			missing = append(missing, fmt.Sprintf("a runtime on node %q", n.ID.V))
		}
		retry = retry || n.Retry != nil
		timeout = timeout || n.Timeout != nil
		security = security || n.Security != nil
	}
	if len(missing) > 3 {
		missing = append(missing[:3], fmt.Sprintf("… (%d nodes without runtime)", len(missing)))
	}
	if !retry {
		missing = append(missing, "a retry policy")
	}
	if !timeout {
		missing = append(missing, "a timeout")
	}
	if !security {
		missing = append(missing, "security settings")
	}
	return missing
}

func levelThree(w *ast.Workflow) []string {
	var missing []string
	for _, f := range []string{"observability", "ledger", "evolution"} {
		if w.Root.Get(f) == nil {
			missing = append(missing, f)
		}
	}
	return missing
}
