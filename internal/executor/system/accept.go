package system

import "github.com/osopdev/osop/internal/executor"

var _ executor.Acceptor = (*System)(nil)

// Accepts a node that gives one of the operations osop performs.
func (s *System) Accepts(n executor.NodeConfig) bool { return operation(n.Runtime) != "" }
