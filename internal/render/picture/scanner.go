package picture

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/srwiley/rasterx"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// boxScanner is a rasterx.Scanner that rasterizes only the bounding box
// of what it was given: rasterx's own scanner covers the whole image on
// every draw, which makes a large picture of many small shapes slow.
type boxScanner struct {
	dst    draw.Image
	src    image.Uniform
	r      vector.Rasterizer
	pts    []step
	extent fixed.Rectangle26_6
}

type step struct {
	move bool
	p    fixed.Point26_6
}

var _ rasterx.Scanner = (*boxScanner)(nil)

func newBoxScanner(dst draw.Image) *boxScanner {
	s := &boxScanner{dst: dst}
	s.src.C = color.Black
	s.Clear()
	return s
}

func (s *boxScanner) grow(p fixed.Point26_6) {
	e := &s.extent
	e.Min.X, e.Min.Y = min(e.Min.X, p.X), min(e.Min.Y, p.Y)
	e.Max.X, e.Max.Y = max(e.Max.X, p.X), max(e.Max.Y, p.Y)
}

func (s *boxScanner) Start(a fixed.Point26_6) {
	s.grow(a)
	s.pts = append(s.pts, step{true, a})
}

func (s *boxScanner) Line(b fixed.Point26_6) {
	s.grow(b)
	s.pts = append(s.pts, step{false, b})
}

func (s *boxScanner) Draw() {
	if len(s.pts) == 0 {
		return
	}
	box := image.Rect(
		int(math.Floor(float64(s.extent.Min.X)/64))-1, int(math.Floor(float64(s.extent.Min.Y)/64))-1,
		int(math.Ceil(float64(s.extent.Max.X)/64))+1, int(math.Ceil(float64(s.extent.Max.Y)/64))+1,
	).Intersect(s.dst.Bounds())
	if box.Empty() {
		return
	}
	// The rasterizer covers the box alone (it clips what lies outside);
	// its mask is drawn at box.Min.
	s.r.Reset(box.Dx(), box.Dy())
	s.r.DrawOp = draw.Over
	ox, oy := float32(box.Min.X), float32(box.Min.Y)
	for _, st := range s.pts {
		x, y := float32(st.p.X)/64-ox, float32(st.p.Y)/64-oy
		// Like rasterx's own scanner, no path is closed here: strokes
		// arrive as pieces whose signed areas only add up together.
		if st.move {
			s.r.MoveTo(x, y)
		} else {
			s.r.LineTo(x, y)
		}
	}
	s.r.Draw(s.dst, box, &s.src, image.Point{})
}

func (s *boxScanner) GetPathExtent() fixed.Rectangle26_6 { return s.extent }
func (s *boxScanner) SetBounds(w, h int)                 {}
func (s *boxScanner) SetWinding(bool)                    {}
func (s *boxScanner) SetClip(image.Rectangle)            {}

func (s *boxScanner) SetColor(c interface{}) {
	if cc, ok := c.(color.Color); ok {
		s.src.C = cc
	}
}

func (s *boxScanner) Clear() {
	s.pts = s.pts[:0]
	const big = fixed.Int26_6(math.MaxInt32)
	s.extent = fixed.Rectangle26_6{Min: fixed.Point26_6{X: big, Y: big}, Max: fixed.Point26_6{X: -big, Y: -big}}
}
