package picture

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	ot "github.com/go-text/typesetting/font/opentype"
	"github.com/srwiley/rasterx"
	"golang.org/x/image/math/fixed"
)

// MaxPixels bounds the size of a PNG, so that a huge workflow at a large
// scale fails with a message instead of exhausting memory.
const MaxPixels = 100_000_000

// PNG rasterizes the drawing at scale pixels per unit, anti-aliased, text
// drawn from the fonts' own outlines.
func (d *Drawing) PNG(scale float64) ([]byte, error) {
	if !(scale > 0) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("scale %v: want a number above 0", scale)
	}
	w, h := int(math.Ceil(d.Width*scale)), int(math.Ceil(d.Height*scale))
	if w <= 0 || h <= 0 {
		w, h = max(w, 1), max(h, 1)
	}
	if float64(w)*float64(h) > MaxPixels {
		return nil, fmt.Errorf("%d×%d pixels at scale %g is over the limit of %d: use a smaller --scale", w, h, scale, MaxPixels)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bg := d.Background
	if bg.A == 0 {
		bg = Color{255, 255, 255, 255}
	}
	draw.Draw(img, img.Bounds(), image.NewUniform(rgba(bg)), image.Point{}, draw.Src)
	r := &raster{scale: scale, scanner: newBoxScanner(img)}
	r.filler = rasterx.NewFiller(w, h, r.scanner)
	r.dasher = rasterx.NewDasher(w, h, r.scanner)
	for _, it := range d.items {
		switch it.kind {
		case 0:
			r.shape(it.path, it.style)
		case 1:
			if d.Fonts != nil {
				r.text(d.Fonts, it.text)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

type raster struct {
	scale   float64
	scanner *boxScanner
	filler  *rasterx.Filler
	dasher  *rasterx.Dasher
}

func rgba(c Color) color.RGBA {
	// color.RGBA is premultiplied.
	a := uint16(c.A)
	return color.RGBA{uint8(uint16(c.R) * a / 255), uint8(uint16(c.G) * a / 255), uint8(uint16(c.B) * a / 255), c.A}
}

func (r *raster) pt(x, y float64) fixed.Point26_6 {
	return fixed.Point26_6{X: fixed.Int26_6(math.Round(x * r.scale * 64)), Y: fixed.Int26_6(math.Round(y * r.scale * 64))}
}

func (r *raster) add(a rasterx.Adder, p Path) {
	open := false
	for _, s := range p {
		switch s.Op {
		case MoveTo:
			if open {
				a.Stop(false)
			}
			a.Start(r.pt(s.Pts[0][0], s.Pts[0][1]))
			open = true
		case LineTo:
			a.Line(r.pt(s.Pts[0][0], s.Pts[0][1]))
		case CubeTo:
			a.CubeBezier(r.pt(s.Pts[0][0], s.Pts[0][1]), r.pt(s.Pts[1][0], s.Pts[1][1]), r.pt(s.Pts[2][0], s.Pts[2][1]))
		case Close:
			a.Stop(true)
			open = false
		}
	}
	if open {
		a.Stop(false)
	}
}

func (r *raster) shape(p Path, st Style) {
	if st.Fill.A > 0 {
		r.filler.Clear()
		r.add(r.filler, p)
		r.scanner.SetColor(rgba(st.Fill))
		r.filler.Draw()
		r.filler.Clear()
	}
	if st.Stroke.A > 0 && st.Width > 0 {
		dash := make([]float64, len(st.Dash))
		for i, v := range st.Dash {
			dash[i] = v * r.scale
		}
		r.dasher.Clear()
		r.dasher.SetStroke(fixed.Int26_6(st.Width*r.scale*64), 4*64, rasterx.RoundCap, nil, rasterx.RoundGap, rasterx.Round, dash, 0)
		r.add(r.dasher, p)
		r.scanner.SetColor(rgba(st.Stroke))
		r.dasher.Draw()
		r.dasher.Clear()
	}
}

// text fills the outlines of a line's glyphs; a glyph no font has is
// drawn as the primary font's missing-glyph box (and reported by
// Fonts.Missing).
func (r *raster) text(f *Fonts, t Text) {
	line := f.Shape(t.S, t.Size, t.Bold)
	x0 := t.X
	if t.Anchor == Middle {
		x0 -= line.Width / 2
	}
	r.filler.Clear()
	for _, run := range line.Runs {
		k := t.Size / float64(run.Face.Upem())
		for _, g := range run.Glyphs {
			out, ok := run.Face.GlyphDataOutline(g.ID)
			if !ok {
				continue
			}
			gx, gy := x0+g.X, t.Y+g.Y
			pt := func(p ot.SegmentPoint) fixed.Point26_6 { return r.pt(gx+float64(p.X)*k, gy-float64(p.Y)*k) }
			open := false
			for _, s := range out.Segments {
				switch s.Op {
				case ot.SegmentOpMoveTo:
					if open {
						r.filler.Stop(true)
					}
					r.filler.Start(pt(s.Args[0]))
					open = true
				case ot.SegmentOpLineTo:
					r.filler.Line(pt(s.Args[0]))
				case ot.SegmentOpQuadTo:
					r.filler.QuadBezier(pt(s.Args[0]), pt(s.Args[1]))
				case ot.SegmentOpCubeTo:
					r.filler.CubeBezier(pt(s.Args[0]), pt(s.Args[1]), pt(s.Args[2]))
				}
			}
			if open {
				r.filler.Stop(true)
			}
		}
	}
	r.scanner.SetColor(rgba(t.Color))
	r.filler.Draw()
	r.filler.Clear()
}
