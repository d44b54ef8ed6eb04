package validate

import (
	"fmt"
	"slices"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/expr"
)

// NodeTypes are the node types osop knows: the 12 of the specification and
// the visual editor's 4.
var NodeTypes = []string{
	"agent", "api", "cli", "human", "db", "git", "docker", "cicd", "mcp", "system", "infra", "data",
	"event", "gateway", "company", "department",
}

// EdgeModes are the edge modes osop knows: the 10 of the specification and
// the visual editor's 5.
var EdgeModes = []string{
	"sequential", "conditional", "parallel", "loop", "event", "fallback", "error", "timeout", "spawn", "switch",
	"compensation", "dataflow", "message", "signal", "weighted",
}

func (c *checker) nodes() {
	first := map[string]*ast.Node{}
	for _, n := range c.w.Nodes {
		if n.ID.Set() {
			if prev, dup := first[n.ID.V]; dup {
				c.add(diag.Error, "duplicate-node-id", n.ID.R,
					fmt.Sprintf("the first is at line %d; give each node its own id", prev.ID.R.Start.Line),
					"node id %q is used twice", n.ID.V)
			} else {
				first[n.ID.V] = n
			}
		}
		if n.Type.Set() && !slices.Contains(NodeTypes, n.Type.V) {
			c.add(diag.Error, "unknown-node-type", n.Type.R, didYouMean(n.Type.V, NodeTypes),
				"node %q has unknown type %q", n.ID.V, n.Type.V)
		}
		c.timeout(n.Timeout, fmt.Sprintf("node %q", n.ID.V))
		c.retry(n.Retry, fmt.Sprintf("node %q", n.ID.V))
		c.outputNames(n)
	}
	c.timeout(c.w.Timeout, "the workflow")
	c.retry(c.w.Retry, "the workflow")
}

func (c *checker) timeout(d *ast.Duration, where string) {
	if d != nil && d.D <= 0 {
		c.add(diag.Error, "invalid-timeout", d.Range, "give a positive number of seconds, or remove the field for no timeout",
			"%s has a timeout of %s; it must be positive", where, d.D)
	}
}

func (c *checker) retry(r *ast.Retry, where string) {
	if r == nil {
		return
	}
	if r.MaxAttempts < 1 {
		c.add(diag.Error, "invalid-retry", r.CountRange, "use 0 retries (max_retries: 0, or max_attempts: 1) for no retries",
			"%s asks for %d retries; the count cannot be negative", where, r.MaxAttempts-1)
	}
	if r.Backoff.Initial < 0 || r.Backoff.Max < 0 {
		c.add(diag.Error, "invalid-retry", r.Backoff.Range, "", "%s has a negative backoff delay", where)
	}
}

// outputNames warns about outputs declared twice, or named so that
// expressions cannot read them as bare identifiers.
func (c *checker) outputNames(n *ast.Node) {
	seen := map[string]bool{}
	for _, o := range n.Outputs {
		switch {
		case seen[o.Name]:
			c.add(diag.Warning, "unknown-output", o.Range, "", "node %q declares output %q twice", n.ID.V, o.Name)
		case slices.Contains(expr.Reserved, o.Name):
			c.add(diag.Warning, "unknown-output", o.Range,
				fmt.Sprintf("read it as outputs.%s.%s, or rename it", n.ID.V, o.Name),
				"output %q shadows a context variable of the same name", o.Name)
		}
		seen[o.Name] = true
	}
}
