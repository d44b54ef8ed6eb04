package picture

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/gomono"
)

func TestEmbeddedFonts_measure(t *testing.T) {
	t.Parallel()
	f := EmbeddedFonts()
	tests := []struct{ narrow, wide string }{
		{"iiii", "WWWW"},
		{"build", "build_image"},
		{"a", "a b"},
	}
	for _, tt := range tests {
		if n, w := f.Measure(tt.narrow, 12, false), f.Measure(tt.wide, 12, false); !(n > 0 && n < w) {
			t.Errorf("width(%q)=%v, width(%q)=%v: want 0 < first < second", tt.narrow, n, tt.wide, w)
		}
	}
	if r, b := f.Measure("deploy", 12, false), f.Measure("deploy", 12, true); !(b > r) {
		t.Errorf("bold %v is not wider than regular %v", b, r)
	}
	if a, b := f.Measure("deploy", 12, false), f.Measure("deploy", 24, false); b < 1.99*a || b > 2.01*a {
		t.Errorf("twice the size: %v, want 2×%v", b, a)
	}
	if len(f.Missing()) != 0 {
		t.Errorf("Latin text reported missing: %q", f.Missing())
	}
}

// TestEmbeddedFonts_missingIsReported checks that runes the fonts lack
// are reported, and that a wide one is counted a full em wide, as a CJK
// font draws it.
func TestEmbeddedFonts_missingIsReported(t *testing.T) {
	t.Parallel()
	f := EmbeddedFonts()
	w := f.Measure("建置", 20, false)
	if got := string(f.Missing()); got != "建置" {
		t.Errorf("Missing() = %q, want 建置", got)
	}
	if w < 39.9 || w > 40.1 {
		t.Errorf("two wide runes at 20 px measure %v, want 40", w)
	}
	if got := MissingText(f.Missing()); got != "建置 (U+5EFA U+7F6E)" {
		t.Errorf("MissingText = %q", got)
	}
	// A private-use rune is no letter, but still no font has it.
	f.Measure("a\U0010FFFDb", 12, true)
	if got := string(f.Missing()); got != "建置\U0010FFFD" {
		t.Errorf("Missing() = %q, want the private-use rune too", got)
	}
}

// TestSystemFonts_folders finds fonts in the font folders when there is
// no fc-match, and names the family it measured with.
func TestSystemFonts_folders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "truetype"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "truetype", "GoMono.ttf"), gomono.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	f := systemFonts(context.Background(), "", []string{dir, filepath.Join(dir, "absent")})
	if got := f.Families(false); len(got) == 0 || got[0] != "Go Mono" {
		t.Fatalf("families %q, want Go Mono first", got)
	}
	// A monospaced font measures every character alike.
	if a, b := f.Measure("iiii", 12, false), f.Measure("WWWW", 12, false); a != b {
		t.Errorf("Go Mono measured iiii %v and WWWW %v", a, b)
	}
	if !strings.Contains(f.Source, dir) {
		t.Errorf("source %q does not name %s", f.Source, dir)
	}
}

func TestSystemFonts_noneFallsBackToEmbedded(t *testing.T) {
	t.Parallel()
	f := systemFonts(context.Background(), "", []string{t.TempDir()})
	if got := f.Families(false); len(got) != 1 || got[0] != "Go" {
		t.Errorf("families %q, want the embedded Go font", got)
	}
	if !strings.Contains(f.Source, "Go fonts built into osop") {
		t.Errorf("source %q", f.Source)
	}
}

// TestSystemFonts_CJK needs fontconfig and a CJK font (Debian's
// fonts-noto-cjk, which .ci/run installs): the text then has no missing
// rune, and the SVG names the CJK family.
func TestSystemFonts_CJK(t *testing.T) {
	t.Parallel()
	requireCJKFont(t)
	f := SystemFonts(context.Background())
	f.Measure("Kubernetes 建置與部署流水線", 18, true)
	f.Measure("建置與部署流水線", 12, false)
	if m := f.Missing(); len(m) != 0 {
		t.Fatalf("missing %q with a CJK font installed (%s)", m, f.Source)
	}
	if fams := strings.Join(f.Families(false), ","); !strings.Contains(fams, "CJK") {
		t.Errorf("families %s name no CJK font", fams)
	}
}

