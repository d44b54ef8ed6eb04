package picture

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/width"
)

// Fonts measures and shapes text. It is safe for concurrent use.
type Fonts struct {
	mu      sync.Mutex
	styles  [2]*faceList // regular, bold
	shaper  shaping.HarfbuzzShaper
	seg     shaping.Segmenter
	missing map[rune]bool
	cache   map[shapeKey]*Line
	// Source says where the fonts came from, for messages.
	Source string
}

type faceList struct {
	faces    []*font.Face
	families []string
	// more finds another face that has r, when none in faces has; nil
	// when there is nothing more to look for.
	more func(r rune) (*font.Face, string)
	// tried holds the runes more was asked about.
	tried map[rune]bool
}

type shapeKey struct {
	s    string
	size float64
	bold bool
}

// Line is a line of text shaped at a size: its glyph runs, left to right.
type Line struct {
	Width   float64
	Ascent  float64
	Descent float64
	Runs    []Run
}

// Run is glyphs of one face, positioned from the start of the line.
type Run struct {
	Face   *font.Face
	Glyphs []Glyph
	// Missing reports runs of runes no font has: drawn as the primary
	// font's missing-glyph box.
	Missing bool
}

// Glyph is one glyph and where its origin sits, in pixels from the start
// of the line (y grows downwards).
type Glyph struct {
	ID   font.GID
	X, Y float64
}

// EmbeddedFonts returns the Go fonts built into the binary, alone: the
// same measurements on every machine (tests use them for that).
func EmbeddedFonts() *Fonts {
	return newFonts("the Go fonts built into osop", [2]*faceList{embedded(goregular.TTF), embedded(gobold.TTF)})
}

func embedded(ttf []byte) *faceList {
	f, err := font.ParseTTF(bytes.NewReader(ttf))
	if err != nil {
		// The font is compiled in and parsed by this package's tests.
		panic(fmt.Sprintf("picture: embedded Go font: %v", err))
	}
	return &faceList{faces: []*font.Face{f}, families: []string{"Go"}}
}

func newFonts(source string, styles [2]*faceList) *Fonts {
	return &Fonts{styles: styles, missing: map[rune]bool{}, cache: map[shapeKey]*Line{}, Source: source}
}

// Families lists the font families text is measured with, for an SVG's
// font-family: primary first, then the fallbacks used so far.
func (f *Fonts) Families(bold bool) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.list(bold).families)
}

func (f *Fonts) list(bold bool) *faceList {
	if bold {
		return f.styles[1]
	}
	return f.styles[0]
}

// Missing returns the runes that no font had, sorted.
func (f *Fonts) Missing() []rune {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]rune, 0, len(f.missing))
	for r := range f.missing {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// Measure returns the width of s at size px.
func (f *Fonts) Measure(s string, size float64, bold bool) float64 {
	return f.Shape(s, size, bold).Width
}

// Shape lays s out on one line at size px.
func (f *Fonts) Shape(s string, size float64, bold bool) *Line {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := shapeKey{s, size, bold}
	if l, ok := f.cache[key]; ok {
		return l
	}
	l := f.shape(s, size, bold)
	f.cache[key] = l
	return l
}

func (f *Fonts) shape(s string, size float64, bold bool) *Line {
	list := f.list(bold)
	text := []rune(s)
	fm := &fontmap{f: f, list: list}
	primary := list.faces[0]
	line := &Line{}
	ext, _ := primary.FontHExtents()
	scale := size / float64(primary.Upem())
	line.Ascent, line.Descent = float64(ext.Ascender)*scale, -float64(ext.Descender)*scale
	in := shaping.Input{Text: text, RunEnd: len(text), Direction: di.DirectionLTR, Face: primary, Size: fixed.Int26_6(math.Round(size * 64))}
	x := 0.0
	for _, run := range f.seg.Split(in, fm) {
		out := f.shaper.Shape(run)
		r := Run{Face: run.Face}
		for _, g := range out.Glyphs {
			r.Glyphs = append(r.Glyphs, Glyph{ID: g.GlyphID, X: x + fx(g.XOffset), Y: -fx(g.YOffset)})
			adv := fx(g.Advance)
			if g.GlyphID == 0 {
				r.Missing = true
				if i := g.TextIndex(); i < len(text) {
					f.missing[text[i]] = true
				}
				// A viewer with a font for it will most likely draw a
				// wide rune a full em wide, as every CJK font does.
				if i := g.TextIndex(); i < len(text) && wide(text[i]) {
					adv = size
				}
			}
			x += adv
		}
		line.Runs = append(line.Runs, r)
		if run.Face != primary {
			fs := run.Face.Upem()
			e, _ := run.Face.FontHExtents()
			line.Ascent = math.Max(line.Ascent, float64(e.Ascender)*size/float64(fs))
			line.Descent = math.Max(line.Descent, -float64(e.Descender)*size/float64(fs))
		}
	}
	line.Width = x
	return line
}

func fx(v fixed.Int26_6) float64 { return float64(v) / 64 }

// fontmap picks, for each rune, the first face of a list that has it,
// asking for more faces when none has; runes nobody has are recorded as
// missing and drawn with the primary face.
type fontmap struct {
	f    *Fonts
	list *faceList
}

func (m *fontmap) ResolveFace(r rune) *font.Face {
	l := m.list
	if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
		return l.faces[0]
	}
	for _, face := range l.faces {
		if _, ok := face.NominalGlyph(r); ok {
			return face
		}
	}
	if l.more != nil && !l.tried[r] {
		if l.tried == nil {
			l.tried = map[rune]bool{}
		}
		l.tried[r] = true
		if face, family := l.more(r); face != nil {
			l.faces = append(l.faces, face)
			if !slices.Contains(l.families, family) {
				l.families = append(l.families, family)
			}
			return face
		}
	}
	m.f.missing[r] = true
	return l.faces[0]
}

// MissingText describes runes no font has, for a warning.
func MissingText(rs []rune) string {
	if len(rs) == 0 {
		return ""
	}
	var chars, codes []string
	for i, r := range rs {
		if i == 8 {
			codes = append(codes, fmt.Sprintf("and %d more", len(rs)-8))
			break
		}
		chars = append(chars, string(r))
		codes = append(codes, fmt.Sprintf("U+%04X", r))
	}
	return strings.Join(chars, "") + " (" + strings.Join(codes, " ") + ")"
}

// wide reports whether r takes a full em in CJK fonts, for a width
// estimate when no font has it.
func wide(r rune) bool {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return true
	}
	return false
}
