package render

import (
	"fmt"
	"math"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/layered"
	"github.com/osopdev/osop/internal/render/picture"
)

// Text sizes and colours of pictures, in CSS pixels.
const (
	titleSize   = 18.0
	metaSize    = 11.5
	idSize      = 13.0
	summarySize = 12.0
	typeSize    = 10.5
	labelSize   = 11.0
	summaryMaxW = 230.0 // a node's summary wraps at this width
	labelMaxW   = 210.0
	margin      = 16.0
	textColor   = "#1f2933"
	mutedColor  = "#52606d"
)

// SVG lays the workflow out and draws it as an SVG document, measuring
// text with fonts. It fails only for a graph too tangled to lay out
// ([*layered.TooLargeError]).
func SVG(w *ast.Workflow, g *graph.Graph, fonts *picture.Fonts) ([]byte, error) {
	pic, err := Picture(w, g, fonts)
	if err != nil {
		return nil, err
	}
	return pic.SVG(), nil
}

// PNG draws the same picture as [SVG] as a PNG image, scale pixels per
// SVG pixel.
func PNG(w *ast.Workflow, g *graph.Graph, fonts *picture.Fonts, scale float64) ([]byte, error) {
	pic, err := Picture(w, g, fonts)
	if err != nil {
		return nil, err
	}
	return pic.PNG(scale)
}

// Picture lays the workflow out in layers and draws it: a title, nodes
// shaped and coloured by type with their id, what they do and their
// type, and edges styled by mode (parallel bold, conditions orange and
// labelled, failure paths dashed red, loops dotted) with their labels.
func Picture(w *ast.Workflow, g *graph.Graph, fonts *picture.Fonts) (*picture.Drawing, error) {
	d := &diagram{w: w, g: g, fonts: fonts}
	return d.draw()
}

type diagram struct {
	w      *ast.Workflow
	g      *graph.Graph
	fonts  *picture.Fonts
	boxes  []nodeBox
	labels [][]string
	res    layered.Result
}

// textLine is one line of a node's text.
type textLine struct {
	s      string
	size   float64
	bold   bool
	color  string
	height float64
}

type nodeBox struct {
	lines []textLine
	tw    float64 // the text block's width and height
	th    float64
	shape shape
	style nodeStyle
}

func (d *diagram) draw() (*picture.Drawing, error) {
	if err := d.layout(); err != nil {
		return nil, err
	}
	return d.paint(), nil
}

// layout measures the text and places nodes, edges and labels.
func (d *diagram) layout() error {
	d.measureNodes()
	nodes := make([]layered.Node, len(d.boxes))
	for i, b := range d.boxes {
		w, h := b.size()
		ports := b.shape.ports
		if b.style.DotShape == "diamond" {
			ports = 0.8 * (w - h) / w // the flat middle of its top and bottom
		}
		nodes[i] = layered.Node{W: w, H: h, Ports: ports}
	}
	edges := make([]layered.Edge, len(d.g.Arcs))
	d.labels = make([][]string, len(d.g.Arcs))
	for i, a := range d.g.Arcs {
		edges[i] = layered.Edge{From: a.From, To: a.To, Back: kindOf(a.Edge.Mode.V) == edgeLoop}
		if l := arcLabel(d.g, a); l != "" {
			d.labels[i] = wrapText(d.fonts, truncate(l, 90), labelSize, false, labelMaxW, 2)
			edges[i].LabelW, edges[i].LabelH = d.labelSize(d.labels[i])
		}
	}
	res, err := layered.Layout(nodes, edges, layered.DefaultOptions())
	d.res = res
	return err
}

// paint draws the title above the laid-out graph.
func (d *diagram) paint() *picture.Drawing {
	title, meta := d.titles()
	top := d.top()
	width := math.Max(d.res.Width, 2*margin+math.Max(d.fonts.Measure(title, titleSize, true), d.fonts.Measure(meta, metaSize, false)))
	pic := &picture.Drawing{Width: width, Height: top + d.res.Height - margin/2, Background: picture.Hex("#ffffff"), Title: title, Fonts: d.fonts}
	pic.Text(picture.Text{X: margin, Y: margin + titleSize*0.8, S: title, Size: titleSize, Bold: true, Color: picture.Hex(textColor)})
	pic.Text(picture.Text{X: margin, Y: margin + titleSize + 4 + metaSize*0.8, S: meta, Size: metaSize, Color: picture.Hex(mutedColor)})
	dy := top - margin/2
	for i := range d.g.Arcs {
		d.drawEdge(pic, i, dy)
	}
	for i := range d.g.Nodes {
		d.drawNode(pic, i, dy)
	}
	return pic
}

// top is where the graph starts, below the title.
func (d *diagram) top() float64 { return margin + titleSize + 6 + metaSize + 8 }

func (d *diagram) titles() (string, string) {
	w := d.w
	title := firstNonEmpty(w.Name.V, w.ID.V, "workflow")
	meta := fmt.Sprintf("%s · %s · %s", w.ID.V, count(len(d.g.Nodes), "node"), count(len(w.Edges), "edge"))
	if w.ID.V == "" || w.ID.V == title {
		meta = fmt.Sprintf("%s · %s", count(len(d.g.Nodes), "node"), count(len(w.Edges), "edge"))
	}
	return title, meta
}

func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// measureNodes works out each node's lines of text and their size: the
// id in bold, what the node does (up to two lines), its type.
func (d *diagram) measureNodes() {
	d.boxes = make([]nodeBox, len(d.g.Nodes))
	for i, n := range d.g.Nodes {
		st := styleOf(n)
		b := nodeBox{shape: shapeOf(st.DotShape), style: st}
		maxW := summaryMaxW
		if st.DotShape == "diamond" {
			maxW = summaryMaxW * 0.7
		}
		b.lines = append(b.lines, textLine{s: ellipsize(d.fonts, n.ID.V, idSize, true, maxW+40), size: idSize, bold: true, color: textColor, height: 17})
		if s := firstNonEmpty(n.Name.V, n.Summary()); s != "" && s != n.ID.V {
			for _, l := range wrapText(d.fonts, s, summarySize, false, maxW, 2) {
				b.lines = append(b.lines, textLine{s: l, size: summarySize, color: mutedColor, height: 15.5})
			}
		}
		kind := n.Type.V
		if n.Subtype.V != "" {
			kind += " · " + n.Subtype.V
		}
		b.lines = append(b.lines, textLine{s: ellipsize(d.fonts, kind, typeSize, false, maxW), size: typeSize, color: st.Stroke, height: 14.5})
		for _, l := range b.lines {
			b.tw = math.Max(b.tw, d.fonts.Measure(l.s, l.size, l.bold))
			b.th += l.height
		}
		d.boxes[i] = b
	}
}

// size is the node's bounding box: the text block grown by the shape.
func (b nodeBox) size() (float64, float64) {
	s := b.shape
	w := math.Max(b.tw*s.grow+s.padL+s.padR, 96)
	h := b.th*s.grow + s.padT + s.padB
	if s.padL == 12 { // a diamond needs its points beside the text
		w += h
	}
	return math.Ceil(w), math.Ceil(h)
}

func (d *diagram) labelSize(lines []string) (float64, float64) {
	w := 0.0
	for _, l := range lines {
		w = math.Max(w, d.fonts.Measure(l, labelSize, false))
	}
	return math.Ceil(w + 8), float64(len(lines))*14 + 4
}
