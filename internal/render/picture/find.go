package picture

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
)

// Bounds on the search for installed fonts: it must not make a picture
// slow on a machine with thousands of fonts or a stuck fontconfig.
const (
	fcTimeout     = 5 * time.Second
	maxFontFiles  = 4000 // files listed from the font folders
	maxFontsRead  = 48   // fallback files opened while looking for a rune
	maxFcCharsets = 8    // fc-match calls for single runes
)

// SystemFonts finds installed fonts to measure and draw text with: the
// sans-serif fonts fontconfig's fc-match lists (when it is installed), or
// else the fonts in the usual font folders, with the Go fonts built into
// the binary as the last resort. Fonts are opened only when needed, and
// nothing is written anywhere.
func SystemFonts(ctx context.Context) *Fonts {
	fc, _ := exec.LookPath("fc-match")
	return systemFonts(ctx, fc, fontDirs())
}

// systemFonts is SystemFonts with fc-match (or "" for none) and the
// folders to look in given.
func systemFonts(ctx context.Context, fc string, dirs []string) *Fonts {
	ld := &loader{ctx: ctx, faces: map[string]*loaded{}}
	var lists [2][]candidate
	source := ""
	if fc != "" {
		ld.fc = fc
		var wg sync.WaitGroup
		for i, pattern := range []string{"sans-serif", "sans-serif:bold"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lists[i] = ld.fcSorted(pattern)
			}()
		}
		wg.Wait()
		source = "the fonts fc-match lists"
	}
	if len(lists[0]) == 0 {
		files := fontFiles(dirs)
		lists = [2][]candidate{byPreference(files, regularNames), byPreference(files, boldNames)}
		source = "the fonts in " + strings.Join(dirs, ", ")
	}
	styles := [2]*faceList{ld.list(lists[0], false), ld.list(lists[1], true)}
	if styles[0] == nil || styles[1] == nil {
		emb := EmbeddedFonts()
		for i := range styles {
			if styles[i] == nil {
				styles[i] = emb.styles[i]
				styles[i].more = ld.fallback(lists[i], i == 1)
			}
		}
		source += ", and the Go fonts built into osop"
	}
	return newFonts(source, styles)
}

// candidate is a font file (and face index in a collection) with the
// family fontconfig gave it, if any.
type candidate struct {
	path   string
	index  int
	family string
}

type loaded struct {
	face   *font.Face
	family string
}

// loader opens font files once each and asks fc-match for more.
type loader struct {
	ctx      context.Context
	fc       string
	mu       sync.Mutex
	faces    map[string]*loaded
	read     int
	charsets int
}

// list makes a face list from candidates: the first that opens is the
// primary face; the others are fallbacks, opened when a rune needs one.
func (ld *loader) list(cs []candidate, bold bool) *faceList {
	for i, c := range cs {
		if l := ld.open(c); l != nil {
			return &faceList{faces: []*font.Face{l.face}, families: []string{l.family}, more: ld.fallback(cs[i+1:], bold)}
		}
	}
	return nil
}

// fallback returns the search for a face that has a rune: the remaining
// candidates in order, then fc-match for that rune alone.
func (ld *loader) fallback(cs []candidate, bold bool) func(rune) (*font.Face, string) {
	return func(r rune) (*font.Face, string) {
		for _, c := range cs {
			ld.mu.Lock()
			_, seen := ld.faces[c.key()]
			tooMany := !seen && ld.read >= maxFontsRead
			ld.mu.Unlock()
			if tooMany {
				break
			}
			if l := ld.open(c); l != nil && drawable(l.face, r) {
				return l.face, l.family
			}
		}
		ld.mu.Lock()
		ask := ld.fc != "" && ld.charsets < maxFcCharsets
		ld.charsets++
		ld.mu.Unlock()
		if !ask {
			return nil, ""
		}
		pattern := fmt.Sprintf("sans-serif:charset=%x", r)
		if bold {
			pattern += ":bold"
		}
		for _, c := range ld.fcSorted(pattern) {
			if l := ld.open(c); l != nil && drawable(l.face, r) {
				return l.face, l.family
			}
		}
		return nil, ""
	}
}

// drawable reports whether face has an outline for r; colour bitmap fonts
// (emoji) are no use for drawing.
func drawable(face *font.Face, r rune) bool {
	g, ok := face.NominalGlyph(r)
	if !ok {
		return false
	}
	_, ok = face.GlyphDataOutline(g)
	return ok
}

func (c candidate) key() string { return c.path + "#" + strconv.Itoa(c.index) }

