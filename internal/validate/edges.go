package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

func (c *checker) nodeIDs() []string {
	ids := make([]string, len(c.g.Nodes))
	for i, n := range c.g.Nodes {
		ids[i] = n.ID.V
	}
	return ids
}

// endpoint reports a node reference that names no node.
func (c *checker) endpoint(s ast.Str, role string) {
	if !s.Set() {
		return
	}
	if _, ok := c.g.Index(s.V); !ok {
		c.add(diag.Error, "unknown-node", s.R, didYouMean(s.V, c.nodeIDs()), "%s %q is not a node of this workflow", role, s.V)
	}
}

func (c *checker) edges() {
	seen := map[string]*ast.Edge{}
	for _, e := range c.w.Edges {
		c.endpoint(e.From, "edge source")
		c.endpoint(e.To, "edge target")
		for _, cs := range e.Cases {
			c.endpoint(cs.To, "switch case target")
		}
		c.endpoint(e.DefaultTo, "switch default_to")
		mode := e.Mode.V
		if !slices.Contains(EdgeModes, mode) {
			c.add(diag.Error, "unknown-edge-mode", e.Mode.R, didYouMean(mode, EdgeModes),
				"edge %s → %s has unknown mode %q", e.From.V, e.To.V, mode)
		}
		c.edgeExpression(e)
		key := e.From.V + "\x00" + e.To.V + "\x00" + mode + "\x00" + e.When.V
		if prev, dup := seen[key]; dup {
			c.add(diag.Warning, "duplicate-edge", e.Range, fmt.Sprintf("the first is at line %d", prev.Range.Start.Line),
				"edge %s → %s (%s) is written twice", e.From.V, e.To.V, mode)
		}
		seen[key] = e
	}
	for _, n := range c.w.Nodes {
		c.endpoint(n.Parent, "parent")
	}
}

// edgeExpression checks that edges which need an expression have one.
func (c *checker) edgeExpression(e *ast.Edge) {
	need := ""
	switch e.Mode.V {
	case "conditional":
		need = "a when (or condition) that says when to take it"
	case "loop":
		if !e.ForEach.Set() {
			need = "a when that says whether to go round again, or a for_each list"
		}
	case "switch":
		if !e.When.Set() {
			need = "a when whose value picks the case"
		}
		if len(e.Cases) == 0 && !e.DefaultTo.Set() {
			c.add(diag.Error, "switch-cases", e.Range, "add cases: [{value: …, to: node}] and/or default_to",
				"switch edge from %q has no cases and no default", e.From.V)
		}
	}
	if need != "" && strings.TrimSpace(e.When.V) == "" {
		c.add(diag.Error, "missing-expression", e.Mode.R, "add "+need,
			"%s edge %s → %s has no expression", e.Mode.V, e.From.V, e.To.V)
	}
}

// structure checks the graph as a whole: cycles, unreachable nodes, joins.
func (c *checker) structure() {
	for _, cyc := range c.g.Cycles() {
		names := make([]string, 0, len(cyc.Nodes)+1)
		for _, i := range cyc.Nodes {
			names = append(names, c.g.Nodes[i].ID.V)
		}
		names = append(names, names[0])
		closing := cyc.Arcs[len(cyc.Arcs)-1].Edge
		at := closing.To.R
		if f := closing.Raw.Field("mode"); f != nil {
			at = f.Value.Range
		}
		c.add(diag.Error, "cycle", at,
			"every edge of it is sequential or parallel, so it never ends: make the edge back a conditional (when: …), fallback or loop edge, or remove it",
			"cycle %s: nothing guards it", strings.Join(names, " → "))
	}
	c.loops()
	mentioned := map[string]bool{}
	for _, e := range c.w.Edges {
		mentioned[e.From.V] = true
		for _, t := range e.Targets() {
			mentioned[t.V] = true
		}
	}
	reached := c.g.Reachable()
	for i, ok := range reached {
		if ok && len(c.w.Edges) > 0 && !mentioned[c.g.Nodes[i].ID.V] && c.g.Nodes[i].Parent.V == "" {
			n := c.g.Nodes[i]
			c.add(diag.Warning, "unreachable", n.ID.R,
				"connect it to the nodes it belongs with; as it is, it starts on its own with the run",
				"node %q has no edges", n.ID.V)
			continue
		}
		if !ok {
			n := c.g.Nodes[i]
			c.add(diag.Warning, "unreachable", n.ID.R,
				"connect it with an edge from a node that runs, or remove it",
				"node %q is unreachable: no path from an entry node leads to it", n.ID.V)
		}
	}
	c.joins()
}

// joins checks join_mode/join_count against the arcs entering each node.
func (c *checker) joins() {
	for i, n := range c.g.Nodes {
		incoming := 0
		for _, a := range c.g.In(i) {
			if !a.IsLoop() && !a.Edge.IsFailurePath() {
				incoming++
			}
		}
		for _, a := range c.g.In(i) {
			e := a.Edge
			if e.JoinMode.V == "wait_n" && e.JoinCount == 0 {
				c.add(diag.Error, "join-count", e.JoinMode.R, "add join_count: N",
					"join_mode wait_n into %q needs join_count", n.ID.V)
			}
			if e.JoinCount > incoming {
				c.add(diag.Error, "join-count", e.Raw.Get("join_count").Range,
					fmt.Sprintf("only %d edge(s) lead into %q", incoming, n.ID.V),
					"join_count %d can never be reached", e.JoinCount)
			}
		}
	}
}

// loops notes each rework loop: a cycle that a conditional, fallback,
// error or timeout edge guards runs again as a new iteration each time
// its edge back is taken, up to its bound.
func (c *checker) loops() {
	for _, l := range c.g.Loops() {
		if !l.Guarded {
			continue // Cycles reports it
		}
		back := c.g.Arcs[l.Back]
		names := make([]string, 0, len(l.Nodes)+1)
		for _, i := range l.Nodes {
			names = append(names, c.g.Nodes[i].ID.V)
		}
		names = append(names, names[0])
		var guards []string
		bound := ""
		for _, k := range append(append([]int(nil), l.Arcs...), l.Back) {
			a := c.g.Arcs[k]
			if a.Guards() {
				guards = append(guards, fmt.Sprintf("%s → %s (%s)", a.Edge.From.V, c.g.Nodes[a.To].ID.V, a.Edge.Mode.V))
			}
			if bound == "" && a.Edge.MaxIterations > 0 {
				bound = fmt.Sprintf("%d (max_iterations of %s → %s)", a.Edge.MaxIterations, a.Edge.From.V, c.g.Nodes[a.To].ID.V)
			}
		}
		if bound == "" {
			if v := c.g.Nodes[l.Nodes[0]].Raw.Get("max_iterations"); v != nil && v.Kind == ast.Int && v.Int > 0 {
				bound = fmt.Sprintf("%d (max_iterations of node %s)", v.Int, names[0])
			} else {
				bound = "10 (the default; set max_iterations on an edge of the loop, or run with --max-iterations N)"
			}
		}
		at := back.Edge.Range
		if f := back.Edge.Raw.Field("to"); f != nil {
			at = f.Value.Range
		}
		c.add(diag.Info, "loop", at,
			fmt.Sprintf("%s decides whether it goes round again; each time, %s run again as a new iteration. Bound: %s; at the bound, %s fails",
				strings.Join(guards, ", "), strings.Join(names[:len(names)-1], ", "), bound, back.Edge.From.V),
			"loop %s", strings.Join(names, " → "))
	}
}
