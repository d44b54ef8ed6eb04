package picture

import (
	"bytes"
	"context"

	"github.com/fogleman/gg"
	"github.com/goccy/go-graphviz/gvc"
	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
)

// pngEngine draws Graphviz's drawing calls with gg. go-graphviz ships a PNG
// engine, but in v0.2.10 it reads every pen width as zero and so draws no
// lines or outlines; this one uses the pen width when there is one and a
// hairline otherwise.
type pngEngine struct {
	gvc.DefaultRenderEngine
	dc    *gg.Context
	faces map[float64]font.Face
}

func (e *pngEngine) x(job *gvc.Job, v float64) float64 { return job.Scale().X() * v }
func (e *pngEngine) y(job *gvc.Job, v float64) float64 { return job.Scale().Y() * v }

func (e *pngEngine) BeginPage(_ context.Context, job *gvc.Job) error {
	e.dc = gg.NewContext(int(job.Width()), int(job.Height()))
	e.dc.SetRGB(1, 1, 1)
	e.dc.Clear()
	t := job.Translation()
	e.dc.Translate(e.x(job, t.X()), e.y(job, -t.Y()))
	return nil
}

func (e *pngEngine) EndPage(_ context.Context, job *gvc.Job) error {
	var buf bytes.Buffer
	if err := e.dc.EncodePNG(&buf); err != nil {
		return err
	}
	job.SetOutputData(buf.Bytes())
	job.SetOutputDataPosition(uint(buf.Len()))
	return nil
}

func (e *pngEngine) pen(job *gvc.Job, filled bool) {
	o := job.Object()
	c := o.PenColor()
	if filled {
		c = o.FillColor()
	}
	rgba := c.RGBAUint()
	e.dc.SetRGBA255(int(rgba[0]), int(rgba[1]), int(rgba[2]), int(rgba[3]))
	e.dc.SetLineWidth(max(o.PenWidth(), 1) * job.Zoom())
	switch o.Pen() {
	case gvc.PenDashed:
		e.dc.SetDash(5, 3)
	case gvc.PenDotted:
		e.dc.SetDash(1.5, 3)
	default:
		e.dc.SetDash()
	}
}

func (e *pngEngine) path(job *gvc.Job, pts []*gvc.PointFloat, closed bool) {
	e.dc.NewSubPath()
	e.dc.MoveTo(e.x(job, pts[0].X()), e.y(job, -pts[0].Y()))
	for _, p := range pts[1:] {
		e.dc.LineTo(e.x(job, p.X()), e.y(job, -p.Y()))
	}
	if closed {
		e.dc.ClosePath()
	}
}

// finish fills the current path and then strokes it with the pen, as
// Graphviz expects a filled shape to keep its outline.
func (e *pngEngine) finish(job *gvc.Job, filled bool) {
	if filled {
		e.pen(job, true)
		e.dc.FillPreserve()
	}
	e.pen(job, false)
	e.dc.Stroke()
}

func (e *pngEngine) Polygon(_ context.Context, job *gvc.Job, pts []*gvc.PointFloat, filled bool) error {
	e.dc.Push()
	defer e.dc.Pop()
	e.path(job, pts, true)
	e.finish(job, filled)
	return nil
}

func (e *pngEngine) Polyline(_ context.Context, job *gvc.Job, pts []*gvc.PointFloat) error {
	e.dc.Push()
	defer e.dc.Pop()
	e.path(job, pts, false)
	e.finish(job, false)
	return nil
}

func (e *pngEngine) BezierCurve(_ context.Context, job *gvc.Job, pts []*gvc.PointFloat, filled bool) error {
	e.dc.Push()
	defer e.dc.Pop()
	e.dc.NewSubPath()
	e.dc.MoveTo(e.x(job, pts[0].X()), e.y(job, -pts[0].Y()))
	for i := 1; i+2 < len(pts); i += 3 {
		e.dc.CubicTo(e.x(job, pts[i].X()), e.y(job, -pts[i].Y()),
			e.x(job, pts[i+1].X()), e.y(job, -pts[i+1].Y()),
			e.x(job, pts[i+2].X()), e.y(job, -pts[i+2].Y()))
	}
	e.finish(job, filled)
	return nil
}

func (e *pngEngine) Ellipse(_ context.Context, job *gvc.Job, pts []*gvc.PointFloat, filled bool) error {
	e.dc.Push()
	defer e.dc.Pop()
	cx, cy := e.x(job, pts[0].X()), e.y(job, -pts[0].Y())
	rx, ry := e.x(job, pts[1].X()-pts[0].X()), e.y(job, pts[1].Y()-pts[0].Y())
	e.dc.NewSubPath()
	e.dc.DrawEllipse(cx, cy, rx, ry)
	e.finish(job, filled)
	return nil
}

func (e *pngEngine) TextSpan(_ context.Context, job *gvc.Job, p *gvc.PointFloat, span *gvc.TextSpan) error {
	e.dc.Push()
	defer e.dc.Pop()
	e.pen(job, false)
	size := span.Font().Size() * job.Zoom()
	face, ok := e.faces[size]
	if !ok {
		ft, err := truetype.Parse(goregular.TTF)
		if err != nil {
			return err
		}
		face = truetype.NewFace(ft, &truetype.Options{Size: size})
		e.faces[size] = face
	}
	e.dc.SetFontFace(face)
	x := e.x(job, p.X())
	switch span.Just() {
	case 'r':
		x -= e.x(job, span.Size().X())
	case 'n':
		x -= e.x(job, span.Size().X()/2)
	}
	y := e.y(job, p.Y()+span.YOffsetCenterLine()+span.YOffsetLayout())
	e.dc.DrawStringAnchored(span.Text(), x, -y, 0, 0)
	return nil
}
