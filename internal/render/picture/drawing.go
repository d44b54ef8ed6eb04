package picture

import "math"

// Color is an sRGB colour; A is opacity, 0 for none.
type Color struct{ R, G, B, A uint8 }

// Hex parses "#rrggbb"; anything else is opaque black.
func Hex(s string) Color {
	if len(s) != 7 || s[0] != '#' {
		return Color{0, 0, 0, 255}
	}
	var c [3]uint8
	for i := range c {
		hi, ok1 := hexDigit(s[1+2*i])
		lo, ok2 := hexDigit(s[2+2*i])
		if !ok1 || !ok2 {
			return Color{0, 0, 0, 255}
		}
		c[i] = hi<<4 | lo
	}
	return Color{c[0], c[1], c[2], 255}
}

func hexDigit(b byte) (uint8, bool) {
	switch {
	case b >= '0' && b <= '9':
		return b - '0', true
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10, true
	case b >= 'A' && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}

// None is no paint.
var None = Color{}

// Op is a path command.
type Op uint8

// Path commands; CubeTo takes two control points and an end point.
const (
	MoveTo Op = iota
	LineTo
	CubeTo
	Close
)

// Seg is one path command and its points.
type Seg struct {
	Op  Op
	Pts [3][2]float64
}

// Path is a sequence of path commands, in pixels.
type Path []Seg

// Move starts a new subpath.
func (p *Path) Move(x, y float64) { *p = append(*p, Seg{Op: MoveTo, Pts: [3][2]float64{{x, y}}}) }

// Line draws a straight line.
func (p *Path) Line(x, y float64) { *p = append(*p, Seg{Op: LineTo, Pts: [3][2]float64{{x, y}}}) }

// Cube draws a cubic Bézier curve.
func (p *Path) Cube(x1, y1, x2, y2, x, y float64) {
	*p = append(*p, Seg{Op: CubeTo, Pts: [3][2]float64{{x1, y1}, {x2, y2}, {x, y}}})
}

// Close closes the current subpath.
func (p *Path) Close() { *p = append(*p, Seg{Op: Close}) }

// kappa places Bézier controls to draw a quarter ellipse.
const kappa = 0.5522847498

// Ellipse adds a closed ellipse.
func (p *Path) Ellipse(cx, cy, rx, ry float64) {
	kx, ky := rx*kappa, ry*kappa
	p.Move(cx+rx, cy)
	p.Cube(cx+rx, cy+ky, cx+kx, cy+ry, cx, cy+ry)
	p.Cube(cx-kx, cy+ry, cx-rx, cy+ky, cx-rx, cy)
	p.Cube(cx-rx, cy-ky, cx-kx, cy-ry, cx, cy-ry)
	p.Cube(cx+kx, cy-ry, cx+rx, cy-ky, cx+rx, cy)
	p.Close()
}

// RoundRect adds a closed rectangle with corners of radius r.
func (p *Path) RoundRect(x, y, w, h, r float64) {
	r = math.Max(0, math.Min(r, math.Min(w, h)/2))
	k := r * (1 - kappa)
	p.Move(x+r, y)
	p.Line(x+w-r, y)
	p.Cube(x+w-k, y, x+w, y+k, x+w, y+r)
	p.Line(x+w, y+h-r)
	p.Cube(x+w, y+h-k, x+w-k, y+h, x+w-r, y+h)
	p.Line(x+r, y+h)
	p.Cube(x+k, y+h, x, y+h-k, x, y+h-r)
	p.Line(x, y+r)
	p.Cube(x, y+k, x+k, y, x+r, y)
	p.Close()
}

// Polygon adds a closed polygon through pts (x, y pairs).
func (p *Path) Polygon(pts ...float64) {
	for i := 0; i+1 < len(pts); i += 2 {
		if i == 0 {
			p.Move(pts[0], pts[1])
		} else {
			p.Line(pts[i], pts[i+1])
		}
	}
	p.Close()
}

// Style is how a path is painted.
type Style struct {
	Fill   Color
	Stroke Color
	Width  float64
	// Dash lengths, alternately on and off; none for a solid line.
	Dash []float64
}

// Anchor is which point of a line of text its position gives.
type Anchor uint8

// Anchors of text.
const (
	Start Anchor = iota
	Middle
)

// Text is one line of text; Y is its baseline.
type Text struct {
	X, Y   float64
	S      string
	Size   float64
	Bold   bool
	Color  Color
	Anchor Anchor
}

type item struct {
	kind  uint8 // 0 shape, 1 text, 2 group start, 3 group end
	path  Path
	style Style
	text  Text
	id    string
	class string
	title string
}

// Drawing is a picture in pixels: shapes and text, painted in order.
type Drawing struct {
	Width, Height float64
	Background    Color
	// Title is the picture's accessible name (SVG <title>).
	Title string
	Fonts *Fonts
	items []item
}

// Shape paints p.
func (d *Drawing) Shape(p Path, st Style) {
	d.items = append(d.items, item{kind: 0, path: p, style: st})
}

// Text draws a line of text.
func (d *Drawing) Text(t Text) { d.items = append(d.items, item{kind: 1, text: t}) }

// Group starts a group of items with an id and class (SVG <g>) and a
// tooltip; End ends it.
func (d *Drawing) Group(id, class, title string) {
	d.items = append(d.items, item{kind: 2, id: id, class: class, title: title})
}

// End ends the last group started.
func (d *Drawing) End() { d.items = append(d.items, item{kind: 3}) }
