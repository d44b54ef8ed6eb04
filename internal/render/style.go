package render

import (
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
)

// nodeStyle is how a node type looks in every picture.
type nodeStyle struct {
	Fill, Stroke string
	DotShape     string
	// Mermaid shape delimiters around the label.
	MermaidOpen, MermaidClose string
}

var nodeStyles = map[string]nodeStyle{
	"agent":      {"#ede7f6", "#5e35b1", "hexagon", "{{", "}}"},
	"api":        {"#e3f2fd", "#1e88e5", "box", "(", ")"},
	"cli":        {"#eceff1", "#546e7a", "box", "[", "]"},
	"human":      {"#fff3e0", "#fb8c00", "ellipse", "([", "])"},
	"db":         {"#e8f5e9", "#43a047", "cylinder", "[(", ")]"},
	"git":        {"#fce4ec", "#d81b60", "box", "[", "]"},
	"docker":     {"#e1f5fe", "#0288d1", "box3d", "[", "]"},
	"cicd":       {"#f3e5f5", "#8e24aa", "box", "[[", "]]"},
	"mcp":        {"#ede7f6", "#3949ab", "component", "[[", "]]"},
	"system":     {"#f5f5f5", "#616161", "box", "[[", "]]"},
	"infra":      {"#e0f2f1", "#00897b", "box3d", "[", "]"},
	"data":       {"#fffde7", "#f9a825", "parallelogram", "[/", "/]"},
	"event":      {"#fffde7", "#f57f17", "circle", "((", "))"},
	"gateway":    {"#fff8e1", "#ff8f00", "diamond", "{", "}"},
	"company":    {"#f1f8e9", "#558b2f", "tab", "[", "]"},
	"department": {"#f1f8e9", "#7cb342", "folder", "[", "]"},
}

var defaultStyle = nodeStyle{"#ffffff", "#9e9e9e", "box", "[", "]"}

func styleOf(n *ast.Node) nodeStyle {
	if s, ok := nodeStyles[n.Type.V]; ok {
		return s
	}
	return defaultStyle
}

// edgeKind groups modes by how they are drawn.
type edgeKind int

const (
	edgeNormal   edgeKind = iota // sequential, dataflow, message, signal, weighted
	edgeParallel                 // parallel fan-out
	edgeCond                     // conditional, switch
	edgeFailure                  // fallback, error, timeout, compensation: dashed red
	edgeLoop                     // loop: dotted
	edgeAsync                    // spawn, event
)

func kindOf(mode string) edgeKind {
	switch mode {
	case "parallel":
		return edgeParallel
	case "conditional", "switch":
		return edgeCond
	case "fallback", "error", "timeout", "compensation":
		return edgeFailure
	case "loop":
		return edgeLoop
	case "spawn", "event":
		return edgeAsync
	}
	return edgeNormal
}

// arcLabel is the short label drawn on an arc: the mode when it is not
// sequential, and the condition or case.
func arcLabel(g *graph.Graph, a graph.Arc) string {
	e := a.Edge
	var parts []string
	switch {
	case e.Mode.V == "switch" && a.Case != nil:
		parts = append(parts, "case "+scalarText(a.Case.Value))
	case e.Mode.V == "switch" && e.DefaultTo.V == g.Nodes[a.To].ID.V:
		parts = append(parts, "default")
	case e.Mode.V == "loop" && e.ForEach.Set():
		parts = append(parts, "for each "+e.ForEach.V)
	case e.Mode.V == "conditional":
		if e.When.V != "" {
			parts = append(parts, e.When.V)
		}
	case e.Mode.V == "parallel":
		// Drawn bold; a label would only repeat it.
	case e.Mode.V != "sequential":
		parts = append(parts, e.Mode.V)
		if e.When.V != "" && e.Mode.V != "switch" {
			parts = append(parts, e.When.V)
		}
	}
	if len(parts) == 0 && e.Label.V != "" {
		parts = append(parts, e.Label.V)
	}
	return strings.Join(parts, ": ")
}

func scalarText(v *ast.Value) string {
	if s, ok := v.String(); ok {
		return s
	}
	return "null"
}

// truncate shortens s to n runes with an ellipsis.
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
