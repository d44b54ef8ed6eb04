package cli

import (
	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
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
	servers  map[string]any // the workflow's mcp_servers
}

func checkerFor(r *executor.Registry, doc *ast.Document, warnOnly bool) registryChecker {
	c := registryChecker{r: r, warnOnly: warnOnly}
	if doc.Workflow != nil {
		c.servers, _ = doc.Workflow.Root.Get("mcp_servers").Interface().(map[string]any)
	}
	return c
}

// ImplicitOutputs are the outputs n's executor sets without a declaration.
func (c registryChecker) ImplicitOutputs(n *ast.Node) []string { return c.r.ImplicitOutputs(n.Type.V) }

func (c registryChecker) CheckNode(n *ast.Node) []validate.FieldProblem {
	if c.warnOnly && n.Runtime == nil {
		// A node with no runtime at all describes a step; the conformance
		// level already says the workflow is not executable.
		return nil
	}
	rt, _ := n.Runtime.Interface().(map[string]any)
	if rt == nil {
		rt = map[string]any{}
	}
	cfg := executor.NodeConfig{ID: n.ID.V, Type: n.Type.V, Runtime: rt, MCPServers: c.servers}
	for _, o := range n.Outputs {
		cfg.Outputs = append(cfg.Outputs, o.Name)
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
