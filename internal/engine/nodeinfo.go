package engine

import (
	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// describe gives an attempt's request what agent and mcp executors read
// beyond the runtime map: the node as written, its typed outputs, the
// workflow's MCP servers, and a way to show progress lines live.
func (s *scheduler) describe(req *executor.Request, j *job, attempt int) {
	req.Node, _ = j.node.Raw.Interface().(map[string]any)
	req.MCPServers, _ = s.w.Root.Get("mcp_servers").Interface().(map[string]any)
	req.OutputSpecs = make([]executor.OutputSpec, len(j.node.Outputs))
	for i, o := range j.node.Outputs {
		req.OutputSpecs[i] = outputSpec(o)
	}
	if s.opts.Sink == nil {
		return
	}
	req.Note = func(msg string) {
		s.results <- message{kind: msgNote, node: j.index, iteration: j.iteration, attempt: attempt + j.base, action: msg}
	}
}

func outputSpec(p *ast.Param) executor.OutputSpec {
	spec := executor.OutputSpec{Name: p.Name, Type: p.Type, Description: p.Description}
	for _, v := range p.Enum {
		spec.Enum = append(spec.Enum, v.Interface())
	}
	return spec
}

// note shows an executor's progress line as a message event of its node.
func (s *scheduler) note(m message) {
	n := s.nodes[m.node]
	s.emit(run.Event{Kind: run.RunLogMessage, Node: n.n.ID.V, Type: n.n.Type.V, Attempt: m.attempt,
		Iteration: m.iteration, Message: n.n.ID.V + ": " + m.action})
}
