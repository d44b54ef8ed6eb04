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
		{"back edge by fallback", wf("a b c", "a>b", "b>c", "c>a:fallback"), []string{"a b c"}},
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
