package engine

import (
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/machine"
)

// SignalNames lists, sorted, the signals a run of w can wait for, so that
// `osop signal` can refuse any other: each event edge's (its signal
// field, else its label, else its target's id, as the scheduler reads
// it) and each event node's (runtime.signal, else its id, as the event
// executor reads it).
func SignalNames(w *ast.Workflow) []string {
	g := graph.New(w)
	seen := map[string]bool{}
	for k, a := range g.Arcs {
		if a.Edge.Mode.V == "event" {
			seen[machine.SignalName(g, k)] = true
		}
	}
	for _, n := range g.Nodes {
		if n.Type.V != "event" {
			continue
		}
		name := n.ID.V
		if s, ok := n.Runtime.Get("signal").String(); ok && strings.TrimSpace(s) != "" {
			name = s
		}
		seen[name] = true
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
