package lsp

import (
	"context"

	"go.lsp.dev/jsonrpc2"
)

// feature answers the language feature requests; ok is false for a
// method it does not know.
func (s *server) feature(ctx context.Context, method string, p jsonrpc2.RawMessage) (r any, err error, ok bool) {
	switch method {
	case "textDocument/completion":
		r, err = call(p, s.completion)
	case "textDocument/hover":
		r, err = call(p, s.hover)
	case "textDocument/definition":
		r, err = call(p, s.definition)
	case "textDocument/references":
		r, err = call(p, s.references)
	case "textDocument/prepareRename":
		r, err = call(p, s.prepareRename)
	case "textDocument/rename":
		r, err = call(p, s.rename)
	case "textDocument/documentSymbol":
		r, err = call(p, s.symbols)
	case "textDocument/codeAction":
		r, err = call(p, s.codeActions)
	case "workspace/executeCommand":
		r, err = call(p, func(p executeCommandParams) (*RenderResult, error) { return s.execute(ctx, p) })
	default:
		return nil, nil, false
	}
	return r, err, true
}
