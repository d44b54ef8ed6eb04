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
	req.OutputSpecs = make([]executor.OutputSpec, len(j.node.Outputs))
	for i, o := range j.node.Outputs {
		req.OutputSpecs[i] = outputSpec(o)
	}
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

func outputSpec(p *ast.Param) executor.OutputSpec {
	spec := executor.OutputSpec{Name: p.Name, Type: p.Type, Description: p.Description}
	for _, v := range p.Enum {
		spec.Enum = append(spec.Enum, v.Interface())
	}
	return spec
}

// NodeConfig is what executors see of node n of workflow w when they
// check it or decide whether they run it.
func NodeConfig(w *ast.Workflow, n *ast.Node) executor.NodeConfig {
	rt, _ := n.Runtime.Interface().(map[string]any)
	if rt == nil {
		rt = map[string]any{}
	}
	rt = withDefaultShell(w, rt)
	servers, _ := w.Root.Get("mcp_servers").Interface().(map[string]any)
	cfg := executor.NodeConfig{ID: n.ID.V, Type: n.Type.V, Runtime: rt, MCPServers: servers,
		Subtype: n.Subtype.V, Purpose: n.Purpose.V, Approval: n.Approval != nil, Decides: decides(w, n.ID.V)}
	for _, o := range n.Outputs {
		cfg.Outputs = append(cfg.Outputs, o.Name)
	}
	return cfg
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

// decides reports whether a condition on an edge leaving node id reads
// what a decision gives (approved, decision): whoever wrote it means the
// step to ask one.
func decides(w *ast.Workflow, id string) bool {
	for _, e := range w.EdgesFrom(id) {
		words := strings.FieldsFunc(e.When.V, func(r rune) bool {
			return r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})
		for _, word := range words {
			if word == "approved" || word == "decision" {
				return true
			}
		}
	}
	return false
}

// executorFor is the executor that runs node n: its type's, or the
// manual-step executor when none accepts it.
func (d *driver) executorFor(n *ast.Node) (executor.Executor, bool) {
	return d.opts.Registry.For(NodeConfig(d.w, n))
}