func requireCJKFont(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("fc-list"); err != nil {
		t.Skip("skipping: no fontconfig (fc-list) on this machine")
	}
	out, err := exec.Command("fc-list", ":lang=zh-tw", "file").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Skip("skipping: no font for Chinese installed (Debian: fonts-noto-cjk)")
	}
}

// sample draws a filled and a dashed shape and a line of text.
func sample(s string) *Drawing {
	d := &Drawing{Width: 120, Height: 60, Background: Hex("#ffffff"), Title: s, Fonts: EmbeddedFonts()}
	d.Group("node-"+s, "node", s)
	var box Path
	box.RoundRect(10, 10, 40, 30, 4)
	d.Shape(box, Style{Fill: Hex("#ff0000"), Stroke: Hex("#000000"), Width: 1})
	var line Path
	line.Move(60, 10)
	line.Cube(70, 20, 80, 30, 110, 50)
	d.Shape(line, Style{Stroke: Hex("#0000ff"), Width: 2, Dash: []float64{4, 2}})
	d.Text(Text{X: 60, Y: 55, S: s, Size: 11, Color: Hex("#00aa00"), Anchor: Middle})
	d.End()
	return d
}

func TestPNG_drawsAtScale(t *testing.T) {
	t.Parallel()
	for _, scale := range []float64{1, 2, 3.5} {
		data, err := sample("Hello").PNG(scale)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != int(120*scale+0.999) || b.Dy() != int(60*scale+0.999) {
			t.Errorf("scale %v: %v", scale, b)
		}
		px := func(x, y float64) color.RGBA { return rgbaAt(img, int(x*scale), int(y*scale)) }
		if c := px(30, 25); c.R < 250 || c.G > 5 || c.B > 5 {
			t.Errorf("scale %v: inside the box %v, want red", scale, c)
		}
		if c := px(5, 5); c != (color.RGBA{255, 255, 255, 255}) {
			t.Errorf("scale %v: background %v, want white", scale, c)
		}
		if !hasInk(img, image.Rect(int(40*scale), int(46*scale), int(80*scale), int(58*scale)), func(c color.RGBA) bool { return c.G > 100 && c.R < 100 }) {
			t.Errorf("scale %v: no green text drawn", scale)
		}
		if !hasInk(img, image.Rect(int(60*scale), int(10*scale), int(110*scale), int(50*scale)), func(c color.RGBA) bool { return c.B > 200 && c.R < 100 }) {
			t.Errorf("scale %v: no blue line drawn", scale)
		}
	}
}

func TestPNG_refusesBadScale(t *testing.T) {
	t.Parallel()
	for _, scale := range []float64{0, -1, 1e9} {
		if _, err := sample("x").PNG(scale); err == nil {
			t.Errorf("scale %v accepted", scale)
		}
	}
}

func rgbaAt(img image.Image, x, y int) color.RGBA {
	r, g, b, a := img.At(x, y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

func hasInk(img image.Image, r image.Rectangle, ok func(color.RGBA) bool) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if ok(rgbaAt(img, x, y)) {
				return true
			}
		}
	}
	return false
}

// FuzzSVG checks that no text, id or title can break the SVG out of
// well-formed XML or change its structure, and that text survives.
func FuzzSVG(f *testing.F) {
	for _, s := range []string{"plain", `a"b'c`, "<script>alert(1)</script>", "x]]>y", "&amp;", "\x00\x01\x1b[31m", "建置", "\xff\xfe", "--><!--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		svg := sample(s).SVG()
		dec := xml.NewDecoder(bytes.NewReader(svg))
		var texts []string
		elements := 0
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed for %q: %v\n%s", s, err, svg)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				elements++
			case xml.CharData:
				texts = append(texts, string(tok))
			}
		}
		want := 6 // svg, rect, g, path, path, text
		if s != "" {
			want += 2 // the picture's title and the group's
		}
		if elements != want {
			t.Fatalf("%d elements for %q:\n%s", elements, s, svg)
		}
		kept := keepXML(s)
		if !strings.Contains(strings.Join(texts, "\n"), kept) {
			t.Fatalf("text %q (kept %q) not in the SVG:\n%s", s, kept, svg)
		}
	})
}

// keepXML is what escape keeps of s: the characters XML allows.
func keepXML(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			continue
		}
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