// open parses one face of a font file; nil when it cannot be read.
func (ld *loader) open(c candidate) *loaded {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	if l, ok := ld.faces[c.key()]; ok {
		return l
	}
	ld.read++
	l := openFace(c)
	ld.faces[c.key()] = l
	return l
}

func openFace(c candidate) *loaded {
	f, err := os.Open(c.path)
	if err != nil {
		return nil
	}
	defer f.Close()
	lds, err := ot.NewLoaders(f)
	if err != nil || c.index < 0 || c.index >= len(lds) {
		return nil
	}
	ft, err := font.NewFont(lds[c.index])
	if err != nil {
		return nil
	}
	family := c.family
	if family == "" {
		d, _ := font.Describe(lds[c.index], nil)
		family = d.Family
	}
	if family == "" {
		family = strings.TrimSuffix(filepath.Base(c.path), filepath.Ext(c.path))
	}
	return &loaded{face: font.NewFace(ft), family: family}
}

// fcSorted asks fc-match for the fonts that best match pattern, best
// first, upright ones only.
func (ld *loader) fcSorted(pattern string) []candidate {
	ctx, cancel := context.WithTimeout(ld.ctx, fcTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ld.fc, "-s", "-f", `%{file}\t%{index}\t%{family[0]}\t%{slant}\n`, pattern)
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	var cs []candidate
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 || f[3] != "0" || !isFontFile(f[0]) {
			continue
		}
		idx, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		cs = append(cs, candidate{path: f[0], index: idx, family: f[2]})
	}
	return cs
}

func isFontFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ttf", ".otf", ".ttc", ".otc":
		return true
	}
	return false
}

// fontDirs are the usual font folders of the operating system, the
// user's own first.
func fontDirs() []string {
	home, _ := os.UserHomeDir()
	var dirs []string
	add := func(parts ...string) {
		if parts[0] != "" {
			dirs = append(dirs, filepath.Join(parts...))
		}
	}
	switch runtime.GOOS {
	case "darwin":
		add(home, "Library", "Fonts")
		add("/Library/Fonts")
		add("/System/Library/Fonts")
	case "windows":
		add(os.Getenv("LOCALAPPDATA"), "Microsoft", "Windows", "Fonts")
		add(os.Getenv("WINDIR"), "Fonts")
	default:
		if x := os.Getenv("XDG_DATA_HOME"); x != "" {
			add(x, "fonts")
		} else {
			add(home, ".local", "share", "fonts")
		}
		add(home, ".fonts")
		add("/usr/local/share/fonts")
		add("/usr/share/fonts")
	}
	return dirs
}

// fontFiles lists the font files under dirs, sorted by path within each
// folder, at most maxFontFiles of them.
func fontFiles(dirs []string) []string {
	var out []string
	for _, dir := range dirs {
		var here []string
		_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || len(out)+len(here) >= maxFontFiles {
				return filepath.SkipDir
			}
			if !d.IsDir() && isFontFile(path) {
				here = append(here, path)
			}
			return nil
		})
		slices.Sort(here)
		out = append(out, here...)
	}
	return out
}

// Preferred sans-serif files by name, when there is no fontconfig.
var (
	regularNames = []string{"dejavusans.ttf", "notosans-regular.ttf", "liberationsans-regular.ttf", "arial.ttf", "helvetica.ttc", "helveticaneue.ttc", "segoeui.ttf", "roboto-regular.ttf", "opensans-regular.ttf", "freesans.ttf"}
	boldNames    = []string{"dejavusans-bold.ttf", "notosans-bold.ttf", "liberationsans-bold.ttf", "arialbd.ttf", "arial bold.ttf", "helvetica.ttc", "helveticaneue.ttc", "segoeuib.ttf", "roboto-bold.ttf", "opensans-bold.ttf", "freesansbold.ttf"}
)

// byPreference orders files: the preferred names in their order, then
// sans-serif fonts, then the rest.
func byPreference(files, preferred []string) []candidate {
	rank := func(path string) int {
		base := strings.ToLower(filepath.Base(path))
		if i := slices.Index(preferred, base); i >= 0 {
			return i
		}
		switch {
		case strings.Contains(base, "mono") || strings.Contains(base, "serif") && !strings.Contains(base, "sans"):
			return len(preferred) + 2
		case strings.Contains(base, "sans"):
			return len(preferred)
		}
		return len(preferred) + 1
	}
	sorted := slices.Clone(files)
	slices.SortStableFunc(sorted, func(a, b string) int { return rank(a) - rank(b) })
	cs := make([]candidate, len(sorted))
	for i, f := range sorted {
		cs[i] = candidate{path: f}
	}
	return cs
}
