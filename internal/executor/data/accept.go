package data

import "github.com/osopdev/osop/internal/executor"

var _ executor.Acceptor = (*Transform)(nil)

// Accepts a node that gives a transform; a data node that names a tool
// (pandas, a spreadsheet) but no transform is done by a person.
func (t *Transform) Accepts(n executor.NodeConfig) bool {
	_, ok := n.Runtime["transform"]
	return ok
}
