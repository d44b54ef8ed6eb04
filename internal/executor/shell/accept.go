package shell

import "github.com/osopdev/osop/internal/executor"

var _ executor.Acceptor = (*Command)(nil)

// Accepts a node that gives a command; one that gives none is a manual
// step.
func (c *Command) Accepts(n executor.NodeConfig) bool { return HasCommand(n.Runtime) }

// HasCommand reports whether a runtime gives a command (a string or a
// list; an empty or malformed one too, which Check then refuses).
func HasCommand(rt map[string]any) bool {
	c, ok := rt["command"]
	return ok && c != nil
}
