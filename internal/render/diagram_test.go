package render

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/layered"
	"github.com/osopdev/osop/internal/render/picture"
	"github.com/osopdev/osop/internal/shared"
)

// goldenPictures are the workflows whose SVG is kept in
// testdata/pictures: the seed, and corpus files with loops, switches,
// error and event edges, fan-outs with conditions, spawns and a fallback
// that runs back up.
var goldenPictures = []string{
	"seed/kubernetes-deploy.osop.yaml",
	"corpus/testing/tdd-workflow.osop.yaml",
	"corpus/v1.1-features/switch-intent-routing.osop",
	"corpus/pr-ready/temporal-order-fulfillment.osop.yaml",
	"corpus/ai-agent/agent-handoff-chain.osop.yaml",
	"corpus/claude-code-session/fix-auth-bug.osop",
}

func loadShared(t *testing.T, rel string) *ast.Workflow {
	t.Helper()
	path := filepath.Join(shared.Dir(t, filepath.Dir(rel)), filepath.Base(rel))
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return load(t, path, src)
}

// TestSVG_golden compares the SVG of each golden workflow, measured with
// the embedded fonts, with testdata/pictures/NAME.svg; `go test -update`
// rewrites them.
func TestSVG_golden(t *testing.T) {
	for _, rel := range goldenPictures {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			w := loadShared(t, rel)
			g := graph.New(w)
			got, err := SVG(w, g, picture.EmbeddedFonts())
			if err != nil {
				t.Fatal(err)
			}
			if again, _ := SVG(w, g, picture.EmbeddedFonts()); !bytes.Equal(got, again) {
				t.Fatal("two drawings of the same workflow differ")
			}
			path := filepath.Join("testdata", "pictures", strings.SplitN(filepath.Base(rel), ".", 2)[0]+".svg")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// TestPicture_corpus draws every workflow of the corpus and checks what a
// reader relies on: every node and label inside the picture, none
// overlapping another, each line of text inside its box.
func TestPicture_corpus(t *testing.T) {
	fonts := picture.EmbeddedFonts()
	files := shared.Files(t, shared.Dir(t, "corpus"), ".osop.yaml", ".osop")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w := load(t, f, src)
		d := &diagram{w: w, g: graph.New(w), fonts: fonts}
		pic, err := d.draw()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range d.problems(pic) {
			t.Errorf("%s: %s", f, p)
		}
	}
}

// problems lists what is wrong with a drawn diagram.
func (d *diagram) problems(pic *picture.Drawing) []string {
	var bad []string
	dy := d.top() - margin/2
	var boxes []layered.Rect
	var names []string
	for i, r := range d.res.Nodes {
		r.Y += dy
		boxes, names = append(boxes, r), append(names, "node "+d.g.Nodes[i].ID.V)
		b := d.boxes[i]
		inner := r.W - b.shape.padL - b.shape.padR
		if b.style.DotShape == "diamond" {
			inner -= r.H
		}
		for _, l := range b.lines {
			if w := d.fonts.Measure(l.s, l.size, l.bold) * b.shape.grow; w > inner+0.5 {
				bad = append(bad, "node "+d.g.Nodes[i].ID.V+": "+l.s+" is wider than its box")
			}
		}
	}
	for i, rt := range d.res.Edges {
		if rt.Label.W == 0 {
			continue
		}
		l := rt.Label
		l.Y += dy
		boxes, names = append(boxes, l), append(names, "label of arc "+d.g.Nodes[d.g.Arcs[i].From].ID.V+"→"+d.g.Nodes[d.g.Arcs[i].To].ID.V)
		for _, s := range d.labels[i] {
			if w := d.fonts.Measure(s, labelSize, false); w > l.W-8+0.5 {
				bad = append(bad, "label "+s+" is wider than its box")
			}
		}
	}
	for i, r := range boxes {
		if r.X < 0 || r.Y < d.top()-margin || r.X+r.W > pic.Width || r.Y+r.H > pic.Height {
			bad = append(bad, names[i]+" is outside the picture")
		}
		for j := i + 1; j < len(boxes); j++ {
			if r.Overlaps(boxes[j]) {
				bad = append(bad, names[i]+" overlaps "+names[j])
			}
		}
	}
	return bad
}

// TestPNG_seedTitleIsCJK rasterizes the seed with the machine's fonts and
// checks that the CJK characters of its title are drawn as themselves,
// not as the font's missing-glyph box: eight boxes look alike, eight
// characters do not, and none looks like the box. The same check on the
// embedded fonts alone, which have no CJK, must find boxes.
func TestPNG_seedTitleIsCJK(t *testing.T) {
	w := loadShared(t, "seed/kubernetes-deploy.osop.yaml")
	g := graph.New(w)
	t.Run("embedded fonts draw boxes", func(t *testing.T) {
		if ok, why := cjkDrawn(t, w, g, picture.EmbeddedFonts()); ok {
			t.Fatalf("the check found CJK drawn by fonts that have none: %s", why)
		}
	})
	t.Run("installed fonts", func(t *testing.T) {
		requireCJKFont(t)
		fonts := picture.SystemFonts(context.Background())
		if _, err := PNG(w, g, fonts, 1); err != nil {
			t.Fatal(err)
		}
		if m := fonts.Missing(); len(m) != 0 {
			t.Errorf("missing glyphs %q", m)
		}
		if ok, why := cjkDrawn(t, w, g, fonts); !ok {
			t.Fatalf("the title's CJK characters are not drawn (%s): %s", fonts.Source, why)
		}
	})
}

func requireCJKFont(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("fc-list"); err != nil {
		t.Skip("skipping: no fontconfig (fc-list)")
	}
	out, err := exec.Command("fc-list", ":lang=zh-tw", "file").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Skip("skipping: no font for Chinese installed (Debian: fonts-noto-cjk)")
	}
}

