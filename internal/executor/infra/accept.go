package infra

import "github.com/osopdev/osop/internal/executor"

var _ executor.Acceptor = (*Infra)(nil)

// Accepts a node whose tool osop runs; a node with another tool, or none,
// is done by a person.
func (i *Infra) Accepts(n executor.NodeConfig) bool {
	_, _, ok := toolOf(n.Runtime)
	return ok
}
