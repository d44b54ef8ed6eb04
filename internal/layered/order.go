package layered

import (
	"math/rand/v2"
	"sort"
)

// Crossing reduction stops after this many sweeps, or after quitAfter
// sweeps that found nothing better.
const (
	maxSweeps = 24
	quitAfter = 8
	// Graphs of at most restartsUpTo vnodes whose crossings remain get
	// this many more tries from random orders.
	restarts     = 12
	restartsUpTo = 400
	// Sifting costs the square of a rank's width: ranks wider than
	// siftUpTo are left to the sweeps and exchanges, and so are graphs of
	// more than bigGraph vnodes, which also get fewer sweeps, so that a
	// huge or tangled workflow is still drawn in bounded time.
	siftUpTo   = 64
	bigGraph   = 4000
	bigSweeps  = 6
	bigQuitAft = 2
	hugeGraph  = 30000
)

// order arranges each rank to reduce crossings: a depth-first first
// order, then sweeps down and up the ranks sorting each by the mean
// position of its neighbours in the rank just swept, each followed by
// exchanges of neighbours that remove crossings. The best order seen is
// kept.
//
// The work is done on the ranks of nodes only (even ranks), each edge
// joining the node ranks it passes; the odd ranks, where edges only pass
// and carry labels, are then ordered to add no crossing of their own.
func (p *part) order() {
	p.compress()
	var best [][]int
	bestC := -1
	starts := 3
	if len(p.v) <= restartsUpTo {
		starts += restarts
	}
	rng := rand.New(rand.NewPCG(uint64(len(p.v)), uint64(len(p.es))))
	for start := range starts {
		if start < 3 {
			p.initOrder(start)
		} else {
			p.shuffle(rng)
		}
		layers, c := p.reduce()
		if bestC < 0 || c < bestC {
			best, bestC = layers, c
		}
		if bestC == 0 {
			break
		}
	}
	for k, l := range best {
		p.layers[2*k] = l
	}
	p.renumber()
	p.orderPassing()
}

// shuffle puts each node rank in a random order: a fresh start for
// small graphs where the sweeps from the walks got stuck. The generator is
// seeded by the graph's size, so the same graph gets the same drawing.
func (p *part) shuffle(rng *rand.Rand) {
	for _, l := range p.work {
		rng.Shuffle(len(l), func(a, b int) { l[a], l[b] = l[b], l[a] })
	}
	p.renumberWork()
}

// reduce runs the sweeps from the current order and returns the best
// order seen and its crossings.
func (p *part) reduce() ([][]int, int) {
	best, bestC := p.snapshot(), p.crossings()
	since := 0
	sweeps, quit := maxSweeps, quitAfter
	big := len(p.v) > bigGraph
	if big {
		sweeps, quit = bigSweeps, bigQuitAft
	}
	passes := 16
	if big {
		passes = 2
	}
	if len(p.v) > hugeGraph {
		sweeps, passes = 2, 0
	}
	for i := 0; i < sweeps && bestC > 0 && since < quit; i++ {
		p.sweep(i%2 == 0, (i/2)%2 == 1)
		p.transpose(i%4 == 3, passes)
		if !big {
			p.sift()
		}
		if c := p.crossings(); c < bestC {
			best, bestC, since = p.snapshot(), c, 0
		} else {
			since++
		}
	}
	return best, bestC
}

// compress links each vnode in a node rank to the vnodes two ranks above
// and below it.
func (p *part) compress() {
	p.cup = make([][]int, len(p.v))
	p.cdown = make([][]int, len(p.v))
	for v := range p.v {
		if p.v[v].rank%2 != 0 {
			continue
		}
		for _, d := range p.v[v].down {
			for _, w := range p.v[d].down {
				p.cdown[v] = append(p.cdown[v], w)
				p.cup[w] = append(p.cup[w], v)
			}
		}
	}
	p.work = make([][]int, (len(p.layers)+1)/2)
}

// orderPassing orders each odd rank by where its edges come from and go
// to, so that two edges that do not cross between the node ranks do not
// cross there either.
func (p *part) orderPassing() {
	for r := 1; r < len(p.layers); r += 2 {
		l := p.layers[r]
		sort.SliceStable(l, func(a, b int) bool {
			va, vb := &p.v[l[a]], &p.v[l[b]]
			ua, ub := p.v[va.up[0]].order, p.v[vb.up[0]].order
			da, db := p.v[va.down[0]].order, p.v[vb.down[0]].order
			if ua+da != ub+db {
				return ua+da < ub+db
			}
			return ua < ub
		})
		for i, v := range l {
			p.v[v].order = i
		}
	}
}

// initOrder makes a first order of the node ranks by a depth-first walk:
// down from the top nodes (start 0), up from the bottom ones (1), or down
// with each node's edges taken in reverse (2). Different walks get stuck
// in different places; order keeps the best.
func (p *part) initOrder(start int) {
	for i := range p.work {
		p.work[i] = p.work[i][:0]
	}
	key := func(i int) float64 { return float64(p.v[i].rank) }
	if start == 1 {
		key = func(i int) float64 { return -float64(p.v[i].rank) }
	}
	idx := sortedBy(len(p.v), key)
	seen := make([]bool, len(p.v))
	for _, root := range idx {
		if seen[root] || p.v[root].rank%2 != 0 {
			continue
		}
		stack := []int{root}
		seen[root] = true
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			p.work[p.v[v].rank/2] = append(p.work[p.v[v].rank/2], v)
			next := p.cdown[v]
			if start == 1 {
				next = p.cup[v]
			}
			for k := range next {
				w := next[len(next)-1-k]
				if start == 2 {
					w = next[k]
				}
				if !seen[w] {
					seen[w] = true
					stack = append(stack, w)
				}
			}
		}
	}
	p.renumberWork()
}

