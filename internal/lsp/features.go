package lsp

import (
	"context"

	"go.lsp.dev/jsonrpc2"
)

// feature answers the language feature requests; ok is false for a
// method it does not know.
func (s *server) feature(ctx context.Context, method string, p jsonrpc2.RawMessage) (r any, err error, ok bool) {
	return nil, nil, false
}
