package render

import (
	"math"

	"github.com/osopdev/osop/internal/layered"
	"github.com/osopdev/osop/internal/render/picture"
)

// edgeLook is how an edge of a kind is drawn.
type edgeLook struct {
	color string
	width float64
	dash  []float64
}

func lookOf(k edgeKind) edgeLook {
	switch k {
	case edgeParallel:
		return edgeLook{"#1e88e5", 2.4, nil}
	case edgeCond:
		return edgeLook{"#ef6c00", 1.5, nil}
	case edgeFailure:
		return edgeLook{"#d32f2f", 1.5, []float64{6, 4}}
	case edgeLoop:
		return edgeLook{"#6a1b9a", 1.8, []float64{0.5, 4}}
	case edgeAsync:
		return edgeLook{"#757575", 1.4, []float64{5, 4}}
	}
	return edgeLook{"#546e7a", 1.4, nil}
}

func (d *diagram) drawEdge(pic *picture.Drawing, i int, dy float64) {
	rt := d.res.Edges[i]
	if len(rt.Path) == 0 {
		return
	}
	a := d.g.Arcs[i]
	rt = d.onOutline(rt, a.From, a.To)
	look := lookOf(kindOf(a.Edge.Mode.V))
	col := picture.Hex(look.color)
	pic.Group(
		"edge-"+d.g.Nodes[a.From].ID.V+"-"+d.g.Nodes[a.To].ID.V, "edge "+a.Edge.Mode.V,
		d.g.Nodes[a.From].ID.V+" → "+d.g.Nodes[a.To].ID.V+" ("+a.Edge.Mode.V+")")
	var p picture.Path
	p.Move(rt.Path[0].X, rt.Path[0].Y+dy)
	for k := 1; k+2 < len(rt.Path); k += 3 {
		c1, c2, e := rt.Path[k], rt.Path[k+1], rt.Path[k+2]
		p.Cube(c1.X, c1.Y+dy, c2.X, c2.Y+dy, e.X, e.Y+dy)
	}
	pic.Shape(p, picture.Style{Stroke: col, Width: look.width, Dash: look.dash})
	end := rt.Path[len(rt.Path)-1]
	pic.Shape(arrowHead(end.X, end.Y+dy, rt.Tip.X, rt.Tip.Y+dy, 3.2+look.width/2), picture.Style{Fill: col, Stroke: col, Width: 1})
	if lines := d.labels[i]; len(lines) > 0 && rt.Label.W > 0 {
		l := rt.Label
		var bg picture.Path
		bg.RoundRect(l.X, l.Y+dy, l.W, l.H, 3)
		pic.Shape(bg, picture.Style{Fill: picture.Color{R: 255, G: 255, B: 255, A: 230}})
		for k, s := range lines {
			pic.Text(picture.Text{X: l.X + 4, Y: l.Y + dy + 2 + float64(k)*14 + 10.5, S: s, Size: labelSize, Color: col})
		}
	}
	pic.End()
}

// onOutline moves the ends of an edge from the nodes' bounding boxes
// onto their outlines, for shapes whose top or bottom is not flat; the
// arrowhead keeps its length.
func (d *diagram) onOutline(rt layered.Route, from, to int) layered.Route {
	shift := func(node int, p layered.Point) float64 {
		b, r := d.boxes[node], d.res.Nodes[node]
		if b.shape.inset == nil {
			return 0
		}
		dx := p.X - (r.X + r.W/2)
		switch {
		case math.Abs(p.Y-r.Y) < 0.01:
			return b.shape.inset(dx, r.W, r.H, true)
		case math.Abs(p.Y-(r.Y+r.H)) < 0.01:
			return -b.shape.inset(dx, r.W, r.H, false)
		}
		return 0
	}
	path := append([]layered.Point(nil), rt.Path...)
	if s := shift(from, path[0]); s != 0 && from != to {
		path[0].Y += s
		path[1].Y += s
	}
	if s := shift(to, rt.Tip); s != 0 && from != to {
		rt.Tip.Y += s
		path[len(path)-1].Y += s
		path[len(path)-2].Y += s
	}
	rt.Path = path
	return rt
}

// arrowHead is a filled triangle pointing from (x0, y0) to the tip.
func arrowHead(x0, y0, tx, ty, half float64) picture.Path {
	dx, dy := tx-x0, ty-y0
	n := math.Hypot(dx, dy)
	if n == 0 {
		dx, dy, n = 0, 1, 1
	}
	ux, uy := dx/n, dy/n
	var p picture.Path
	p.Polygon(tx, ty, x0-uy*half, y0+ux*half, x0+uy*half, y0-ux*half)
	return p
}

func (d *diagram) drawNode(pic *picture.Drawing, i int, dy float64) {
	n := d.g.Nodes[i]
	b := d.boxes[i]
	r := d.res.Nodes[i]
	r.Y += dy
	tip := n.Type.V
	if s := n.Summary(); s != "" {
		tip += ": " + s
	}
	pic.Group("node-"+n.ID.V, "node", n.ID.V+" ("+tip+")")
	paths := b.shape.outline(r.X, r.Y, r.W, r.H)
	fill, stroke := picture.Hex(b.style.Fill), picture.Hex(b.style.Stroke)
	pic.Shape(paths[0], picture.Style{Fill: fill, Stroke: stroke, Width: 1.4})
	for _, p := range paths[1:] {
		pic.Shape(p, picture.Style{Fill: detailFill(b.style, p), Stroke: stroke, Width: 1.1})
	}
	s := b.shape
	top := r.Y + s.padT + (r.H-s.padT-s.padB-b.th)/2
	cx := r.X + s.padL + (r.W-s.padL-s.padR)/2
	for _, l := range b.lines {
		pic.Text(picture.Text{X: cx, Y: top + l.height*0.72, S: l.s, Size: l.size, Bold: l.bold, Color: picture.Hex(l.color), Anchor: picture.Middle})
		top += l.height
	}
	pic.End()
}

// detailFill paints the side of a 3D box a shade darker; other details
// are lines only.
func detailFill(st nodeStyle, p picture.Path) picture.Color {
	closed := len(p) > 0 && p[len(p)-1].Op == picture.Close
	for _, s := range p {
		if s.Op == picture.Close {
			closed = true
		}
	}
	if !closed || st.DotShape != "box3d" {
		return picture.None
	}
	c := picture.Hex(st.Stroke)
	c.A = 60
	return c
}
