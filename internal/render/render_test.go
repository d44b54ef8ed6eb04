package render

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/render/picture"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func tour(t *testing.T) (*graph.Graph, func(string) string) {
	t.Helper()
	doc, ds, err := parse.File("testdata/tour.osop.yaml", parse.DefaultLimits)
	if err != nil || doc.Workflow == nil || ds.HasErrors() {
		t.Fatalf("load: %v %v", err, ds)
	}
	w := doc.Workflow
	g := graph.New(w)
	return g, func(format string) string {
		switch format {
		case "story":
			return Story(w, g)
		case "agent":
			return Agent(w, g)
		case "mermaid":
			return Mermaid(w, g)
		case "dot":
			return DOT(w, g)
		case "ascii":
			return Terminal(w, g, false)
		case "ascii-plain":
			return Terminal(w, g, true)
		}
		t.Fatalf("unknown format %s", format)
		return ""
	}
}

// TestGolden compares every text renderer's output for the tour workflow
// with testdata/tour.<format>.golden; `go test -update` rewrites them.
func TestGolden(t *testing.T) {
	_, renderAs := tour(t)
	for _, format := range []string{"story", "agent", "mermaid", "dot", "ascii", "ascii-plain"} {
		t.Run(format, func(t *testing.T) {
			got := renderAs(format)
			if again := renderAs(format); again != got {
				t.Fatal("output differs between two runs")
			}
			path := filepath.Join("testdata", "tour."+format+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

func TestTerminal_asciiIsASCII(t *testing.T) {
	_, renderAs := tour(t)
	out := renderAs("ascii-plain")
	// The workflow's own name is not ours to transliterate; everything
	// drawn is.
	for i, line := range strings.Split(out, "\n")[1:] {
		for _, r := range line {
			if r > 127 && !strings.ContainsRune("發佈", r) {
				t.Fatalf("line %d has %q: %s", i+2, r, line)
			}
		}
	}
}

func TestHTML_selfContained(t *testing.T) {
	g, renderAs := tour(t)
	_ = renderAs
	doc, _, _ := parse.File("testdata/tour.osop.yaml", parse.DefaultLimits)
	svg, err := SVG(doc.Workflow, g, picture.EmbeddedFonts())
	if err != nil {
		t.Fatal(err)
	}
	page, err := HTML(doc.Workflow, g, svg)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script src", "<link ", "@import", "<?xml"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, want := range []string{"<svg", `"node-fetch"`, "Fetch the release notes", "overlays/prod"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// FuzzMermaidText checks that no label text can end a quoted Mermaid
// label or open markup.
func FuzzMermaidText(f *testing.F) {
	for _, s := range []string{`a"b`, "x]y", "<b>", "#q;", "a|b", "line\nbreak", "(paren)", "{brace}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := mermaidText(s)
		if strings.ContainsAny(out, "\"[]{}()|<>`\n") && !strings.Contains(out, "<br/>") {
			t.Fatalf("mermaidText(%q) = %q", s, out)
		}
		if strings.ContainsAny(strings.ReplaceAll(out, "<br/>", ""), "\"[]{}()|<>`\n") {
			t.Fatalf("mermaidText(%q) = %q", s, out)
		}
	})
}
