package httpcall

import "github.com/osopdev/osop/internal/executor"

var _ executor.Acceptor = (*Call)(nil)

// Accepts a node that gives a URL; one that only names an API
// (runtime.endpoint) is done by a person.
func (c *Call) Accepts(n executor.NodeConfig) bool {
	_, ok := n.Runtime["url"]
	return ok
}
