package layered

import "math"

// vnode is a node of the layered graph: one of the part's nodes, or a
// dummy where an edge passes a rank.
type vnode struct {
	real  int // the part's node index; -1 for a dummy
	edge  int // for a dummy: the part's edge index
	label bool
	rank  int
	order int
	// left and right are the extents either side of x; h is the height.
	left, right, h float64
	x              float64
	up, down       []int // neighbours one rank above and below
}

func (v *vnode) dummy() bool { return v.real < 0 }

// part is one connected group of nodes, laid out on its own.
type part struct {
	opt    Options
	nodes  []int   // input node index of each part node
	in     []Node  // the nodes themselves
	edges  []int   // input edge index of each part edge
	es     []ledge // the part's edges, self-loops excluded
	le     []Edge  // the input edges, by part edge
	all    []Edge  // every input edge
	loops  [][]int // self-loop input edge indexes, by part node
	rev    []bool
	v      []vnode
	chain  [][]int     // vnode chain of each part edge, from its upper end
	xs     [][]float64 // the x of each edge at each vnode of its chain
	layers [][]int     // vnode indexes by rank, in order
	work   [][]int     // the node ranks alone, while ordering
	cup    [][]int     // vnodes two ranks above, along edges
	cdown  [][]int     // and two ranks below
	top    []float64
	bottom []float64
	rects  []Rect  // by part node
	routes []Route // by part edge
	loopR  map[int]Route
	bounds Rect
}

func layoutPart(nodes []Node, edges []Edge, members []int, opt Options, budget int) (*part, error) {
	p := &part{opt: opt, nodes: members, all: edges, loopR: map[int]Route{}}
	local := make(map[int]int, len(members))
	for i, n := range members {
		local[n] = i
		p.in = append(p.in, nodes[n])
	}
	p.loops = make([][]int, len(members))
	for ei, e := range edges {
		a, ok1 := local[e.From]
		b, ok2 := local[e.To]
		if !ok1 || !ok2 || !valid(e, len(nodes)) {
			continue
		}
		if a == b {
			p.loops[a] = append(p.loops[a], ei)
			continue
		}
		p.edges = append(p.edges, ei)
		p.le = append(p.le, e)
		p.es = append(p.es, ledge{from: a, to: b, back: e.Back})
	}
	p.rev = breakCycles(len(members), p.es)
	rank := assignRanks(len(members), p.es, p.rev)
	points := 0
	for ei, e := range p.es {
		a, b := oriented(e, p.rev[ei])
		points += rank[b] - rank[a] - 1
	}
	if points > budget {
		return nil, &TooLargeError{Points: points}
	}
	p.build(rank)
	p.order()
	p.positionX()
	p.xs = p.ports()
	p.positionY()
	p.route()
	p.measure()
	return p, nil
}

// loopReach is how far a self-loop reaches beside its node.
const loopReach = 26.0

// build makes the layered graph: a vnode per node, a chain of dummies per
// edge, and the ranks.
func (p *part) build(rank []int) {
	o := p.opt
	for i, n := range p.in {
		right := n.W / 2
		h := n.H
		if ls := p.loops[i]; len(ls) > 0 {
			lw, lh := p.loopLabels(i)
			right += loopReach*float64(len(ls)) + o.LabelGap + lw
			h = math.Max(h, lh)
		}
		p.v = append(p.v, vnode{real: i, edge: -1, rank: rank[i], left: n.W / 2, right: right, h: h})
	}
	p.chain = make([][]int, len(p.es))
	for ei, e := range p.es {
		a, b := oriented(e, p.rev[ei])
		c := []int{a}
		labelAt := rank[a] + 1
		if p.rev[ei] {
			labelAt = rank[b] - 1
		}
		for r := rank[a] + 1; r < rank[b]; r++ {
			d := vnode{real: -1, edge: ei, rank: r, left: o.EdgeSep / 2, right: o.EdgeSep / 2}
			if l := p.le[ei]; r == labelAt && l.LabelW > 0 && l.LabelH > 0 {
				d.label = true
				d.right = math.Max(d.right, o.LabelGap+l.LabelW)
				d.h = l.LabelH
			}
			c = append(c, len(p.v))
			p.v = append(p.v, d)
		}
		c = append(c, b)
		for k := 1; k < len(c); k++ {
			p.v[c[k-1]].down = append(p.v[c[k-1]].down, c[k])
			p.v[c[k]].up = append(p.v[c[k]].up, c[k-1])
		}
		p.chain[ei] = c
	}
	top := 0
	for _, v := range p.v {
		top = max(top, v.rank)
	}
	p.layers = make([][]int, top+1)
}

// loopLabels is the size of the labels of node i's self-loops, stacked.
func (p *part) loopLabels(i int) (w, h float64) {
	for _, ei := range p.loops[i] {
		l := p.labelOf(ei)
		w = math.Max(w, l.W)
		h += l.H
	}
	return w, h
}

func (p *part) labelOf(inputEdge int) Rect {
	e := p.all[inputEdge]
	if e.LabelW <= 0 || e.LabelH <= 0 {
		return Rect{}
	}
	return Rect{W: e.LabelW, H: e.LabelH}
}

// place copies the part's geometry into res, moved by (dx, dy).
func (p *part) place(res *Result, dx, dy float64) {
	for i, r := range p.rects {
		r.X += dx
		r.Y += dy
		res.Nodes[p.nodes[i]] = r
	}
	move := func(rt Route) Route {
		out := rt
		out.Path = make([]Point, len(rt.Path))
		for k, pt := range rt.Path {
			out.Path[k] = Point{pt.X + dx, pt.Y + dy}
		}
		out.Tip = Point{rt.Tip.X + dx, rt.Tip.Y + dy}
		if out.Label.W > 0 {
			out.Label.X += dx
			out.Label.Y += dy
		}
		return out
	}
	for i, rt := range p.routes {
		res.Edges[p.edges[i]] = move(rt)
	}
	for ei, rt := range p.loopR {
		res.Edges[ei] = move(rt)
	}
}

// measure finds the part's bounding box: nodes, labels and every control
// point (a Bézier curve stays inside the hull of its control points).
func (p *part) measure() {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	box := func(r Rect) {
		minX, minY = math.Min(minX, r.X), math.Min(minY, r.Y)
		maxX, maxY = math.Max(maxX, r.X+r.W), math.Max(maxY, r.Y+r.H)
	}
	route := func(rt Route) {
		for _, pt := range rt.Path {
			box(Rect{X: pt.X, Y: pt.Y})
		}
		box(Rect{X: rt.Tip.X, Y: rt.Tip.Y})
		if rt.Label.W > 0 {
			box(rt.Label)
		}
	}
	for _, r := range p.rects {
		box(r)
	}
	for _, rt := range p.routes {
		route(rt)
	}
	for _, rt := range p.loopR {
		route(rt)
	}
	p.bounds = Rect{X: minX, Y: minY, W: maxX - minX, H: maxY - minY}
}
