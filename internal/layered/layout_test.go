package layered

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
)

func boxes(n int) []Node {
	out := make([]Node, n)
	for i := range out {
		out[i] = Node{W: 120 + float64(i%3)*30, H: 40, Ports: 0.6}
	}
	return out
}

func TestLayout_hand(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		edges []Edge
	}{
		{"chain", 4, []Edge{{From: 0, To: 1}, {From: 1, To: 2}, {From: 2, To: 3}}},
		{"diamond", 4, []Edge{{From: 0, To: 1}, {From: 0, To: 2}, {From: 1, To: 3}, {From: 2, To: 3}}},
		{"labelled fallback", 3, []Edge{{From: 0, To: 1}, {From: 1, To: 2, LabelW: 180, LabelH: 16}}},
		{"loop back", 4, []Edge{{From: 0, To: 1}, {From: 1, To: 2}, {From: 2, To: 3}, {From: 2, To: 0, Back: true, LabelW: 60, LabelH: 14}}},
		{"self loop", 2, []Edge{{From: 0, To: 1}, {From: 1, To: 1, LabelW: 50, LabelH: 14}}},
		{"skip edge", 3, []Edge{{From: 0, To: 1}, {From: 1, To: 2}, {From: 0, To: 2, LabelW: 40, LabelH: 14}}},
		{"two edges one pair", 2, []Edge{{From: 0, To: 1, LabelW: 30, LabelH: 14}, {From: 0, To: 1, LabelW: 50, LabelH: 14}}},
		{"unguarded cycle", 3, []Edge{{From: 0, To: 1}, {From: 1, To: 2}, {From: 2, To: 0}}},
		{"isolated", 3, nil},
		{"bad index", 2, []Edge{{From: 0, To: 5}, {From: -1, To: 1}, {From: 0, To: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := boxes(tt.n)
			res := mustLayout(t, nodes, tt.edges)
			var good []Edge
			var goodRes Result
			goodRes.Width, goodRes.Height, goodRes.Nodes = res.Width, res.Height, res.Nodes
			for i, e := range tt.edges {
				if valid(e, tt.n) {
					good = append(good, e)
					goodRes.Edges = append(goodRes.Edges, res.Edges[i])
				} else if len(res.Edges[i].Path) != 0 {
					t.Errorf("edge %d to a missing node has a route", i)
				}
			}
			for _, p := range checkDrawing(nodes, good, goodRes) {
				t.Error(p)
			}
			if c := geometricCrossings(good, goodRes); c != 0 {
				t.Errorf("%d crossings", c)
			}
		})
	}
}

// randomLevelPlanar makes a graph that has a layered drawing without
// crossings: nodes in layers, each after the first with a parent in the
// layer above, edges only between neighbouring layers and never crossing
// in the hidden order. The nodes are then numbered at random.
func randomLevelPlanar(r *rand.Rand) (int, []Edge) {
	layers := 2 + r.IntN(5)
	var ids [][]int
	n := 0
	for range layers {
		w := 1 + r.IntN(5)
		var l []int
		for range w {
			l = append(l, n)
			n++
		}
		ids = append(ids, l)
	}
	perm := r.Perm(n)
	var edges []Edge
	for k := 1; k < layers; k++ {
		up, low := ids[k-1], ids[k]
		// A monotone staircase of edges never crosses: walk both layers
		// left to right, each step moving in one or both.
		i, j := 0, 0
		edges = append(edges, Edge{From: perm[up[0]], To: perm[low[0]]})
		for i < len(up)-1 || j < len(low)-1 {
			switch {
			case i == len(up)-1:
				j++
			case j == len(low)-1:
				i++
			default:
				switch r.IntN(3) {
				case 0:
					i++
				case 1:
					j++
				default:
					i, j = i+1, j+1
				}
			}
			if r.IntN(4) > 0 || !hasParent(edges, perm[low[j]]) {
				edges = append(edges, Edge{From: perm[up[i]], To: perm[low[j]]})
			}
		}
	}
	r.Shuffle(len(edges), func(a, b int) { edges[a], edges[b] = edges[b], edges[a] })
	return n, edges
}

func hasParent(edges []Edge, v int) bool {
	for _, e := range edges {
		if e.To == v {
			return true
		}
	}
	return false
}

func randomTree(r *rand.Rand) (int, []Edge) {
	n := 2 + r.IntN(14)
	perm := r.Perm(n)
	var edges []Edge
	for v := 1; v < n; v++ {
		edges = append(edges, Edge{From: perm[r.IntN(v)], To: perm[v]})
	}
	return n, edges
}

// TestLayout_planarHasNoCrossings draws random graphs that have a drawing
// without crossings and checks that the drawing found has none either,
// counted on the curves as drawn, and that it breaks no other promise.
func TestLayout_planarHasNoCrossings(t *testing.T) {
	gens := map[string]func(*rand.Rand) (int, []Edge){"tree": randomTree, "level-planar": randomLevelPlanar}
	for name, gen := range gens {
		t.Run(name, func(t *testing.T) {
			for seed := range uint64(300) {
				r := rand.New(rand.NewPCG(seed, 7))
				n, edges := gen(r)
				for i := range edges {
					if r.IntN(3) == 0 {
						edges[i].LabelW, edges[i].LabelH = float64(20+r.IntN(100)), 14
					}
				}
				nodes := boxes(n)
				res := mustLayout(t, nodes, edges)
				if c := geometricCrossings(edges, res); c != 0 {
					t.Errorf("seed %d: %d nodes %v: %d crossings", seed, n, edges, c)
				}
				for _, p := range checkDrawing(nodes, edges, res) {
					t.Errorf("seed %d: %s", seed, p)
				}
			}
		})
	}
}

// TestLayout_anyGraph checks the promises that hold for every graph, with
// cycles, self-loops and multiple edges, and that the result is the same
// every time.
func TestLayout_anyGraph(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 11))
		n := 1 + r.IntN(14)
		var edges []Edge
		for range r.IntN(2 * n) {
			e := Edge{From: r.IntN(n), To: r.IntN(n), Back: r.IntN(4) == 0}
			if r.IntN(2) == 0 {
				e.LabelW, e.LabelH = float64(10+r.IntN(150)), float64(12+r.IntN(10))
			}
			edges = append(edges, e)
		}
		nodes := make([]Node, n)
		for i := range nodes {
			nodes[i] = Node{W: float64(30 + r.IntN(200)), H: float64(20 + r.IntN(60)), Ports: r.Float64()}
		}
		res := mustLayout(t, nodes, edges)
		for _, p := range checkDrawing(nodes, edges, res) {
			t.Errorf("seed %d: %s", seed, p)
		}
		if again := mustLayout(t, nodes, edges); !reflect.DeepEqual(res, again) {
			t.Fatalf("seed %d: two layouts of the same graph differ", seed)
		}
	}
}

func mustLayout(t *testing.T, nodes []Node, edges []Edge) Result {
	t.Helper()
	res, err := Layout(nodes, edges, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestLayout_tooLarge refuses a tangle of long edges quickly instead of
// working on it for minutes.
func TestLayout_tooLarge(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	var edges []Edge
	for range 3000 {
		edges = append(edges, Edge{From: r.IntN(1000), To: r.IntN(1000)})
	}
	_, err := Layout(boxes(1000), edges, DefaultOptions())
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Points <= MaxPoints {
		t.Fatalf("err = %v, want a TooLargeError over %d points", err, MaxPoints)
	}
}
