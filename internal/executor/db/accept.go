package db

import "github.com/osopdev/osop/internal/executor"

var _ executor.Acceptor = (*Query)(nil)

// Accepts a node that gives SQL or a command; one that gives neither is
// done by a person.
func (q *Query) Accepts(n executor.NodeConfig) bool {
	for _, k := range []string{"query", "statements", "command"} {
		if _, ok := n.Runtime[k]; ok {
			return true
		}
	}
	return false
}
