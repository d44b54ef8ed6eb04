package lsp

import (
	"context"

	"go.lsp.dev/jsonrpc2"
)

// codeActions offers, for each published diagnostic in the requested
// range whose rule knows the fix, the replacement it suggests.
func (s *server) codeActions(p codeActionParams) ([]CodeAction, error) {
	out := []CodeAction{}
	v := s.current(p.TextDocument.URI)
	if v == nil {
		return out, nil
	}
	for i, d := range v.diags {
		if !overlaps(d.Range, p.Range) {
			continue
		}
		if d.Code == "undeclared-input" || d.Code == "undeclared-variable" {
			if a, ok := v.declareAction(p.TextDocument.URI, d, v.raw[i]); ok {
				out = append(out, a)
			}
		}
		if d.Data == nil {
			continue
		}
		out = append(out, CodeAction{
			Title: "Change to \"" + d.Data.Replace + "\"", Kind: "quickfix", IsPreferred: true,
			Diagnostics: []Diagnostic{d},
			Edit: &WorkspaceEdit{Changes: map[string][]TextEdit{
				p.TextDocument.URI: {{Range: d.Data.Range, NewText: d.Data.Replace}},
			}},
		})
	}
	return out, nil
}

// overlaps reports whether two ranges share a position (touching counts:
// a cursor at the end of a word asks about it).
func overlaps(a, b Range) bool {
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}

func before(p, q Position) bool {
	return p.Line < q.Line || p.Line == q.Line && p.Character < q.Character
}

// execute runs a workspace command: osop.render returns the SVG of the
// open document named by its argument.
func (s *server) execute(ctx context.Context, p executeCommandParams) (*RenderResult, error) {
	if p.Command != RenderCommand {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "unknown command "+p.Command+"; the server has "+RenderCommand)
	}
	if s.opts.Render == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, "this server cannot render")
	}
	if len(p.Arguments) != 1 {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, RenderCommand+" takes one argument, the document's URI")
	}
	v := s.current(p.Arguments[0])
	if v == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, p.Arguments[0]+" is not open")
	}
	if v.workflow() == nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, p.Arguments[0]+" is not a workflow that loads; see its diagnostics")
	}
	svg, err := s.opts.Render(ctx, v.doc)
	if err != nil {
		return nil, jsonrpc2.NewError(jsonrpc2.InternalError, "render: "+err.Error())
	}
	return &RenderResult{URI: p.Arguments[0], SVG: string(svg)}, nil
}
