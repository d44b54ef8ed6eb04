package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/render/picture"
	"github.com/osopdev/osop/internal/shared"
)

// Benchmarks of pictures: layout alone (text measured, nodes and edges
// placed) and the whole SVG, for the seed, the largest workflow of the
// corpus and a generated 500-node workflow. Fonts are the embedded Go
// fonts, loaded once, so that the figures do not depend on the machine's
// fonts.

func BenchmarkLayout_seed(b *testing.B)      { benchLayout(b, seedWorkflow(b)) }
func BenchmarkLayout_corpus(b *testing.B)    { benchLayout(b, largestCorpus(b)) }
func BenchmarkLayout_generated(b *testing.B) { benchLayout(b, generatedWorkflow(b, 500)) }
func BenchmarkSVG_seed(b *testing.B)         { benchSVG(b, seedWorkflow(b)) }
func BenchmarkSVG_corpus(b *testing.B)       { benchSVG(b, largestCorpus(b)) }
func BenchmarkSVG_generated(b *testing.B)    { benchSVG(b, generatedWorkflow(b, 500)) }

func benchLayout(b *testing.B, w *ast.Workflow) {
	fonts := picture.EmbeddedFonts()
	g := graph.New(w)
	for b.Loop() {
		d := &diagram{w: w, g: g, fonts: fonts}
		if err := d.layout(); err != nil {
			b.Fatal(err)
		}
	}
}

func benchSVG(b *testing.B, w *ast.Workflow) {
	fonts := picture.EmbeddedFonts()
	g := graph.New(w)
	for b.Loop() {
		if svg, err := SVG(w, g, fonts); err != nil || len(svg) == 0 {
			b.Fatal(err)
		}
	}
}

func load(tb testing.TB, name string, src []byte) *ast.Workflow {
	tb.Helper()
	doc, ds := parse.Bytes(name, src, parse.DefaultLimits)
	if doc == nil || doc.Workflow == nil || ds.HasErrors() {
		tb.Fatalf("%s: %v", name, ds)
	}
	return doc.Workflow
}

func seedWorkflow(tb testing.TB) *ast.Workflow {
	path := filepath.Join(shared.Dir(tb, "seed"), "kubernetes-deploy.osop.yaml")
	src, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return load(tb, path, src)
}

// largestCorpus is the corpus workflow with the most nodes (ties: the
// larger file).
func largestCorpus(tb testing.TB) *ast.Workflow {
	var best *ast.Workflow
	bestSize := 0
	for _, f := range shared.Files(tb, shared.Dir(tb, "corpus"), ".osop.yaml", ".osop") {
		src, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		doc, _ := parse.Bytes(f, src, parse.DefaultLimits)
		if doc == nil || doc.Workflow == nil {
			continue
		}
		if n := len(doc.Workflow.Nodes)*100000 + len(src); n > bestSize {
			best, bestSize = doc.Workflow, n
		}
	}
	if best == nil {
		tb.Skip("no workflow in the corpus")
	}
	return best
}

// generatedWorkflow writes a workflow of about n nodes in stages of ten:
// a gateway that fans out to three parallel workers, which join into a
// check; the check goes on when a condition holds, or to a fix-up on
// failure, and every fifth stage loops back to its start.
func generatedWorkflow(tb testing.TB, n int) *ast.Workflow {
	var s strings.Builder
	s.WriteString("osop_version: \"2.0\"\nid: generated\nname: Generated workflow\nnodes:\n")
	types := []string{"cli", "api", "docker", "infra", "agent", "human", "db", "data"}
	stages := n / 10
	for st := range stages {
		for k := range 10 {
			i := st*10 + k
			typ := types[i%len(types)]
			if k == 0 {
				typ = "gateway"
			}
			fmt.Fprintf(&s, "  - {id: s%d_n%d, type: %s, purpose: \"Step %d of stage %d does its part of the work\"}\n", st, k, typ, k, st)
		}
	}
	s.WriteString("edges:\n")
	for st := range stages {
		p := func(k int) string { return fmt.Sprintf("s%d_n%d", st, k) }
		for w := 1; w <= 3; w++ {
			fmt.Fprintf(&s, "  - {from: %s, to: %s, mode: parallel}\n", p(0), p(w))
			fmt.Fprintf(&s, "  - {from: %s, to: %s}\n", p(w), p(w+3))
			fmt.Fprintf(&s, "  - {from: %s, to: %s}\n", p(w+3), p(7))
		}
		fmt.Fprintf(&s, "  - {from: %s, to: %s, mode: conditional, when: \"outputs.%s.ok == true\"}\n", p(7), p(8), p(7))
		fmt.Fprintf(&s, "  - {from: %s, to: %s, mode: fallback}\n", p(7), p(9))
		if st%5 == 4 {
			fmt.Fprintf(&s, "  - {from: %s, to: %s, mode: loop, when: \"attempt() < 3\"}\n", p(8), p(0))
		}
		if st+1 < stages {
			fmt.Fprintf(&s, "  - {from: %s, to: s%d_n0}\n", p(8), st+1)
		}
	}
	return load(tb, "generated.osop.yaml", []byte(s.String()))
}
