package layered

import (
	"math"
	"sort"
)

// positionY stacks the ranks: each is as tall as its tallest box (nodes
// in even ranks, labels in odd ones; an odd rank without labels has no
// height), with half the rank gap between ranks, more where edges travel
// far sideways so that their curves need not be steep.
func (p *part) positionY() {
	n := len(p.layers)
	p.top, p.bottom = make([]float64, n), make([]float64, n)
	travel := make([]float64, n)
	for ei, c := range p.chain {
		for k := 1; k < len(c); k++ {
			r := p.v[c[k-1]].rank
			travel[r] = math.Max(travel[r], math.Abs(p.xs[ei][k]-p.xs[ei][k-1]))
		}
	}
	y := 0.0
	for r, l := range p.layers {
		h := 0.0
		for _, v := range l {
			h = math.Max(h, p.v[v].h)
		}
		p.top[r], p.bottom[r] = y, y+h
		y += h + p.opt.RankSep/2 + math.Min(travel[r]*0.08, p.opt.RankSep/2)
	}
	p.rects = make([]Rect, len(p.in))
	for i, nd := range p.in {
		v := &p.v[i]
		mid := (p.top[v.rank] + p.bottom[v.rank]) / 2
		p.rects[i] = Rect{X: v.x - nd.W/2, Y: mid - nd.H/2, W: nd.W, H: nd.H}
	}
}

// margin is the straight run kept above and below a rank of nodes, where
// arrowheads sit, before the curves between ranks begin. Every edge
// crossing the gap starts and ends its curve at the same heights, which is
// what keeps curves from crossing where their order does not.
func (p *part) margin(r int) float64 {
	if r%2 == 0 {
		return p.opt.ArrowLen
	}
	return 0
}

// route draws every edge: ports spread along the sides of nodes in the
// order of where the edges go, vertical runs through ranks, and a cubic
// curve across each gap between ranks.
func (p *part) route() {
	xs := p.xs
	slope := p.slopes(xs)
	p.routes = make([]Route, len(p.es))
	for ei, c := range p.chain {
		b := &pathBuilder{}
		rev := p.rev[ei]
		first, last := c[0], c[len(c)-1]
		r0 := p.v[first].rank
		y := p.rects[first].Y + p.rects[first].H
		if rev {
			y += p.opt.ArrowLen
		}
		b.start(Point{xs[ei][0], y})
		b.line(Point{xs[ei][0], p.bottom[r0] + p.margin(r0)})
		for k := 1; k < len(c); k++ {
			r := r0 + k
			x0, x1 := xs[ei][k-1], xs[ei][k]
			y0, y1 := p.bottom[r-1]+p.margin(r-1), p.top[r]-p.margin(r)
			h := (y1 - y0) / 3
			b.curve(Point{x0 + slope[c[k-1]]*h, y0 + h}, Point{x1 - slope[c[k]]*h, y1 - h}, Point{x1, y1})
			if k < len(c)-1 {
				b.line(Point{x1, p.bottom[r] + p.margin(r)})
			}
		}
		end := p.rects[last].Y
		if !rev {
			end -= p.opt.ArrowLen
		}
		b.line(Point{xs[ei][len(c)-1], end})
		rt := Route{Path: b.pts, Reversed: rev}
		if rev {
			rt.Path = reversed(rt.Path)
			rt.Tip = Point{xs[ei][0], p.rects[first].Y + p.rects[first].H}
		} else {
			rt.Tip = Point{xs[ei][len(c)-1], p.rects[last].Y}
		}
		for k, v := range c {
			if p.v[v].label {
				l := p.le[ei]
				r := p.v[v].rank
				rt.Label = Rect{X: xs[ei][k] + p.opt.LabelGap, Y: (p.top[r]+p.bottom[r])/2 - l.LabelH/2, W: l.LabelW, H: l.LabelH}
			}
		}
		p.routes[ei] = rt
	}
	p.routeLoops()
}

