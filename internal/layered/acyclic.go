package layered

// ledge is an edge of one part, by the part's own node indexes.
type ledge struct {
	from, to int
	back     bool
}

// breakCycles decides which edges to lay out against their direction so
// that the others form no cycle. Edges not marked back are kept forward
// where they can be (a depth-first search reverses only those that close
// a cycle among themselves, which a valid workflow never has); then each
// back edge is kept forward unless it would close a cycle, in which case
// it is reversed.
func breakCycles(n int, es []ledge) []bool {
	rev := make([]bool, len(es))
	out := make([][]int, n)
	hasIn := make([]bool, n)
	for i, e := range es {
		if !e.back {
			out[e.from] = append(out[e.from], i)
			hasIn[e.to] = true
		}
	}
	state := make([]uint8, n) // 0 new, 1 on the stack, 2 done
	visit := func(root int) {
		type frame struct{ node, next int }
		stack := []frame{{root, 0}}
		state[root] = 1
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next == len(out[f.node]) {
				state[f.node] = 2
				stack = stack[:len(stack)-1]
				continue
			}
			ei := out[f.node][f.next]
			f.next++
			switch state[es[ei].to] {
			case 0:
				state[es[ei].to] = 1
				stack = append(stack, frame{es[ei].to, 0})
			case 1:
				rev[ei] = true
			}
		}
	}
	for _, wantRoot := range []bool{true, false} {
		for i := range n {
			if state[i] == 0 && !hasIn[i] == wantRoot {
				visit(i)
			}
		}
	}
	dag := make([][]int, n)
	for i, e := range es {
		if !e.back {
			a, b := oriented(e, rev[i])
			dag[a] = append(dag[a], b)
		}
	}
	r := &reach{adj: dag, seen: make([]int, n)}
	for i, e := range es {
		if !e.back {
			continue
		}
		if e.from == e.to || r.path(e.to, e.from) {
			rev[i] = true
		}
		a, b := oriented(e, rev[i])
		dag[a] = append(dag[a], b)
	}
	return rev
}

func oriented(e ledge, rev bool) (int, int) {
	if rev {
		return e.to, e.from
	}
	return e.from, e.to
}

// reach answers "is there a path from a to b" over a growing graph.
type reach struct {
	adj   [][]int
	seen  []int
	stamp int
}

func (r *reach) path(a, b int) bool {
	r.stamp++
	stack := []int{a}
	r.seen[a] = r.stamp
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v == b {
			return true
		}
		for _, w := range r.adj[v] {
			if r.seen[w] != r.stamp {
				r.seen[w] = r.stamp
				stack = append(stack, w)
			}
		}
	}
	return false
}

// assignRanks gives each node a rank (even numbers: the odd ranks between
// them hold the points where edges pass and their labels). A node's rank
// is the length of the longest path to it; then a node that only starts
// edges moves down to just above the first node it leads to, so that a
// side input sits next to where it is used.
func assignRanks(n int, es []ledge, rev []bool) []int {
	out := make([][]int, n)
	indeg := make([]int, n)
	for i, e := range es {
		a, b := oriented(e, rev[i])
		out[a] = append(out[a], b)
		indeg[b]++
	}
	rank := make([]int, n)
	left := append([]int(nil), indeg...)
	var ready []int
	for i := range n {
		if left[i] == 0 {
			ready = append(ready, i)
		}
	}
	for len(ready) > 0 {
		v := ready[0]
		ready = ready[1:]
		for _, w := range out[v] {
			rank[w] = max(rank[w], rank[v]+2)
			if left[w]--; left[w] == 0 {
				ready = append(ready, w)
			}
		}
	}
	for v := range n {
		if indeg[v] > 0 || len(out[v]) == 0 {
			continue
		}
		lowest := -1
		for _, w := range out[v] {
			if lowest < 0 || rank[w] < lowest {
				lowest = rank[w]
			}
		}
		rank[v] = lowest - 2
	}
	low := 0
	for i, r := range rank {
		if i == 0 || r < low {
			low = r
		}
	}
	for i := range rank {
		rank[i] -= low
	}
	return rank
}
