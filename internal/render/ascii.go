package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/graph"
)

// Terminal renders the workflow as a picture for the terminal: boxes in
// layers from top to bottom, joined by lines (a for_each loop into a later
// node too). Failure paths are dashed; labelled edges carry a number
// explained under the picture, and edges back to an earlier node (loops)
// are listed there. With ascii set it uses only ASCII characters.
func Terminal(w *ast.Workflow, g *graph.Graph, ascii bool) string {
	l := layout(g)
	cv := newCanvas(l.width, l.height)
	notes := l.draw(cv, g)
	var b strings.Builder
	title := firstNonEmpty(w.Name.V, w.ID.V)
	fmt.Fprintf(&b, "%s  (%s · %s)\n\n", title, plural(len(g.Nodes), "node"), plural(len(w.Edges), "edge"))
	b.WriteString(cv.String(ascii))
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			line := n
			if ascii {
				line = toASCII(n)
			}
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

const (
	boxHeight = 4 // border, id, type · label, border
	gap       = 3 // columns between neighbours in a layer
	maxInner  = 40
)

type slot struct {
	node  int // node index, or -1 for a dummy carrying arc
	arc   int // for dummies, the arc index
	x     int // left column
	width int
	order float64
}

func (s *slot) center() int { return s.x + s.width/2 }

type band struct {
	arcs []int // arc indexes crossing from this layer to the next
	row  []int // the band row of each arc: a fan-out or a join shares one
	rows int
}

type drawing struct {
	layers [][]*slot
	bands  []band
	top    []int          // first row of each layer
	bandY  []int          // first row of each band
	at     map[[2]int]int // (arc, layer) -> slot index within layer, for dummies
	nodeAt map[int][2]int // node -> (layer, slot)
	width  int
	height int
	back   []int // arcs not drawn: loops and arcs against the order
	boxes  map[int][2]string
}

// layout assigns layers by longest path, puts a dummy slot where an arc
// spans several layers, orders each layer by the barycentre of its
// predecessors, and places slots left to right near their parents.
func layout(g *graph.Graph) *drawing {
	order := g.TopoOrder()
	pos := make([]int, len(g.Nodes))
	for k, i := range order {
		pos[i] = k
	}
	layer := make([]int, len(g.Nodes))
	p := &drawing{at: map[[2]int]int{}, nodeAt: map[int][2]int{}, boxes: map[int][2]string{}}
	// An arc is drawn when it goes forward in the order, whatever its
	// mode: a for_each loop into a later node is a line like any other.
	// Arcs back against the order (loops to an earlier node) are listed.
	var forward []int
	for k, a := range g.Arcs {
		if pos[a.From] >= pos[a.To] {
			p.back = append(p.back, k)
			continue
		}
		forward = append(forward, k)
	}
	for _, i := range order {
		for _, a := range g.In(i) {
			if pos[a.From] < pos[i] {
				layer[i] = max(layer[i], layer[a.From]+1)
			}
		}
	}
	depth := 0
	for _, l := range layer {
		depth = max(depth, l+1)
	}
	p.layers = make([][]*slot, depth)
	for _, i := range order {
		p.layers[layer[i]] = append(p.layers[layer[i]], &slot{node: i, order: float64(pos[i])})
	}
	for _, k := range forward {
		a := g.Arcs[k]
		for l := layer[a.From] + 1; l < layer[a.To]; l++ {
			p.layers[l] = append(p.layers[l], &slot{node: -1, arc: k, width: 1})
		}
	}
	for i, n := range g.Nodes {
		p.boxes[i] = boxText(n)
	}
	p.order(g, layer, forward)
	p.place(g, layer, forward)
	p.route(g, layer, forward)
	return p
}

func boxText(n *ast.Node) [2]string {
	first := truncate(n.ID.V, maxInner)
	second := n.Type.V
	if l := n.Label(); l != n.ID.V {
		second += " · " + l
	}
	return [2]string{first, truncateCells(second, maxInner)}
}

// truncateCells shortens s to n terminal cells.
func truncateCells(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if diag.DisplayWidth(s) <= n {
		return s
	}
	var b strings.Builder
	w := 0
	for _, r := range s {
		rw := diag.DisplayWidth(string(r))
		if w+rw > n-1 {
			break
		}
		b.WriteRune(r)
		w += rw
	}
	return b.String() + "…"
}

// source returns the slot an arc leaves from in layer l: its source node,
// or its dummy.
func (p *drawing) slotOf(g *graph.Graph, k, l int, layer []int) *slot {
	a := g.Arcs[k]
	if layer[a.From] == l {
		return p.layers[l][p.nodeAt[a.From][1]]
	}
	if layer[a.To] == l {
		return p.layers[l][p.nodeAt[a.To][1]]
	}
	return p.layers[l][p.at[[2]int{k, l}]]
}

func (p *drawing) index() {
	for l, row := range p.layers {
		for i, s := range row {
			if s.node >= 0 {
				p.nodeAt[s.node] = [2]int{l, i}
			} else {
				p.at[[2]int{s.arc, l}] = i
			}
		}
	}
}

// order sorts each layer by the mean position of what leads into it.
func (p *drawing) order(g *graph.Graph, layer []int, forward []int) {
	p.index()
	for l := 1; l < len(p.layers); l++ {
		prevPos := map[*slot]float64{}
		for i, s := range p.layers[l-1] {
			prevPos[s] = float64(i)
		}
		for _, s := range p.layers[l] {
			var sum float64
			n := 0
			for _, k := range forward {
				a := g.Arcs[k]
				into := (s.node >= 0 && a.To == s.node) || (s.node < 0 && s.arc == k)
				if !into || layer[a.From] > l-1 {
					continue
				}
				sum += prevPos[p.slotOf(g, k, l-1, layer)]
				n++
			}
			if n > 0 {
				s.order = sum/float64(n)*1000 + s.order/1e6
			} else {
				s.order = 1e9 + s.order
			}
		}
		sort.SliceStable(p.layers[l], func(i, j int) bool { return p.layers[l][i].order < p.layers[l][j].order })
		p.index()
	}
}

// place sets widths and columns: each slot goes near the mean centre of
// its parents, never overlapping the slot to its left.
func (p *drawing) place(g *graph.Graph, layer []int, forward []int) {
	for _, row := range p.layers {
		for _, s := range row {
			if s.node >= 0 {
				t := p.boxes[s.node]
				s.width = min(max(diag.DisplayWidth(t[0]), diag.DisplayWidth(t[1]), 8), maxInner) + 4
			}
		}
	}
	for l, row := range p.layers {
		right := 0
		for _, s := range row {
			want := right
			if l > 0 {
				var sum, n int
				for _, k := range forward {
					a := g.Arcs[k]
					into := (s.node >= 0 && a.To == s.node) || (s.node < 0 && s.arc == k)
					if into && layer[a.From] <= l-1 {
						sum += p.slotOf(g, k, l-1, layer).center()
						n++
					}
				}
				if n > 0 {
					want = sum/n - s.width/2
				}
			}
			s.x = max(want, right)
			right = s.x + s.width + gap
			p.width = max(p.width, s.x+s.width)
		}
	}
}

// route gives every arc between two adjacent layers its own row in the
// band between them, ordered by where it starts.
func (p *drawing) route(g *graph.Graph, layer []int, forward []int) {
	p.bands = make([]band, max(len(p.layers)-1, 0))
	for l := range p.bands {
		var arcs []int
		for _, k := range forward {
			a := g.Arcs[k]
			if layer[a.From] <= l && layer[a.To] >= l+1 {
				arcs = append(arcs, k)
			}
		}
		sort.SliceStable(arcs, func(i, j int) bool {
			si, sj := p.slotOf(g, arcs[i], l, layer), p.slotOf(g, arcs[j], l, layer)
			return si.center() < sj.center()
		})
		p.bands[l] = p.rowsFor(g, l, layer, arcs)
	}
	y := 0
	p.top = make([]int, len(p.layers))
	p.bandY = make([]int, len(p.bands))
	for l := range p.layers {
		p.top[l] = y
		y += boxHeight
		if l < len(p.bands) {
			p.bandY[l] = y
			y += p.bands[l].rows + 1
		}
	}
	p.height = y
}

// rowsFor gives arcs leaving one slot (a fan-out) or entering one slot (a
// join) a shared row, and every other arc a row of its own.
func (p *drawing) rowsFor(g *graph.Graph, l int, layer []int, arcs []int) band {
	outs, ins := map[*slot]int{}, map[*slot]int{}
	for _, k := range arcs {
		outs[p.slotOf(g, k, l, layer)]++
		ins[p.slotOf(g, k, l+1, layer)]++
	}
	bd := band{arcs: arcs, row: make([]int, len(arcs))}
	key := map[*slot]int{}
	for i, k := range arcs {
		from, to := p.slotOf(g, k, l, layer), p.slotOf(g, k, l+1, layer)
		group := (*slot)(nil)
		switch {
		case outs[from] > 1:
			group = from
		case ins[to] > 1:
			group = to
		}
		if r, ok := key[group]; ok && group != nil {
			bd.row[i] = r
			continue
		}
		bd.row[i] = bd.rows
		if group != nil {
			key[group] = bd.rows
		}
		bd.rows++
	}
	return bd
}

// draw paints boxes and lines and returns the notes under the picture.
func (p *drawing) draw(cv *canvas, g *graph.Graph) []string {
	layer := make([]int, len(g.Nodes))
	for l, row := range p.layers {
		for _, s := range row {
			if s.node >= 0 {
				layer[s.node] = l
			}
		}
	}
	labels := map[int]int{} // arc -> note number
	var notes []string
	for k, a := range g.Arcs {
		if l := arcLabel(g, a); l != "" {
			labels[k] = len(notes) + 1
			notes = append(notes, fmt.Sprintf("%3d  %s → %s  %s", len(notes)+1, g.Nodes[a.From].ID.V, g.Nodes[a.To].ID.V, l))
		}
	}
	tags := map[[2]int][]string{} // arrowhead -> the notes of the arcs it ends
	for l := range p.bands {
		p.drawBand(cv, g, l, layer, labels, tags)
	}
	for at, ns := range tags {
		cv.tag(at[0]+1, at[1], strings.Join(ns, ","))
	}
	for l, row := range p.layers {
		for _, s := range row {
			if s.node >= 0 {
				cv.box(s.x, p.top[l], s.width, p.boxes[s.node])
			}
		}
	}
	for _, k := range p.back {
		a := g.Arcs[k]
		n, ok := labels[k]
		if !ok {
			notes = append(notes, fmt.Sprintf("%3d  %s ↺ %s  %s", len(notes)+1, g.Nodes[a.From].ID.V, g.Nodes[a.To].ID.V, a.Edge.Mode.V))
			continue
		}
		notes[n-1] = strings.Replace(notes[n-1], " → ", " ↺ ", 1)
	}
	return notes
}

// drawBand draws the arcs crossing band l and collects the note numbers
// their arrowheads carry.
func (p *drawing) drawBand(cv *canvas, g *graph.Graph, l int, layer []int, labels map[int]int, tags map[[2]int][]string) {
	bd := p.bands[l]
	rows := bd.rows
	ins := map[*slot]int{}
	for _, k := range bd.arcs {
		ins[p.slotOf(g, k, l+1, layer)]++
	}
	for i, k := range bd.arcs {
		j := bd.row[i]
		from := p.slotOf(g, k, l, layer)
		to := p.slotOf(g, k, l+1, layer)
		dashed := kindOf(g.Arcs[k].Edge.Mode.V) == edgeFailure
		y0, yj, yEnd := p.bandY[l], p.bandY[l]+j, p.bandY[l]+rows
		cv.link(from.center(), y0, up, dashed)
		if from.node >= 0 {
			cv.mark(from.center(), y0-1, '┬')
		} else {
			cv.vline(from.center(), y0-boxHeight, y0, dashed)
		}
		x := to.center()
		if to.node >= 0 && ins[to] == 1 && from.center() > to.x && from.center() < to.x+to.width-1 {
			x = from.center() // the box lies under the source: go straight down into it
		}
		cv.vline(from.center(), y0, yj, dashed)
		cv.hline(from.center(), x, yj, dashed)
		if to.node >= 0 {
			cv.vline(x, yj, yEnd, dashed)
			head := '▼'
			if dashed && cv.text[yEnd][x] != '▼' {
				head = '▽' // a failure path only: drawn hollow
			}
			cv.mark(x, yEnd, head)
			if n, ok := labels[k]; ok {
				tags[[2]int{x, yEnd}] = append(tags[[2]int{x, yEnd}], fmt.Sprint(n))
			}
		} else {
			cv.vline(x, yj, yEnd+1, dashed) // on through the dummy's layer
		}
	}
}
