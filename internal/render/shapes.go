package render

import (
	"math"

	"github.com/osopdev/osop/internal/render/picture"
)

// shape is how a node type is outlined in pictures: how much room it
// needs around its text, and its paths.
type shape struct {
	// padL, padR, padT, padB are the room between the text block and the
	// node's bounding box.
	padL, padR, padT, padB float64
	// grow scales the text block, for round shapes.
	grow float64
	// ports is the part of the width that edges may leave from.
	ports float64
	// inset is how far inside the bounding box the outline runs, at dx
	// from the middle, on the top side (top) or the bottom; nil for none.
	inset func(dx, w, h float64, top bool) float64
	// outline draws the shape in the box; the first path is filled,
	// later ones are details drawn over it.
	outline func(x, y, w, h float64) []picture.Path
}

const (
	depth3d = 5.0  // the side of a 3D box
	slant   = 12.0 // of a parallelogram
	radius  = 7.0  // of a rounded box's corners
)

// shapeOf maps the DOT shape names used elsewhere onto outlines.
func shapeOf(dotShape string) shape {
	base := shape{padL: 14, padR: 14, padT: 9, padB: 9, grow: 1, ports: 0.7}
	switch dotShape {
	case "box3d":
		base.padR += depth3d
		base.padT += depth3d
		base.outline = box3d
	case "hexagon":
		base.padL, base.padR, base.ports = 26, 26, 0.5
		base.outline = func(x, y, w, h float64) []picture.Path { return []picture.Path{hexagon(x, y, w, h, 16)} }
	case "diamond":
		base.padL, base.padR, base.ports = 12, 12, 0
		base.outline = func(x, y, w, h float64) []picture.Path { return []picture.Path{hexagon(x, y, w, h, h/2)} }
		base.inset = func(dx, w, h float64, _ bool) float64 { return math.Max(0, math.Abs(dx)-(w/2-h/2)) }
	case "ellipse", "circle":
		base.grow, base.ports, base.padL, base.padR = 1.3, 0.5, 6, 6
		base.inset = func(dx, w, h float64, _ bool) float64 { return arcInset(dx, w/2, h/2) }
		base.outline = func(x, y, w, h float64) []picture.Path {
			var p picture.Path
			p.Ellipse(x+w/2, y+h/2, w/2, h/2)
			return []picture.Path{p}
		}
	case "cylinder":
		base.padT += 10
		base.padB += 4
		base.ports = 0.6
		base.outline = cylinder
		base.inset = func(dx, w, h float64, _ bool) float64 { return arcInset(dx, w/2, cylinderRim) }
	case "parallelogram":
		base.padL, base.padR = 14+slant, 14+slant
		base.outline = func(x, y, w, h float64) []picture.Path {
			var p picture.Path
			p.Polygon(x+slant, y, x+w, y, x+w-slant, y+h, x, y+h)
			return []picture.Path{p}
		}
	case "component":
		base.padL, base.padR = 22, 22
		base.outline = component
	case "tab", "folder":
		base.padT += 8
		base.outline = folder
		base.inset = func(dx, w, h float64, top bool) float64 {
			if top && dx > -w/2+math.Min(56, w/3) {
				return 8
			}
			return 0
		}
	default:
		base.outline = func(x, y, w, h float64) []picture.Path {
			var p picture.Path
			p.RoundRect(x, y, w, h, radius)
			return []picture.Path{p}
		}
	}
	return base
}

func box3d(x, y, w, h float64) []picture.Path {
	d := depth3d
	var front, side picture.Path
	front.RoundRect(x, y+d, w-d, h-d, 2)
	side.Polygon(x+2, y+d, x+d+2, y, x+w, y, x+w, y+h-d-2, x+w-d, y+h-2, x+w-d, y+d)
	side.Move(x+w-d, y+d)
	side.Line(x+w, y)
	return []picture.Path{front, side}
}

func hexagon(x, y, w, h, point float64) picture.Path {
	point = math.Min(point, w/2)
	var p picture.Path
	p.Polygon(x+point, y, x+w-point, y, x+w, y+h/2, x+w-point, y+h, x+point, y+h, x, y+h/2)
	return p
}

// arcInset is how far an ellipse of radii rx, ry runs inside its box at
// dx from its middle.
func arcInset(dx, rx, ry float64) float64 {
	t := math.Min(1, math.Abs(dx)/rx)
	return ry * (1 - math.Sqrt(1-t*t))
}

const cylinderRim = 6.0

func cylinder(x, y, w, h float64) []picture.Path {
	ry := cylinderRim
	k := 0.5522847498
	var body, rim picture.Path
	body.Move(x, y+ry)
	body.Line(x, y+h-ry)
	body.Cube(x, y+h-ry+ry*k, x+w/2-w/2*k, y+h, x+w/2, y+h)
	body.Cube(x+w/2+w/2*k, y+h, x+w, y+h-ry+ry*k, x+w, y+h-ry)
	body.Line(x+w, y+ry)
	body.Cube(x+w, y+ry-ry*k, x+w/2+w/2*k, y, x+w/2, y)
	body.Cube(x+w/2-w/2*k, y, x, y+ry-ry*k, x, y+ry)
	body.Close()
	rim.Move(x, y+ry)
	rim.Cube(x, y+ry+ry*k, x+w/2-w/2*k, y+2*ry, x+w/2, y+2*ry)
	rim.Cube(x+w/2+w/2*k, y+2*ry, x+w, y+ry+ry*k, x+w, y+ry)
	return []picture.Path{body, rim}
}

func component(x, y, w, h float64) []picture.Path {
	var box, bars picture.Path
	box.RoundRect(x, y, w, h, 3)
	bars.Move(x+8, y)
	bars.Line(x+8, y+h)
	bars.Move(x+w-8, y)
	bars.Line(x+w-8, y+h)
	return []picture.Path{box, bars}
}

func folder(x, y, w, h float64) []picture.Path {
	t := 8.0
	tw := math.Min(56, w/3)
	var p picture.Path
	p.Move(x, y+t)
	p.Line(x, y+2)
	p.Line(x+2, y)
	p.Line(x+tw-t, y)
	p.Line(x+tw, y+t)
	p.Line(x+w, y+t)
	p.Line(x+w, y+h)
	p.Line(x, y+h)
	p.Close()
	return []picture.Path{p}
}
