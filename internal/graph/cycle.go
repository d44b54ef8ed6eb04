package graph

// Cycle is a cycle that nothing guards: the nodes in order, and the arcs
// between them (Arcs[k] leads from Nodes[k] to Nodes[k+1], the last back to
// Nodes[0]), every one sequential or parallel.
type Cycle struct {
	Nodes []int
	Arcs  []Arc
}

// Cycles returns one cycle for each strongly connected group of nodes that
// unguarded arcs (sequential, parallel) tie together, ordered by their
// first node, and each starting at its lowest node: the same file gives
// the same report. A cycle through a guarding arc is a loop (Loops).
func (g *Graph) Cycles() []Cycle {
	comp := g.componentsOf(unguarded)
	var out []Cycle
	done := map[int]bool{}
	for i := range g.Nodes {
		c := comp[i]
		if done[c] {
			continue
		}
		done[c] = true
		if cyc, ok := g.cycleFrom(i, comp); ok {
			out = append(out, cyc)
		}
	}
	return out
}

// cycleFrom finds a shortest cycle through start that stays inside start's
// component, by breadth-first search over non-loop arcs.
func (g *Graph) cycleFrom(start int, comp []int) (Cycle, bool) {
	prev := map[int]int{} // node -> arc index that reached it
	queue := []int{start}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, ai := range g.out[i] {
			a := g.Arcs[ai]
			if !unguarded(a) || comp[a.To] != comp[start] {
				continue
			}
			if a.To == start {
				return g.unwind(start, i, ai, prev), true
			}
			if _, seen := prev[a.To]; !seen {
				prev[a.To] = ai
				queue = append(queue, a.To)
			}
		}
	}
	return Cycle{}, false
}

func (g *Graph) unwind(start, last, closing int, prev map[int]int) Cycle {
	arcs := []Arc{g.Arcs[closing]}
	for i := last; i != start; {
		a := g.Arcs[prev[i]]
		arcs = append(arcs, a)
		i = a.From
	}
	c := Cycle{}
	for k := len(arcs) - 1; k >= 0; k-- {
		c.Arcs = append(c.Arcs, arcs[k])
		c.Nodes = append(c.Nodes, arcs[k].From)
	}
	return c
}

func unguarded(a Arc) bool { return !a.Guards() }

func nonLoop(a Arc) bool { return !a.IsLoop() }

// components labels strongly connected components over non-loop arcs.
func (g *Graph) components() []int { return g.componentsOf(nonLoop) }

// componentsOf labels strongly connected components over the arcs keep
// accepts (Tarjan's algorithm, iterative so deep graphs cannot exhaust
// the stack).
func (g *Graph) componentsOf(keep func(Arc) bool) []int {
	n := len(g.Nodes)
	index := make([]int, n)
	low := make([]int, n)
	comp := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	next, label := 0, 0
	type frame struct{ node, arc int }
	for root := range g.Nodes {
		if index[root] >= 0 {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.arc < len(g.out[f.node]) {
				a := g.Arcs[g.out[f.node][f.arc]]
				f.arc++
				if !keep(a) {
					continue
				}
				w := a.To
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] {
					low[f.node] = min(low[f.node], index[w])
				}
				continue
			}
			v := f.node
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].node
				low[p] = min(low[p], low[v])
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = label
					if w == v {
						break
					}
				}
				label++
			}
		}
	}
	return comp
}
