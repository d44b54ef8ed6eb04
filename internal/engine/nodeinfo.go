package engine

import (
	"strings"
	"unicode"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// describe gives an attempt's request what agent and mcp executors read
// beyond the runtime map: the node as written, its typed outputs, the
// workflow's MCP servers, and a way to show progress lines live.
func (d *driver) describe(req *executor.Request, j *job) {
	req.Node, _ = j.node.Raw.Interface().(map[string]any)
	req.MCPServers, _ = d.w.Root.Get("mcp_servers").Interface().(map[string]any)
	req.OutputSpecs = OutputSpecs(j.node)
	if d.opts.Sink == nil || d.notes == nil {
		return // a dry run, or nobody to show it to
	}
	e := run.Event{Kind: run.RunLogMessage, Node: j.node.ID.V, Type: j.node.Type.V, Attempt: j.attempt, Iteration: j.iteration}
	req.Note = func(msg string) {
		e := e
		e.Message = e.Node + ": " + msg
		select {
		case d.notes <- e:
		case <-d.quit:
		}
	}
}

// OutputSpecs are the declared outputs of n, as executors see them.
func OutputSpecs(n *ast.Node) []executor.OutputSpec {
	specs := make([]executor.OutputSpec, len(n.Outputs))
	for i, o := range n.Outputs {
		specs[i] = outputSpec(o)
	}
	return specs
}

func outputSpec(p *ast.Param) executor.OutputSpec {
	spec := executor.OutputSpec{Name: p.Name, Type: p.Type, Description: p.Description}
	for _, v := range p.Enum {
		spec.Enum = append(spec.Enum, v.Interface())
	}
	return spec
}

// NodeConfig is what executors see of node n of workflow w when they
// check it or decide whether they run it. For many nodes of one workflow,
// NodeConfigs reads the workflow once.
func NodeConfig(w *ast.Workflow, n *ast.Node) executor.NodeConfig { return NodeConfigs(w)(n) }

// NodeConfigs returns NodeConfig for the nodes of w, with what it needs of
// the whole workflow (its MCP servers, which nodes a condition asks a
// decision of) read once: asking per node would cost a pass over every
// edge for each.
func NodeConfigs(w *ast.Workflow) func(*ast.Node) executor.NodeConfig {
	servers, _ := w.Root.Get("mcp_servers").Interface().(map[string]any)
	deciding := decidingNodes(w)
	return func(n *ast.Node) executor.NodeConfig {
		rt, _ := n.Runtime.Interface().(map[string]any)
		if rt == nil {
			rt = map[string]any{}
		}
		rt = withDefaultShell(w, rt)
		cfg := executor.NodeConfig{ID: n.ID.V, Type: n.Type.V, Runtime: rt, MCPServers: servers,
			Subtype: n.Subtype.V, Purpose: n.Purpose.V, Approval: n.Approval != nil, Decides: deciding[n.ID.V]}
		for _, o := range n.Outputs {
			cfg.Outputs = append(cfg.Outputs, o.Name)
		}
		return cfg
	}
}

// withDefaultShell gives rt (a node's runtime, a map of its own) the
// workflow's default shell, defaults.shell, when the node runs a command
// string and names no shell of its own. Without either, bash runs it
// (sh where there is no bash).
func withDefaultShell(w *ast.Workflow, rt map[string]any) map[string]any {
	if _, ok := rt["command"].(string); !ok {
		return rt
	}
	if sh, _ := rt["shell"].(string); sh != "" {
		return rt
	}
	if sh, ok := w.Root.Get("defaults").Get("shell").String(); ok && sh != "" {
		rt["shell"] = sh
	}
	return rt
}

// decidingNodes are the nodes an edge's condition leaving them reads what
// a decision gives of (approved, decision): whoever wrote it means the
// step to ask one.
func decidingNodes(w *ast.Workflow) map[string]bool {
	out := map[string]bool{}
	for _, e := range w.Edges {
		if out[e.From.V] || e.When.V == "" {
			continue
		}
		words := strings.FieldsFunc(e.When.V, func(r rune) bool {
			return r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})
		for _, word := range words {
			if word == "approved" || word == "decision" {
				out[e.From.V] = true
				break
			}
		}
	}
	return out
}

// executorFor is the executor that runs node n: its type's, or the
// manual-step executor when none accepts it.
func (d *driver) executorFor(n *ast.Node) (executor.Executor, bool) {
	return d.opts.Registry.For(d.nodeConfig(n))
}
