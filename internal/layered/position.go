package layered

import (
	"math"
	"sort"
)

// positionX assigns x coordinates by Brandes and Köpf's method: four
// alignments (neighbours above or below, packed from the left or the
// right) each line nodes up in vertical blocks with a median neighbour,
// keeping long edges straight, and compact the blocks; the result is the
// mean of the two middle candidates for each node. A last pass restores
// the minimum gaps wherever that mean would bring two nodes too close.
func (p *part) positionX() {
	conflicts := p.type1Conflicts()
	var xss [4][]float64
	for k := range 4 {
		upward, rightward := k < 2, k%2 == 1
		layers := p.layers
		if !upward {
			layers = reversed(layers)
		}
		if rightward {
			flipped := make([][]int, len(layers))
			for i, l := range layers {
				flipped[i] = reversed(l)
			}
			layers = flipped
		}
		root := p.verticalAlignment(layers, conflicts, upward)
		xs := p.compact(layers, root, rightward)
		if rightward {
			for i := range xs {
				xs[i] = -xs[i]
			}
		}
		xss[k] = xs
	}
	p.alignTo(&xss)
	for i := range p.v {
		c := []float64{xss[0][i], xss[1][i], xss[2][i], xss[3][i]}
		sort.Float64s(c)
		p.v[i].x = (c[1] + c[2]) / 2
	}
	for _, l := range p.layers {
		for j := 1; j < len(l); j++ {
			a, b := &p.v[l[j-1]], &p.v[l[j]]
			b.x = math.Max(b.x, a.x+p.sep(l[j-1], l[j], false))
		}
	}
}

func reversed[T any](s []T) []T {
	out := make([]T, len(s))
	for i, x := range s {
		out[len(s)-1-i] = x
	}
	return out
}

// sep is the least distance between the x of a and of b, a being just
// before b in a rank (just after it, when the rank is read from the
// right).
func (p *part) sep(a, b int, fromRight bool) float64 {
	va, vb := &p.v[a], &p.v[b]
	gap := p.opt.NodeSep
	switch {
	case va.dummy() && vb.dummy():
		gap = p.opt.EdgeSep
	case va.dummy() || vb.dummy():
		gap = (p.opt.NodeSep + p.opt.EdgeSep) / 2
	}
	if fromRight {
		return va.left + vb.right + gap
	}
	return va.right + vb.left + gap
}

// type1Conflicts marks the edges that cross an inner segment (an edge
// between two dummies): those may not be aligned, so long edges stay
// straight. Keys are (upper, lower) vnode pairs.
func (p *part) type1Conflicts() map[[2]int]bool {
	marked := map[[2]int]bool{}
	for r := 1; r < len(p.layers); r++ {
		prev, layer := p.layers[r-1], p.layers[r]
		k0, scan := 0, 0
		for i, v := range layer {
			inner := -1
			if p.v[v].dummy() {
				for _, u := range p.v[v].up {
					if p.v[u].dummy() {
						inner = u
					}
				}
			}
			if inner < 0 && i != len(layer)-1 {
				continue
			}
			k1 := len(prev) - 1
			if inner >= 0 {
				k1 = p.v[inner].order
			}
			for ; scan <= i; scan++ {
				w := layer[scan]
				for _, u := range p.v[w].up {
					pos := p.v[u].order
					if (pos < k0 || pos > k1) && !(p.v[u].dummy() && p.v[w].dummy()) {
						marked[[2]int{u, w}] = true
					}
				}
			}
			k0 = k1
		}
	}
	return marked
}

// verticalAlignment lines each node up with a median neighbour on the
// side already placed (above when upward), unless that would cross an
// alignment made before or a marked conflict.
func (p *part) verticalAlignment(layers [][]int, conflicts map[[2]int]bool, upward bool) []int {
	n := len(p.v)
	root, align := make([]int, n), make([]int, n)
	pos := make([]int, n)
	for _, l := range layers {
		for i, v := range l {
			root[v], align[v], pos[v] = v, v, i
		}
	}
	for _, l := range layers {
		prev := -1
		for _, v := range l {
			ns := p.v[v].up
			if !upward {
				ns = p.v[v].down
			}
			if len(ns) == 0 {
				continue
			}
			ws := append([]int(nil), ns...)
			sort.Slice(ws, func(a, b int) bool { return pos[ws[a]] < pos[ws[b]] })
			mid := float64(len(ws)-1) / 2
			for m := int(math.Floor(mid)); m <= int(math.Ceil(mid)); m++ {
				w := ws[m]
				key := [2]int{w, v}
				if !upward {
					key = [2]int{v, w}
				}
				if align[v] == v && prev < pos[w] && !conflicts[key] {
					align[w] = v
					root[v] = root[w]
					align[v] = root[v]
					prev = pos[w]
				}
			}
		}
	}
	return root
}

