package layered

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Point is a position in the drawing; y grows downwards.
type Point struct{ X, Y float64 }

// Rect is a box by its top-left corner and size.
type Rect struct{ X, Y, W, H float64 }

// Overlaps reports whether r and o share any area.
func (r Rect) Overlaps(o Rect) bool {
	return r.X < o.X+o.W && o.X < r.X+r.W && r.Y < o.Y+o.H && o.Y < r.Y+r.H
}

// Node is a box to place.
type Node struct {
	W, H float64
	// Ports is the part of the node's width (0 to 1) across which the ends
	// of its edges are spread; 0 brings them all to the middle of the top
	// and bottom sides, as pointed shapes need.
	Ports float64
}

// Edge joins two nodes. From == To is a self-loop, drawn beside its node.
type Edge struct {
	From, To int
	// LabelW and LabelH are the size of the edge's label; zero for none.
	LabelW, LabelH float64
	// Back marks an edge that is expected to close a cycle (a loop back to
	// an earlier step): when a cycle must be broken, such an edge is drawn
	// against the flow rather than another one of the cycle.
	Back bool
}

// Options are the spacings of a drawing, in the same unit as the sizes.
type Options struct {
	NodeSep  float64 // horizontal gap between neighbouring nodes
	EdgeSep  float64 // horizontal gap between edges passing a layer
	RankSep  float64 // vertical gap between two layers of nodes
	LabelGap float64 // between an edge and its label
	ArrowLen float64 // length of an arrowhead: paths end this far before their tip
	Margin   float64 // around the whole drawing
	// MaxWidth wraps separate parts of the graph onto a new row once a row
	// of them is this wide; 0 means 1600.
	MaxWidth float64
}

// DefaultOptions are spacings that suit boxes with 12–14 px text.
func DefaultOptions() Options {
	return Options{NodeSep: 28, EdgeSep: 14, RankSep: 56, LabelGap: 6, ArrowLen: 8, Margin: 16}
}

// Route is how one edge is drawn.
type Route struct {
	// Path is a cubic Bézier spline from the edge's source towards its
	// target: Path[0], then three points (two controls and an end) per
	// segment. It stops ArrowLen short of Tip.
	Path []Point
	// Tip is where the arrowhead touches the target's border.
	Tip Point
	// Label is the label's box; zero when the edge has none.
	Label Rect
	// Reversed reports that the edge was laid out against the flow to
	// break a cycle: it runs up the drawing.
	Reversed bool
}

// Result is a laid-out graph.
type Result struct {
	Width, Height float64
	Nodes         []Rect  // by input index
	Edges         []Route // by input index
}

// MaxPoints is how many points where edges pass a rank a drawing may
// have: beyond it (a tangle of thousands of long edges) the layout would
// take seconds to minutes, and the picture could not be read anyway.
const MaxPoints = 60000

// TooLargeError reports a graph whose drawing would need more than
// [MaxPoints] points.
type TooLargeError struct{ Points int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the drawing would need %d points where edges pass a layer (at most %d): too many long edges to lay out", e.Points, MaxPoints)
}

// Layout lays out g. Edges that name a node out of range are left out,
// with an empty route. It fails only with a [*TooLargeError].
func Layout(nodes []Node, edges []Edge, opt Options) (Result, error) {
	opt = withDefaults(opt)
	res := Result{Nodes: make([]Rect, len(nodes)), Edges: make([]Route, len(edges))}
	var parts []*part
	points := 0
	for _, comp := range components(len(nodes), edges) {
		p, err := layoutPart(nodes, edges, comp, opt, MaxPoints-points)
		if err != nil {
			var tl *TooLargeError
			if errors.As(err, &tl) {
				tl.Points += points
			}
			return Result{}, err
		}
		points += len(p.v) - len(p.in)
		parts = append(parts, p)
	}
	pack(parts, &res, opt)
	return res, nil
}

func withDefaults(o Options) Options {
	d := DefaultOptions()
	if o.NodeSep <= 0 {
		o.NodeSep = d.NodeSep
	}
	if o.EdgeSep <= 0 {
		o.EdgeSep = d.EdgeSep
	}
	if o.RankSep <= 0 {
		o.RankSep = d.RankSep
	}
	if o.LabelGap < 0 {
		o.LabelGap = 0
	}
	if o.ArrowLen < 0 {
		o.ArrowLen = 0
	}
	if o.Margin < 0 {
		o.Margin = 0
	}
	// The curves between two layers need room after the arrowheads.
	o.RankSep = math.Max(o.RankSep, 4*o.ArrowLen+8)
	if o.MaxWidth <= 0 {
		o.MaxWidth = 1600
	}
	return o
}

// components splits the nodes into weakly connected groups, each listed
// in input order, the groups ordered by their first node.
func components(n int, edges []Edge) [][]int {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, e := range edges {
		if valid(e, n) {
			a, b := find(e.From), find(e.To)
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	byRoot := map[int]int{}
	var out [][]int
	for i := range n {
		r := find(i)
		k, ok := byRoot[r]
		if !ok {
			k = len(out)
			byRoot[r] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], i)
	}
	return out
}

func valid(e Edge, n int) bool { return e.From >= 0 && e.From < n && e.To >= 0 && e.To < n }

// pack places the parts left to right, in rows no wider than
// opt.MaxWidth (a wider part gets a row of its own), tops aligned.
func pack(parts []*part, res *Result, opt Options) {
	x, y, rowH, width := 0.0, 0.0, 0.0, 0.0
	gap := 2 * opt.NodeSep
	for _, p := range parts {
		if x > 0 && x+p.bounds.W > opt.MaxWidth {
			x, y = 0, y+rowH+gap
			rowH = 0
		}
		p.place(res, opt.Margin+x-p.bounds.X, opt.Margin+y-p.bounds.Y)
		width = math.Max(width, x+p.bounds.W)
		rowH = math.Max(rowH, p.bounds.H)
		x += p.bounds.W + gap
	}
	res.Width = width + 2*opt.Margin
	res.Height = y + rowH + 2*opt.Margin
}

// sortedBy returns the indexes 0..n-1 ordered by key, ties by index.
func sortedBy(n int, key func(int) float64) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return key(idx[a]) < key(idx[b]) })
	return idx
}
