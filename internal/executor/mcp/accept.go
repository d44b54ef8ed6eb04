package mcp

import "github.com/osopdev/osop/internal/executor"

var _ executor.Acceptor = (*Call)(nil)

// Accepts a node that names a tool to call.
func (*Call) Accepts(n executor.NodeConfig) bool { return toolName(n.Runtime) != "" }
