package graph

// Guards reports whether the arc can end a cycle: a loop, conditional,
// switch, event or failure-path edge decides whether it is taken, so a
// cycle through it is a bounded loop. Sequential and parallel arcs are
// always taken: a cycle of only those never ends.
func (a Arc) Guards() bool {
	switch a.Edge.Mode.V {
	case "", "sequential", "parallel":
		return false
	}
	return true
}

// IsBack reports whether arc k (not a loop edge) closes a cycle: it leads
// back to a node that a depth-first walk from the entries was still
// inside. Back arcs are what re-enter a rework loop; the topological
// order, the entries and the ancestors leave them out.
func (g *Graph) IsBack(k int) bool { return g.back[k] }

// backArcs marks the arcs that close cycles of non-loop arcs. The walk
// starts at the nodes nothing leads into (file order), then at the first
// node of each part not reached yet, and follows arcs in file order, so
// the same file always gives the same back arcs.
func (g *Graph) backArcs() []bool {
	back := make([]bool, len(g.Arcs))
	const (
		white = iota
		grey
		black
	)
	colour := make([]int, len(g.Nodes))
	type frame struct{ node, next int }
	walk := func(root int) {
		call := []frame{{root, 0}}
		colour[root] = grey
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.next == len(g.out[f.node]) {
				colour[f.node] = black
				call = call[:len(call)-1]
				continue
			}
			k := g.out[f.node][f.next]
			f.next++
			a := g.Arcs[k]
			if a.IsLoop() {
				continue
			}
			switch colour[a.To] {
			case grey:
				back[k] = true
			case white:
				colour[a.To] = grey
				call = append(call, frame{a.To, 0})
			}
		}
	}
	fed := make([]bool, len(g.Nodes))
	for _, a := range g.Arcs {
		if !a.IsLoop() && a.From != a.To {
			fed[a.To] = true
		}
	}
	for i := range g.Nodes {
		if !fed[i] && colour[i] == white {
			walk(i)
		}
	}
	for i := range g.Nodes {
		if colour[i] == white {
			walk(i)
		}
	}
	return back
}

// Loop is a cycle that back arc Back closes: Nodes from the loop's head
// (Back's target) to its tail (Back's source), Arcs the arcs between
// them, in order.
type Loop struct {
	Back  int
	Nodes []int
	Arcs  []int
	// Guarded is true when an arc of the loop decides whether it is
	// taken; an unguarded loop never ends (Cycles reports it).
	Guarded bool
}

// Loops returns the loop each back arc closes, in arc order.
func (g *Graph) Loops() []Loop {
	var out []Loop
	for k, b := range g.back {
		if !b {
			continue
		}
		a := g.Arcs[k]
		l := Loop{Back: k, Guarded: a.Guards()}
		path := g.forwardPath(a.To, a.From)
		l.Nodes = append(l.Nodes, a.To)
		for _, p := range path {
			l.Arcs = append(l.Arcs, p)
			l.Nodes = append(l.Nodes, g.Arcs[p].To)
			l.Guarded = l.Guarded || g.Arcs[p].Guards()
		}
		out = append(out, l)
	}
	return out
}

// forwardPath returns a shortest path of forward arcs from one node to
// another (empty when they are the same node).
func (g *Graph) forwardPath(from, to int) []int {
	if from == to {
		return nil
	}
	prev := map[int]int{}
	queue := []int{from}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, k := range g.out[x] {
			a := g.Arcs[k]
			if a.IsLoop() || g.back[k] || a.To == from {
				continue
			}
			if _, seen := prev[a.To]; seen {
				continue
			}
			prev[a.To] = k
			if a.To == to {
				var path []int
				for y := to; y != from; y = g.Arcs[prev[y]].From {
					path = append([]int{prev[y]}, path...)
				}
				return path
			}
			queue = append(queue, a.To)
		}
	}
	return nil
}