// compact places the blocks (nodes sharing a root) as far left as their
// separations allow, then moves each as far right as its right
// neighbours allow, so that blocks do not hang out on one side.
func (p *part) compact(layers [][]int, root []int, fromRight bool) []float64 {
	bg := p.blockGraph(layers, root, fromRight)
	topo := bg.topo()
	bx := map[int]float64{}
	for _, b := range topo {
		x := 0.0
		for _, a := range bg.in[b] {
			x = math.Max(x, bx[a.to]+a.w)
		}
		bx[b] = x
	}
	for k := len(topo) - 1; k >= 0; k-- {
		b := topo[k]
		limit := math.Inf(1)
		for _, a := range bg.out[b] {
			limit = math.Min(limit, bx[a.to]-a.w)
		}
		if !math.IsInf(limit, 1) {
			bx[b] = math.Max(bx[b], limit)
		}
	}
	xs := make([]float64, len(p.v))
	for v := range p.v {
		xs[v] = bx[root[v]]
	}
	return xs
}

type arc struct {
	to int
	w  float64
}

// blockGraph has a node per block and an arc from each block to the one
// just after it in some rank, weighted by the least separation.
type blockGraph struct {
	blocks  []int
	out, in map[int][]arc
}

func (p *part) blockGraph(layers [][]int, root []int, fromRight bool) blockGraph {
	bg := blockGraph{out: map[int][]arc{}, in: map[int][]arc{}}
	weight := map[[2]int]float64{}
	seen := map[int]bool{}
	for _, l := range layers {
		for j, v := range l {
			if rv := root[v]; !seen[rv] {
				seen[rv] = true
				bg.blocks = append(bg.blocks, rv)
			}
			if j == 0 {
				continue
			}
			key := [2]int{root[l[j-1]], root[v]}
			if s := p.sep(l[j-1], v, fromRight); s > weight[key] {
				weight[key] = s
			}
		}
	}
	keys := make([][2]int, 0, len(weight))
	for k := range weight {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a][0] != keys[b][0] {
			return keys[a][0] < keys[b][0]
		}
		return keys[a][1] < keys[b][1]
	})
	for _, k := range keys {
		bg.out[k[0]] = append(bg.out[k[0]], arc{k[1], weight[k]})
		bg.in[k[1]] = append(bg.in[k[1]], arc{k[0], weight[k]})
	}
	return bg
}

// topo orders the blocks so that each comes after those left of it (the
// alignments never cross, so there is no cycle; a block left over would
// be placed last rather than lost).
func (bg blockGraph) topo() []int {
	indeg := map[int]int{}
	for b, as := range bg.in {
		indeg[b] = len(as)
	}
	var out, ready []int
	for _, b := range bg.blocks {
		if indeg[b] == 0 {
			ready = append(ready, b)
		}
	}
	done := map[int]bool{}
	for len(ready) > 0 {
		b := ready[0]
		ready = ready[1:]
		out = append(out, b)
		done[b] = true
		for _, a := range bg.out[b] {
			if indeg[a.to]--; indeg[a.to] == 0 {
				ready = append(ready, a.to)
			}
		}
	}
	for _, b := range bg.blocks {
		if !done[b] {
			out = append(out, b)
		}
	}
	return out
}

// alignTo shifts the four candidates onto the narrowest one: those packed
// from the left share its left edge, the others its right edge.
func (p *part) alignTo(xss *[4][]float64) {
	best, bestW := 0, math.Inf(1)
	lo := [4]float64{}
	hi := [4]float64{}
	for k, xs := range xss {
		lo[k], hi[k] = math.Inf(1), math.Inf(-1)
		l, h := math.Inf(1), math.Inf(-1)
		for v, x := range xs {
			lo[k], hi[k] = math.Min(lo[k], x), math.Max(hi[k], x)
			l, h = math.Min(l, x-p.v[v].left), math.Max(h, x+p.v[v].right)
		}
		if h-l < bestW {
			best, bestW = k, h-l
		}
	}
	for k := range xss {
		if k == best {
			continue
		}
		d := lo[best] - lo[k]
		if k%2 == 1 {
			d = hi[best] - hi[k]
		}
		for v := range xss[k] {
			xss[k][v] += d
		}
	}
}
