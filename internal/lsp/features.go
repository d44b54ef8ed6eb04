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
	default:
		return nil, nil, false
	}
	return r, err, true
}
