package render

import (
	"fmt"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
)

// DOT renders the workflow as Graphviz source: nodes shaped and coloured
// by type and labelled with id and name, happy-path edges solid, parallel
// fan-out bold, conditions on their edges, failure paths dashed red, loops
// dotted.
func DOT(w *ast.Workflow, g *graph.Graph) string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(w.ID.V))
	b.WriteString("  graph [rankdir=TB, fontname=\"Helvetica\", nodesep=0.4, ranksep=0.5")
	if w.Name.V != "" {
		fmt.Fprintf(&b, ", label=%s, labelloc=t, fontsize=16", dotQuote(w.Name.V))
	}
	b.WriteString("];\n")
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=11, style=\"filled\", penwidth=1.4];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.8];\n")
	for _, n := range g.Nodes {
		st := styleOf(n)
		label := n.ID.V
		if l := n.Label(); l != n.ID.V {
			label += "\n" + truncate(l, 48)
		}
		style := "filled"
		if st.DotShape == "box" {
			style = "rounded,filled"
		}
		tooltip := n.Type.V
		if s := n.Summary(); s != "" {
			tooltip += ": " + s
		}
		fmt.Fprintf(&b, "  %s [id=%s, label=%s, shape=%s, style=%s, fillcolor=%s, color=%s, tooltip=%s];\n",
			dotQuote(n.ID.V), dotQuote("node-"+n.ID.V), dotQuote(label), st.DotShape, dotQuote(style),
			dotQuote(st.Fill), dotQuote(st.Stroke), dotQuote(tooltip))
	}
	for _, a := range g.Arcs {
		from, to := g.Nodes[a.From].ID.V, g.Nodes[a.To].ID.V
		attrs := dotEdgeAttrs(g, a)
		fmt.Fprintf(&b, "  %s -> %s", dotQuote(from), dotQuote(to))
		if len(attrs) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(attrs, ", "))
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func dotEdgeAttrs(g *graph.Graph, a graph.Arc) []string {
	var attrs []string
	if l := arcLabel(g, a); l != "" {
		attrs = append(attrs, "label="+dotQuote(truncate(l, 60)))
	}
	switch kindOf(a.Edge.Mode.V) {
	case edgeParallel:
		attrs = append(attrs, `style="bold"`, `color="#1e88e5"`)
	case edgeCond:
		attrs = append(attrs, `color="#ef6c00"`, `fontcolor="#ef6c00"`)
	case edgeFailure:
		attrs = append(attrs, `style="dashed"`, `color="#d32f2f"`, `fontcolor="#d32f2f"`)
	case edgeLoop:
		attrs = append(attrs, `style="dotted"`, `color="#6a1b9a"`, `fontcolor="#6a1b9a"`, `constraint=false`)
	case edgeAsync:
		attrs = append(attrs, `style="dashed"`, `color="#757575"`)
	}
	return attrs
}

// dotQuote makes a DOT string literal. Backslashes are doubled, so that
// user text cannot form DOT escapes; newlines become \n on purpose.
func dotQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			if r < 0x20 {
				b.WriteByte(' ')
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