// cjkDrawn cuts the cell of each CJK character of the title out of the
// PNG and compares the cells with each other and with the primary font's
// missing-glyph box drawn the same way.
func cjkDrawn(t *testing.T, w *ast.Workflow, g *graph.Graph, fonts *picture.Fonts) (bool, string) {
	t.Helper()
	const scale = 2
	data, err := PNG(w, g, fonts, scale)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	title, _ := (&diagram{w: w, g: g, fonts: fonts}).titles()
	var cells []image.Image
	x := margin
	// A CJK rune is one glyph: its cell runs from the width of the text
	// before it to the width with it.
	prefix := ""
	for _, r := range title {
		if r < 0x2E80 {
			prefix += string(r)
			continue
		}
		left := x + fonts.Measure(prefix, titleSize, true)
		right := x + fonts.Measure(prefix+string(r), titleSize, true)
		prefix += string(r)
		base := margin + titleSize*0.8
		cell := image.Rect(int(left*scale), int((base-titleSize)*scale), int(right*scale), int((base+titleSize*0.25)*scale))
		cells = append(cells, crop(img, cell))
	}
	if len(cells) < 2 {
		t.Fatalf("title %q has no CJK to check", title)
	}
	box := notdefCell(t, fonts, scale)
	same := 0
	for i, c := range cells {
		if ink(c) == 0 {
			return false, "a character cell is empty"
		}
		if alike(c, box) {
			return false, "a character looks like the missing-glyph box"
		}
		for _, o := range cells[i+1:] {
			if alike(c, o) {
				same++
			}
		}
	}
	if same > 0 {
		return false, "characters that differ are drawn alike"
	}
	return true, ""
}

// notdefCell draws a rune no font has (from a private use plane) the way
// the title is drawn: what a missing glyph looks like.
func notdefCell(t *testing.T, fonts *picture.Fonts, scale float64) image.Image {
	t.Helper()
	s := string(rune(0x10FFFD))
	d := &picture.Drawing{Width: 60, Height: 40, Fonts: fonts}
	d.Text(picture.Text{X: 10, Y: 30, S: s, Size: titleSize, Bold: true, Color: picture.Hex(textColor)})
	data, err := d.PNG(scale)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	right := 10 + fonts.Measure(s, titleSize, true)
	return crop(img, image.Rect(int(10*scale), int((30-titleSize)*scale), int(right*scale), int((30+titleSize*0.25)*scale)))
}

func crop(img image.Image, r image.Rectangle) image.Image {
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := range r.Dy() {
		for x := range r.Dx() {
			c := img.At(r.Min.X+x, r.Min.Y+y)
			rr, gg, bb, _ := c.RGBA()
			out.Pix[y*out.Stride+x] = uint8(255 - (rr+gg+bb)/3/257)
		}
	}
	return out
}

func ink(img image.Image) int {
	g := img.(*image.Gray)
	n := 0
	for _, p := range g.Pix {
		if p > 64 {
			n++
		}
	}
	return n
}

// alike reports whether two cells have nearly the same ink in nearly the
// same places (compared over the narrower width).
func alike(a, b image.Image) bool {
	ga, gb := a.(*image.Gray), b.(*image.Gray)
	w, h := min(ga.Rect.Dx(), gb.Rect.Dx()), min(ga.Rect.Dy(), gb.Rect.Dy())
	diff, total := 0, 0
	for y := range h {
		for x := range w {
			pa, pb := ga.Pix[y*ga.Stride+x] > 64, gb.Pix[y*gb.Stride+x] > 64
			if pa || pb {
				total++
				if pa != pb {
					diff++
				}
			}
		}
	}
	return total == 0 || float64(diff)/float64(total) < 0.15
}
