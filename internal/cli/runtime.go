package cli

import (
	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/all"
	"github.com/osopdev/osop/internal/validate"
)

// registryChecker lets the validator ask executors about runtime
// configuration, without validate importing them.
// With warnOnly (osop validate) problems are warnings: the file is a
// valid description even when it cannot run yet; osop run refuses them.
type registryChecker struct {
	r        *executor.Registry
	warnOnly bool
	config   func(*ast.Node) executor.NodeConfig // engine.NodeConfigs of the workflow
}

func checkerFor(r *executor.Registry, doc *ast.Document, warnOnly bool) registryChecker {
	c := registryChecker{r: r, warnOnly: warnOnly}
	w := doc.Workflow
	if w == nil {
		w = &ast.Workflow{} // a record: its nodes are checked on their own
	}
	c.config = engine.NodeConfigs(w)
	return c
}

// ImplicitOutputs are the outputs n's executor sets without a declaration.
func (c registryChecker) ImplicitOutputs(n *ast.Node) []string { return c.r.ImplicitOutputs(n.Type.V) }

func (c registryChecker) CheckNode(n *ast.Node) []validate.FieldProblem {
	cfg := c.config(n)
	if c.warnOnly && n.Runtime == nil && !c.r.Manual(cfg) {
		// A node with no runtime at all describes a step; the conformance
		// level already says the workflow is not executable.
		return nil
	}
	var out []validate.FieldProblem
	for _, p := range c.r.Check(cfg) {
		sev := p.Severity
		if c.warnOnly && sev == diag.Error {
			sev = diag.Warning
		}
		out = append(out, validate.FieldProblem{Path: p.Path, Severity: sev, Summary: p.Summary, Detail: p.Detail,
			Token: p.Token, Offset: p.Offset})
	}
	return out
}

// registry returns the executors, built once per command.
func (f *Factory) registry() *executor.Registry {
	if f.reg == nil {
		f.reg = all.Registry()
	}
	return f.reg
}
