package graph

import (
	"container/heap"

	"github.com/osopdev/osop/internal/ast"
)

// Arc is one way from a node to another: an edge, or one target of a
// switch edge.
type Arc struct {
	Edge *ast.Edge
	From int
	To   int
	// Case is the switch case this arc follows; nil for other arcs and for
	// a switch's default.
	Case *ast.Case
}

// IsLoop reports whether the arc is a loop edge, the one kind allowed to
// close a cycle.
func (a Arc) IsLoop() bool { return a.Edge.Mode.V == "loop" }

// Graph is a workflow's nodes and arcs. Nodes keep file order; a duplicate
// id keeps its first node (the validator reports the rest). Arcs to unknown
// nodes are left out (the validator reports them too).
type Graph struct {
	Nodes []*ast.Node
	Arcs  []Arc
	index map[string]int
	out   [][]int // arc indexes by source node
	in    [][]int // arc indexes by target node
	order []int   // topological order, computed once by New
	back  []bool  // arcs that close a cycle (IsBack)
}

// New builds the graph of w.
func New(w *ast.Workflow) *Graph {
	g := &Graph{index: make(map[string]int, len(w.Nodes))}
	for _, n := range w.Nodes {
		if _, dup := g.index[n.ID.V]; dup {
			continue
		}
		g.index[n.ID.V] = len(g.Nodes)
		g.Nodes = append(g.Nodes, n)
	}
	g.out = make([][]int, len(g.Nodes))
	g.in = make([][]int, len(g.Nodes))
	for _, e := range w.Edges {
		from, ok := g.index[e.From.V]
		if !ok {
			continue
		}
		for _, t := range e.Targets() {
			to, ok := g.index[t.V]
			if !ok {
				continue
			}
			g.addArc(Arc{Edge: e, From: from, To: to, Case: caseFor(e, t.V)})
		}
	}
	g.back = g.backArcs()
	g.order = g.topoOrder()
	return g
}

func caseFor(e *ast.Edge, to string) *ast.Case {
	for _, c := range e.Cases {
		if c.To.V == to {
			return c
		}
	}
	return nil
}

func (g *Graph) addArc(a Arc) {
	i := len(g.Arcs)
	g.Arcs = append(g.Arcs, a)
	g.out[a.From] = append(g.out[a.From], i)
	g.in[a.To] = append(g.in[a.To], i)
}

// Index returns the index of the node with id, if any.
func (g *Graph) Index(id string) (int, bool) {
	i, ok := g.index[id]
	return i, ok
}

// Out returns the arcs leaving node i, in file order.
func (g *Graph) Out(i int) []Arc { return g.arcs(g.out[i]) }

// In returns the arcs entering node i, in file order.
func (g *Graph) In(i int) []Arc { return g.arcs(g.in[i]) }

func (g *Graph) arcs(idx []int) []Arc {
	out := make([]Arc, len(idx))
	for k, i := range idx {
		out[k] = g.Arcs[i]
	}
	return out
}

// IsEntry reports whether node i starts the run: nothing leads to it but
// loop edges and arcs back from later nodes (a rework loop's first step).
// A node reached only by fallback, error or timeout edges is not an
// entry; it runs when its source fails.
func (g *Graph) IsEntry(i int) bool {
	for _, ai := range g.in[i] {
		if !g.Arcs[ai].IsLoop() && !g.back[ai] {
			return false
		}
	}
	return true
}

// Entries returns the entry nodes in file order.
func (g *Graph) Entries() []int {
	var out []int
	for i := range g.Nodes {
		if g.IsEntry(i) {
			out = append(out, i)
		}
	}
	return out
}

// Reachable marks the nodes some path from a root leads to, over any kind
// of edge. The roots are the entries and, for each cycle that nothing
// outside it leads into, its first node: such a cycle is reported as a
// cycle, not as a set of unreachable nodes.
func (g *Graph) Reachable() []bool {
	seen := make([]bool, len(g.Nodes))
	stack := g.roots()
	for _, i := range stack {
		seen[i] = true
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, ai := range g.out[i] {
			if t := g.Arcs[ai].To; !seen[t] {
				seen[t] = true
				stack = append(stack, t)
			}
		}
	}
	return seen
}

func (g *Graph) roots() []int {
	roots := g.Entries()
	comp := g.components()
	size := map[int]int{}
	for _, c := range comp {
		size[c]++
	}
	fed := map[int]bool{} // components something outside leads into
	for _, a := range g.Arcs {
		if !a.IsLoop() && comp[a.From] != comp[a.To] {
			fed[comp[a.To]] = true
		}
	}
	done := map[int]bool{}
	for i, c := range comp {
		if size[c] > 1 && !fed[c] && !done[c] {
			done[c] = true
			roots = append(roots, i)
		}
	}
	return roots
}

// TopoOrder returns every node once, each after all nodes that lead to it
// by forward arcs (neither loop edges nor back arcs); ties go to file
// order, so the order is deterministic. The slice is shared:
// callers must not change it.
func (g *Graph) TopoOrder() []int { return g.order }

func (g *Graph) topoOrder() []int {
	indeg := make([]int, len(g.Nodes))
	for k, a := range g.Arcs {
		if !a.IsLoop() && !g.back[k] {
			indeg[a.To]++
		}
	}
	ready := &minHeap{}
	for i, d := range indeg {
		if d == 0 {
			heap.Push(ready, i)
		}
	}
	order := make([]int, 0, len(g.Nodes))
	placed := make([]bool, len(g.Nodes))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		order = append(order, i)
		placed[i] = true
		for _, ai := range g.out[i] {
			a := g.Arcs[ai]
			if a.IsLoop() || g.back[ai] {
				continue
			}
			if indeg[a.To]--; indeg[a.To] == 0 {
				heap.Push(ready, a.To)
			}
		}
	}
	for i := range g.Nodes {
		if !placed[i] {
			order = append(order, i)
		}
	}
	return order
}

// Ancestors returns, for every node, the set of nodes that lead to it by
// non-loop arcs: the nodes whose outputs it can see.
func (g *Graph) Ancestors() []Set {
	anc := make([]Set, len(g.Nodes))
	for i := range anc {
		anc[i] = NewSet(len(g.Nodes))
	}
	pos := make([]int, len(g.Nodes))
	for k, i := range g.order {
		pos[i] = k
	}
	for _, i := range g.order {
		for _, ai := range g.in[i] {
			a := g.Arcs[ai]
			// Skip loop arcs and arcs against the order (inside a cycle,
			// which the validator reports).
			if a.IsLoop() || pos[a.From] >= pos[i] {
				continue
			}
			anc[i].Union(anc[a.From])
			anc[i].Add(a.From)
		}
	}
	return anc
}

// Set is a set of node indexes.
type Set []uint64

// NewSet returns an empty set for n nodes.
func NewSet(n int) Set { return make(Set, (n+63)/64) }

// Add puts i in the set.
func (s Set) Add(i int) { s[i/64] |= 1 << (i % 64) }

// Has reports whether i is in the set.
func (s Set) Has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }

// Union adds every member of t.
func (s Set) Union(t Set) {
	for k := range s {
		s[k] |= t[k]
	}
}

// minHeap hands out the smallest ready index, keeping orders stable.
type minHeap []int

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// OutArcs returns the indexes in Arcs of the arcs leaving node i.
func (g *Graph) OutArcs(i int) []int { return g.out[i] }

// InArcs returns the indexes in Arcs of the arcs entering node i.
func (g *Graph) InArcs(i int) []int { return g.in[i] }
