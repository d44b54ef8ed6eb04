// Package data runs data nodes in process: runtime.transform is a CEL
// expression, evaluated with the run's context (inputs, outputs of earlier
// nodes, …), whose map result becomes the node's outputs; or a map of
// output name to CEL expression.
package data

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// Register adds the executor for data nodes.
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "data", New: func() executor.Executor { return &Transform{} }})
}

// Transform evaluates a node's transform.
type Transform struct{}

var (
	_ executor.Checker   = (*Transform)(nil)
	_ executor.Describer = (*Transform)(nil)
)

// Check requires a transform.
func (t *Transform) Check(n executor.NodeConfig) []executor.Problem {
	switch n.Runtime["transform"].(type) {
	case string, map[string]any:
		return nil
	case nil:
		return []executor.Problem{{Path: []string{"runtime"}, Severity: diag.Error,
			Summary: "a data node needs runtime.transform",
			Detail:  `add transform: "{'total': outputs.fetch.items.size()}" (a CEL expression giving a map), or a map of output: expression`}}
	}
	return []executor.Problem{{Path: []string{"runtime", "transform"}, Severity: diag.Error,
		Summary: "transform must be a CEL expression or a map of output name to expression"}}
}

// Describe shows the expression.
func (t *Transform) Describe(req *executor.Request) (string, error) {
	switch tr := req.Runtime["transform"].(type) {
	case string:
		return "cel " + tr, nil
	case map[string]any:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(tr)) {
			parts = append(parts, fmt.Sprintf("%s = %v", k, tr[k]))
		}
		return "cel " + strings.Join(parts, "; "), nil
	}
	return "", executor.Errorf(run.CodeConfig, false, "node %q has no runtime.transform", req.NodeID)
}

// Execute evaluates the transform.
func (t *Transform) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	if req.Eval == nil {
		return nil, executor.Errorf(run.CodeConfig, false, "no expression evaluator in this run")
	}
	switch tr := req.Runtime["transform"].(type) {
	case string:
		v, err := req.Eval(tr)
		if err != nil {
			return nil, err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, executor.Errorf(run.CodeExpression, false, "transform must give a map of outputs, got %T", v)
		}
		return &executor.Result{Outputs: m}, nil
	case map[string]any:
		out := make(map[string]any, len(tr))
		for _, k := range slices.Sorted(maps.Keys(tr)) {
			src, ok := tr[k].(string)
			if !ok {
				out[k] = tr[k] // a literal
				continue
			}
			v, err := req.Eval(src)
			if err != nil {
				return nil, fmt.Errorf("transform %s: %w", k, err)
			}
			out[k] = v
		}
		return &executor.Result{Outputs: out}, nil
	}
	return nil, executor.Errorf(run.CodeConfig, false, "node %q has no runtime.transform", req.NodeID)
}
