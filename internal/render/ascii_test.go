package render

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
)

// pictureCases are the workflows the terminal picture is checked on: the
// tour, the quickstart and the seed, and the public corpus when present.
func pictureCases(t *testing.T) map[string]*graph.Graph {
	t.Helper()
	files := []string{"testdata/tour.osop.yaml", "../../examples/quickstart.osop.yaml"}
	if dir, ok := shared.Lookup("seed"); ok {
		files = append(files, filepath.Join(dir, "kubernetes-deploy.osop.yaml"))
	}
	if dir, ok := shared.Lookup("corpus"); ok {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && parse.HasExtension(p) && !strings.Contains(p, ".osoplog") && !strings.HasSuffix(p, ".sop") {
				files = append(files, p)
			}
			return nil
		})
	}
	out := map[string]*graph.Graph{}
	for _, f := range files {
		doc, _, err := parse.File(f, parse.DefaultLimits)
		if err != nil || doc.Workflow == nil {
			continue
		}
		out[f] = graph.New(doc.Workflow)
	}
	return out
}

// TestTerminal_forwardArcsDrawn: every arc that goes forward in the
// picture's order is drawn as a line, loop edges included (a for_each
// loop into a later node); only arcs back against the order are listed
// under the picture instead.
func TestTerminal_forwardArcsDrawn(t *testing.T) {
	t.Parallel()
	for name, g := range pictureCases(t) {
		p := layout(g)
		cv := newCanvas(p.width, p.height)
		p.draw(cv, g)
		pos := map[int]int{}
		for k, i := range g.TopoOrder() {
			pos[i] = k
		}
		back := map[int]bool{}
		for _, k := range p.back {
			back[k] = true
		}
		for k, a := range g.Arcs {
			if back[k] && pos[a.From] < pos[a.To] {
				t.Errorf("%s: %s → %s (%s) goes forward but is not drawn", name, g.Nodes[a.From].ID.V, g.Nodes[a.To].ID.V, a.Edge.Mode.V)
			}
		}
	}
}

// TestTerminal_straightLines: an arc that is the only one into a box that
// lies under its source enters the box right below where it leaves the
// source, instead of jogging a column aside.
func TestTerminal_straightLines(t *testing.T) {
	t.Parallel()
	for name, g := range pictureCases(t) {
		p := layout(g)
		cv := newCanvas(p.width, p.height)
		p.draw(cv, g)
		layer := map[int]int{}
		for l, row := range p.layers {
			for _, s := range row {
				if s.node >= 0 {
					layer[s.node] = l
				}
			}
		}
		ins := map[int]int{}
		for _, a := range g.Arcs {
			ins[a.To]++
		}
		for l, bd := range p.bands {
			for _, k := range bd.arcs {
				a := g.Arcs[k]
				from, to := p.slotOf(g, k, l, layerSlice(g, layer)), p.slotOf(g, k, l+1, layerSlice(g, layer))
				if to.node < 0 || ins[a.To] != 1 || from.center() <= to.x || from.center() >= to.x+to.width-1 {
					continue
				}
				y := p.bandY[l] + bd.rows
				if r := cv.text[y][from.center()]; r != '▼' && r != '▽' {
					t.Errorf("%s: %s → %s: no arrowhead at column %d under the source (found %q)",
						name, g.Nodes[a.From].ID.V, g.Nodes[a.To].ID.V, from.center(), r)
				}
			}
		}
	}
}

func layerSlice(g *graph.Graph, layer map[int]int) []int {
	out := make([]int, len(g.Nodes))
	for i := range out {
		out[i] = layer[i]
	}
	return out
}
