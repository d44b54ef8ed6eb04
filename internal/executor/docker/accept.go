package docker

import (
	"slices"

	"github.com/osopdev/osop/internal/executor"
)

var _ executor.Acceptor = (*Docker)(nil)

// Accepts a node whose action osop runs; another action (or none) is done
// by a person.
func (d *Docker) Accepts(n executor.NodeConfig) bool {
	a, _ := n.Runtime["action"].(string)
	return slices.Contains(actions, a)
}
