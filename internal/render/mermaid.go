package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
)

// Mermaid renders the workflow as a Mermaid flowchart. Node ids are
// generated (n0, n1, …) so that no workflow id can break the syntax, and
// every label is quoted with Mermaid's entity escapes.
func Mermaid(w *ast.Workflow, g *graph.Graph) string {
	var b strings.Builder
	if w.Name.V != "" {
		fmt.Fprintf(&b, "---\ntitle: %s\n---\n", mermaidTitle(w.Name.V))
	}
	b.WriteString("flowchart TD\n")
	types := map[string]bool{}
	for i, n := range g.Nodes {
		st := styleOf(n)
		label := mermaidText(n.ID.V)
		if l := n.Label(); l != n.ID.V {
			label += "<br/>" + mermaidText(truncate(l, 48))
		}
		fmt.Fprintf(&b, "  n%d%s\"%s\"%s\n", i, st.MermaidOpen, label, st.MermaidClose)
		types[n.Type.V] = true
	}
	var failure, loop, cond []int
	for k, a := range g.Arcs {
		arrow := "-->"
		switch kindOf(a.Edge.Mode.V) {
		case edgeParallel:
			arrow = "==>"
		case edgeFailure:
			arrow = "-.->"
			failure = append(failure, k)
		case edgeLoop:
			arrow = "-.->"
			loop = append(loop, k)
		case edgeAsync:
			arrow = "-.->"
		case edgeCond:
			cond = append(cond, k)
		}
		if l := arcLabel(g, a); l != "" {
			fmt.Fprintf(&b, "  n%d %s|\"%s\"| n%d\n", a.From, arrow, mermaidText(truncate(l, 60)), a.To)
		} else {
			fmt.Fprintf(&b, "  n%d %s n%d\n", a.From, arrow, a.To)
		}
	}
	writeLinkStyle(&b, failure, "stroke:#d32f2f,color:#d32f2f")
	writeLinkStyle(&b, loop, "stroke:#6a1b9a,color:#6a1b9a")
	writeLinkStyle(&b, cond, "stroke:#ef6c00,color:#ef6c00")
	names := make([]string, 0, len(types))
	for t := range types {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		st, ok := nodeStyles[t]
		if !ok {
			st = defaultStyle
		}
		fmt.Fprintf(&b, "  classDef %s fill:%s,stroke:%s\n", mermaidClass(t), st.Fill, st.Stroke)
	}
	for i, n := range g.Nodes {
		fmt.Fprintf(&b, "  class n%d %s\n", i, mermaidClass(n.Type.V))
	}
	return b.String()
}

func writeLinkStyle(b *strings.Builder, idx []int, style string) {
	if len(idx) == 0 {
		return
	}
	parts := make([]string, len(idx))
	for i, k := range idx {
		parts[i] = fmt.Sprint(k)
	}
	fmt.Fprintf(b, "  linkStyle %s %s\n", strings.Join(parts, ","), style)
}

// mermaidText escapes text for a quoted Mermaid label: quotes and the
// characters Mermaid reads as markup become entity codes (#quot; and the
// numeric #NN; form), newlines become <br/>.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString("#quot;")
		case '#', '<', '>', '|', '`', '&', '[', ']', '{', '}', '(', ')', ';':
			fmt.Fprintf(&b, "#%d;", r)
		case '\n':
			b.WriteString("<br/>")
		case '\r', '\t':
			b.WriteByte(' ')
		default:
			if r < 0x20 {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mermaidTitle makes a YAML front-matter value: quoted, escaped.
func mermaidTitle(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`)
	return `"` + strings.Join(strings.Fields(s), " ") + `"`
}

// mermaidClass turns a node type into a class name Mermaid accepts.
func mermaidClass(t string) string {
	var b strings.Builder
	b.WriteString("t_")
	for _, r := range t {
		if r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
