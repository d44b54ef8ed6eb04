package graph

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/ast"
)

// wf builds a workflow from "a>b", "b>c:loop", "s>x|y:switch" specs.
func wf(nodes string, edges ...string) *ast.Workflow {
	w := &ast.Workflow{}
	for _, id := range strings.Fields(nodes) {
		w.Nodes = append(w.Nodes, &ast.Node{ID: ast.Str{V: id}})
	}
	for _, e := range edges {
		spec, mode, _ := strings.Cut(e, ":")
		if mode == "" {
			mode = "sequential"
		}
		from, to, _ := strings.Cut(spec, ">")
		targets := strings.Split(to, "|")
		edge := &ast.Edge{From: ast.Str{V: from}, To: ast.Str{V: targets[0]}, Mode: ast.Str{V: mode}}
		for _, t := range targets[1:] {
			edge.Cases = append(edge.Cases, &ast.Case{To: ast.Str{V: t}})
		}
		w.Edges = append(w.Edges, edge)
	}
	return w
}

func ids(g *Graph, idx []int) string {
	var s []string
	for _, i := range idx {
		s = append(s, g.Nodes[i].ID.V)
	}
	return strings.Join(s, " ")
}

func TestTopoOrderAndEntries(t *testing.T) {
	tests := []struct {
		name           string
		w              *ast.Workflow
		order, entries string
	}{
		{"chain", wf("c b a", "a>b", "b>c"), "a b c", "a"},
		{"ties keep file order", wf("x y z", "x>z", "y>z"), "x y z", "x y"},
		{"loop edges ignored", wf("a b", "a>b", "b>a:loop"), "a b", "a"},
		{"fallback target is no entry", wf("a b r", "a>b", "b>r:fallback"), "a b r", "a"},
		{"switch targets", wf("s x y", "s>x|y:switch"), "s x y", "s"},
		{"unknown nodes dropped", wf("a", "a>ghost"), "a", "a"},
		{"rework loop: the back arc is left out", wf("a b", "a>b", "b>a:fallback"), "a b", "a"},
		{"a cycle nothing leads into starts at its first node", wf("v r p", "r>v:conditional", "v>r", "r>p:conditional"), "v r p", "v"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New(tt.w)
			if got := ids(g, g.TopoOrder()); got != tt.order {
				t.Errorf("order %q, want %q", got, tt.order)
			}
			if got := ids(g, g.Entries()); got != tt.entries {
				t.Errorf("entries %q, want %q", got, tt.entries)
			}
		})
	}
}

func TestCycles(t *testing.T) {
	tests := []struct {
		name string
		w    *ast.Workflow
		want []string
	}{
		{"none", wf("a b c", "a>b", "b>c"), nil},
		{"loop edge is allowed", wf("a b", "a>b", "b>a:loop"), nil},
		{"self edge", wf("a", "a>a"), []string{"a"}},
		{"back edge by fallback is a loop", wf("a b c", "a>b", "b>c", "c>a:fallback"), nil},
		{"guarded forward, sequential back", wf("d r v", "d>r", "r>v:conditional", "v>r"), nil},
		{"parallel cycle", wf("a b", "a>b:parallel", "b>a"), []string{"a b"}},
		{"two cycles, deterministic", wf("p q r s", "q>p", "p>q", "r>s", "s>r"), []string{"p q", "r s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New(tt.w)
			var got []string
			for _, c := range g.Cycles() {
				got = append(got, ids(g, c.Nodes))
				if len(c.Arcs) != len(c.Nodes) {
					t.Errorf("cycle %v has %d arcs", c.Nodes, len(c.Arcs))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("cycles (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoops(t *testing.T) {
	tests := []struct {
		name string
		w    *ast.Workflow
		want []string // "nodes guarded"
	}{
		{"none", wf("a b", "a>b"), nil},
		{"loop edges are not back arcs", wf("a b", "a>b", "b>a:loop"), nil},
		{"review loop", wf("w r p", "w>r", "r>w:conditional", "r>p:conditional"), []string{"w r true"}},
		{"sequential back arc, guarded forward", wf("d r v", "d>r", "r>v:conditional", "v>r"), []string{"r v true"}},
		{"nested", wf("a b c d", "a>b", "b>c", "c>b:conditional", "c>d", "d>a:fallback"), []string{"b c true", "a b c d true"}},
		{"unguarded", wf("a b", "a>b", "b>a"), []string{"a b false"}},
		{"self", wf("a", "a>a:conditional"), []string{"a true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New(tt.w)
			var got []string
			for _, l := range g.Loops() {
				got = append(got, fmt.Sprintf("%s %v", ids(g, l.Nodes), l.Guarded))
				if len(l.Arcs) != len(l.Nodes)-1 {
					t.Errorf("loop %v has %d arcs", l.Nodes, len(l.Arcs))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("loops (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAncestorsAndReachable(t *testing.T) {
	g := New(wf("a b c d e", "a>b", "a>c", "b>d", "c>d", "d>b:loop"))
	anc := g.Ancestors()
	d, _ := g.Index("d")
	var got []string
	for i := range g.Nodes {
		if anc[d].Has(i) {
			got = append(got, g.Nodes[i].ID.V)
		}
	}
	if strings.Join(got, " ") != "a b c" {
		t.Errorf("ancestors of d = %v", got)
	}
	reach := g.Reachable()
	if fmt.Sprint(reach) != "[true true true true true]" {
		t.Errorf("reachable %v", reach)
	}
}

func BenchmarkAncestors(b *testing.B) {
	var edges []string
	n := 5000
	nodes := make([]string, n)
	for i := range n {
		nodes[i] = fmt.Sprintf("n%d", i)
		if i > 0 {
			edges = append(edges, fmt.Sprintf("n%d>n%d", i-1, i))
		}
	}
	g := New(wf(strings.Join(nodes, " "), edges...))
	for b.Loop() {
		g.Ancestors()
	}
}
