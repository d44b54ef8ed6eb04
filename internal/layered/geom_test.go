package layered

import (
	"fmt"
	"math"
)

// flatten turns a route's spline into a polyline fine enough for the
// geometric checks.
func flatten(path []Point) []Point {
	if len(path) == 0 {
		return nil
	}
	out := []Point{path[0]}
	for i := 1; i+2 < len(path); i += 3 {
		p0, c1, c2, p1 := path[i-1], path[i], path[i+1], path[i+2]
		for k := 1; k <= 24; k++ {
			t := float64(k) / 24
			u := 1 - t
			out = append(out, Point{
				u*u*u*p0.X + 3*u*u*t*c1.X + 3*u*t*t*c2.X + t*t*t*p1.X,
				u*u*u*p0.Y + 3*u*u*t*c1.Y + 3*u*t*t*c2.Y + t*t*t*p1.Y,
			})
		}
	}
	return out
}

func segmentsCross(a, b, c, d Point) bool {
	d1 := cross(c, d, a)
	d2 := cross(c, d, b)
	d3 := cross(a, b, c)
	d4 := cross(a, b, d)
	return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))
}

func cross(o, a, b Point) float64 { return (a.X-o.X)*(b.Y-o.Y) - (a.Y-o.Y)*(b.X-o.X) }

// polylineHitsRect reports whether any segment of pl passes through the
// inside of r shrunk by inset.
func polylineHitsRect(pl []Point, r Rect, inset float64) bool {
	r = Rect{r.X + inset, r.Y + inset, r.W - 2*inset, r.H - 2*inset}
	if r.W <= 0 || r.H <= 0 {
		return false
	}
	inside := func(p Point) bool { return p.X > r.X && p.X < r.X+r.W && p.Y > r.Y && p.Y < r.Y+r.H }
	corners := []Point{{r.X, r.Y}, {r.X + r.W, r.Y}, {r.X + r.W, r.Y + r.H}, {r.X, r.Y + r.H}}
	for i := 0; i+1 < len(pl); i++ {
		if inside(pl[i]) || inside(pl[i+1]) {
			return true
		}
		for k := range 4 {
			if segmentsCross(pl[i], pl[i+1], corners[k], corners[(k+1)%4]) {
				return true
			}
		}
	}
	return false
}

// geometricCrossings counts the places where two edges' drawn curves
// cross, leaving out touches near a node both edges meet at.
func geometricCrossings(edges []Edge, res Result) int {
	lines := make([][]Point, len(edges))
	for i, rt := range res.Edges {
		lines[i] = append(flatten(rt.Path), rt.Tip)
	}
	n := 0
	for i := range edges {
		for j := i + 1; j < len(edges); j++ {
			n += crossingsBetween(edges, res, i, j, lines[i], lines[j])
		}
	}
	return n
}

func crossingsBetween(edges []Edge, res Result, i, j int, a, b []Point) int {
	shared := map[int]bool{}
	for _, x := range []int{edges[i].From, edges[i].To} {
		if x == edges[j].From || x == edges[j].To {
			shared[x] = true
		}
	}
	n := 0
	for s := 0; s+1 < len(a); s++ {
		for t := 0; t+1 < len(b); t++ {
			if !segmentsCross(a[s], a[s+1], b[t], b[t+1]) {
				continue
			}
			near := false
			for x := range shared {
				r := res.Nodes[x]
				grown := Rect{r.X - 20, r.Y - 20, r.W + 40, r.H + 40}
				if grown.Overlaps(Rect{a[s].X, a[s].Y, 0.01, 0.01}) {
					near = true
				}
			}
			if !near {
				n++
			}
		}
	}
	return n
}

// checkDrawing returns what is wrong with a drawing: boxes outside the
// canvas or overlapping, labels touched by edges, edges through nodes.
func checkDrawing(nodes []Node, edges []Edge, res Result) []string {
	var bad []string
	inCanvas := func(what string, r Rect) {
		const eps = 1e-6
		if r.X < -eps || r.Y < -eps || r.X+r.W > res.Width+eps || r.Y+r.H > res.Height+eps {
			bad = append(bad, fmt.Sprintf("%s %+v outside the %gx%g canvas", what, r, res.Width, res.Height))
		}
	}
	type box struct {
		name string
		r    Rect
	}
	var boxes []box
	for i, r := range res.Nodes {
		if r.W != nodes[i].W || r.H != nodes[i].H {
			bad = append(bad, fmt.Sprintf("node %d is %gx%g, want %gx%g", i, r.W, r.H, nodes[i].W, nodes[i].H))
		}
		inCanvas(fmt.Sprintf("node %d", i), r)
		boxes = append(boxes, box{fmt.Sprintf("node %d", i), r})
	}
	for i, rt := range res.Edges {
		if edges[i].LabelW > 0 {
			if rt.Label.W != edges[i].LabelW || rt.Label.H != edges[i].LabelH {
				bad = append(bad, fmt.Sprintf("edge %d has label %+v", i, rt.Label))
			}
			inCanvas(fmt.Sprintf("label %d", i), rt.Label)
			boxes = append(boxes, box{fmt.Sprintf("label %d", i), rt.Label})
		}
		for _, pt := range append(rt.Path, rt.Tip) {
			inCanvas(fmt.Sprintf("edge %d point", i), Rect{pt.X, pt.Y, 0, 0})
			if math.IsNaN(pt.X) || math.IsNaN(pt.Y) {
				bad = append(bad, fmt.Sprintf("edge %d has NaN", i))
			}
		}
	}
	for i := range boxes {
		for j := i + 1; j < len(boxes); j++ {
			if boxes[i].r.Overlaps(boxes[j].r) {
				bad = append(bad, fmt.Sprintf("%s %+v overlaps %s %+v", boxes[i].name, boxes[i].r, boxes[j].name, boxes[j].r))
			}
		}
	}
	for i, rt := range res.Edges {
		pl := append(flatten(rt.Path), rt.Tip)
		for j, r := range res.Nodes {
			if j != edges[i].From && j != edges[i].To && polylineHitsRect(pl, r, 0.5) {
				bad = append(bad, fmt.Sprintf("edge %d passes through node %d", i, j))
			}
		}
		for j, o := range res.Edges {
			if o.Label.W > 0 && polylineHitsRect(pl, o.Label, 0) {
				bad = append(bad, fmt.Sprintf("edge %d touches label %d", i, j))
			}
		}
	}
	return bad
}