// ports gives the x of each edge at each vnode of its chain: dummies at
// their place, the ends spread along the node's side in the order of the
// next point, so that edges leaving one node do not cross each other.
func (p *part) ports() [][]float64 {
	xs := make([][]float64, len(p.chain))
	for ei, c := range p.chain {
		xs[ei] = make([]float64, len(c))
		for k, v := range c {
			xs[ei][k] = p.v[v].x
		}
	}
	type end struct {
		edge, at int
		toward   float64
	}
	outs := make([][]end, len(p.in))
	ins := make([][]end, len(p.in))
	for ei, c := range p.chain {
		outs[c[0]] = append(outs[c[0]], end{ei, 0, p.v[c[1]].x})
		ins[c[len(c)-1]] = append(ins[c[len(c)-1]], end{ei, len(c) - 1, p.v[c[len(c)-2]].x})
	}
	spread := func(node int, ends []end) {
		sort.SliceStable(ends, func(a, b int) bool { return ends[a].toward < ends[b].toward })
		span := p.in[node].W * math.Min(math.Max(p.in[node].Ports, 0), 1)
		step := span / float64(len(ends))
		for j, e := range ends {
			xs[e.edge][e.at] = p.v[node].x - span/2 + step*(float64(j)+0.5)
		}
	}
	for i := range p.in {
		spread(i, outs[i])
		spread(i, ins[i])
	}
	return xs
}

// slopes gives the direction (dx per dy) in which each edge passes each
// vnode. It is vertical except at dummies in ranks of no height, where
// curves flow straight on; there it is limited so that two curves'
// control points never move closer than their ends are, which would let
// them cross.
func (p *part) slopes(xs [][]float64) []float64 {
	s := make([]float64, len(p.v))
	for r, l := range p.layers {
		if r%2 == 0 || p.bottom[r] > p.top[r] || r == 0 || r == len(p.layers)-1 {
			continue
		}
		for j, v := range l {
			ei := p.v[v].edge
			k := p.v[v].rank - p.v[p.chain[ei][0]].rank
			// The curve heights of the gaps above and below.
			h1 := p.top[r] - (p.bottom[r-1] + p.margin(r-1))
			h2 := p.top[r+1] - p.margin(r+1) - p.bottom[r]
			raw := monotoneSlope((xs[ei][k]-xs[ei][k-1])/h1, (xs[ei][k+1]-xs[ei][k])/h2)
			room := math.Inf(1)
			if j > 0 {
				room = p.v[v].x - p.v[l[j-1]].x
			}
			if j+1 < len(l) {
				room = math.Min(room, p.v[l[j+1]].x-p.v[v].x)
			}
			limit := math.Min(1.5, 3*room/(2*math.Max(h1, h2)))
			s[v] = math.Max(-limit, math.Min(limit, raw))
		}
	}
	return s
}

// monotoneSlope is the slope at a point between two gaps that the curve
// crosses at slopes s1 and then s2: their harmonic mean (Fritsch and
// Butland's choice), zero when the curve turns back or runs straight on
// one side, so that it never overshoots or wiggles.
func monotoneSlope(s1, s2 float64) float64 {
	if s1 == 0 || s2 == 0 || (s1 > 0) != (s2 > 0) {
		return 0
	}
	return 2 / (1/s1 + 1/s2)
}

// routeLoops draws each self-loop out of the node's right side and back,
// its label beside it; build reserved the room.
func (p *part) routeLoops() {
	for i, ls := range p.loops {
		r := p.rects[i]
		right := r.X + r.W
		cy := r.Y + r.H/2
		labelX := right + loopReach*float64(len(ls)) + p.opt.LabelGap
		_, stackH := p.loopLabels(i)
		labelY := cy - stackH/2
		for k, ei := range ls {
			reach := loopReach * float64(k+1) * 4 / 3
			dy := r.H/4 + float64(k)*2
			b := &pathBuilder{}
			b.start(Point{right, cy - dy})
			b.curve(Point{right + reach, cy - dy - r.H/4}, Point{right + reach, cy + dy + r.H/4}, Point{right + p.opt.ArrowLen, cy + dy})
			rt := Route{Path: b.pts, Tip: Point{right, cy + dy}}
			if l := p.labelOf(ei); l.W > 0 {
				rt.Label = Rect{X: labelX, Y: labelY, W: l.W, H: l.H}
				labelY += l.H
			}
			p.loopR[ei] = rt
		}
	}
}

// pathBuilder collects a cubic Bézier spline; straight runs become
// cubics with their controls on the line.
type pathBuilder struct{ pts []Point }

func (b *pathBuilder) start(pt Point) { b.pts = append(b.pts[:0], pt) }

func (b *pathBuilder) line(to Point) {
	from := b.pts[len(b.pts)-1]
	if math.Abs(to.X-from.X) < 1e-9 && math.Abs(to.Y-from.Y) < 1e-9 {
		return
	}
	b.pts = append(b.pts, lerp(from, to, 1.0/3), lerp(from, to, 2.0/3), to)
}

func (b *pathBuilder) curve(c1, c2, to Point) { b.pts = append(b.pts, c1, c2, to) }

func lerp(a, b Point, t float64) Point { return Point{a.X + (b.X-a.X)*t, a.Y + (b.Y-a.Y)*t} }