func (p *part) renumberWork() {
	for _, l := range p.work {
		for i, v := range l {
			p.v[v].order = i
		}
	}
}

func (p *part) renumber() {
	for r, l := range p.layers {
		if r%2 != 0 {
			p.layers[r] = l[:0]
		}
	}
	for v := range p.v {
		if r := p.v[v].rank; r%2 != 0 {
			p.layers[r] = append(p.layers[r], v)
		}
	}
	for _, l := range p.layers {
		for i, v := range l {
			p.v[v].order = i
		}
	}
}

func (p *part) snapshot() [][]int {
	out := make([][]int, len(p.work))
	for i, l := range p.work {
		out[i] = append([]int(nil), l...)
	}
	return out
}

// sweep sorts every rank after the first (down) or before the last (up)
// by the barycentre of its neighbours on the side already swept. Nodes
// with no such neighbour keep their place; ties keep their order, or the
// reverse when biasRight is set, so alternate sweeps try both.
func (p *part) sweep(down, biasRight bool) {
	n := len(p.work)
	for k := 1; k < n; k++ {
		r := k
		if !down {
			r = n - 1 - k
		}
		p.sortRank(r, down, biasRight)
	}
}

func (p *part) sortRank(r int, down, biasRight bool) {
	layer := p.work[r]
	type entry struct {
		v    int
		bary float64
		i    int
	}
	var movable []entry
	fixed := make([]bool, len(layer))
	for i, v := range layer {
		ns := p.cup[v]
		if !down {
			ns = p.cdown[v]
		}
		if len(ns) == 0 {
			fixed[i] = true
			continue
		}
		sum := 0.0
		for _, w := range ns {
			sum += float64(p.v[w].order)
		}
		movable = append(movable, entry{v, sum / float64(len(ns)), i})
	}
	sort.SliceStable(movable, func(a, b int) bool {
		if movable[a].bary != movable[b].bary {
			return movable[a].bary < movable[b].bary
		}
		if biasRight {
			return movable[a].i > movable[b].i
		}
		return movable[a].i < movable[b].i
	})
	out := make([]int, 0, len(layer))
	m := 0
	for i, v := range layer {
		if fixed[i] {
			out = append(out, v)
			continue
		}
		out = append(out, movable[m].v)
		m++
	}
	p.work[r] = out
	for i, v := range out {
		p.v[v].order = i
	}
}

// transpose exchanges neighbours in a rank while that removes crossings;
// with sideways set it also exchanges those whose crossings stay the
// same, to leave a plateau the sweeps are stuck on.
func (p *part) transpose(sideways bool, passes int) {
	for pass := 0; pass < passes; pass++ {
		improved := false
		for _, layer := range p.work {
			for j := 0; j+1 < len(layer); j++ {
				v, w := layer[j], layer[j+1]
				before, after := p.pairCrossings(v, w), p.pairCrossings(w, v)
				if after < before || (sideways && pass == 0 && before > 0 && after == before) {
					layer[j], layer[j+1] = w, v
					p.v[v].order, p.v[w].order = j+1, j
					improved = true
				}
			}
		}
		if !improved {
			return
		}
	}
}

// sift moves each node of each rank, one at a time, to the place in its
// rank where its edges cross the fewest others (its first place on a
// tie). Unlike exchanges of neighbours, this can jump over a place that
// is worse than both ends.
func (p *part) sift() {
	for r, layer := range p.work {
		if len(layer) > siftUpTo {
			continue
		}
		for _, v := range append([]int(nil), layer...) {
			cur := p.v[v].order
			rest := make([]int, 0, len(layer)-1)
			for _, u := range p.work[r] {
				if u != v {
					rest = append(rest, u)
				}
			}
			cost, best, bestAt := 0, 0, 0
			for _, u := range rest {
				cost += p.pairCrossings(v, u)
			}
			best = cost
			atCur := -1
			if cur == 0 {
				atCur = cost
			}
			for k, u := range rest {
				cost += p.pairCrossings(u, v) - p.pairCrossings(v, u)
				if k+1 == cur {
					atCur = cost
				}
				if cost < best {
					best, bestAt = cost, k+1
				}
			}
			if best >= atCur {
				continue
			}
			out := append(append(append(make([]int, 0, len(layer)), rest[:bestAt]...), v), rest[bestAt:]...)
			p.work[r] = out
			for i, u := range out {
				p.v[u].order = i
			}
		}
	}
}

// pairCrossings counts the crossings between v's and w's edges when v is
// just left of w.
func (p *part) pairCrossings(v, w int) int {
	c := 0
	count := func(a, b []int) {
		for _, x := range a {
			for _, y := range b {
				if p.v[x].order > p.v[y].order {
					c++
				}
			}
		}
	}
	count(p.cup[v], p.cup[w])
	count(p.cdown[v], p.cdown[w])
	return c
}

// crossings counts all crossings between consecutive ranks (inversions
// counted with a Fenwick tree: O(e log e) per pair of ranks).
func (p *part) crossings() int {
	total := 0
	for r := 0; r+1 < len(p.work); r++ {
		size := len(p.work[r+1])
		tree := make([]int, size+1)
		seen := 0
		for _, u := range p.work[r] {
			ends := make([]int, 0, len(p.cdown[u]))
			for _, w := range p.cdown[u] {
				ends = append(ends, p.v[w].order)
			}
			sort.Ints(ends)
			for _, e := range ends {
				// Edges seen so far that end right of e cross this one.
				le := 0
				for i := e + 1; i > 0; i -= i & -i {
					le += tree[i]
				}
				total += seen - le
				for i := e + 1; i <= size; i += i & -i {
					tree[i]++
				}
				seen++
			}
		}
	}
	return total
}
