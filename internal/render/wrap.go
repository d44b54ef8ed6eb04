package render

import (
	"strings"
	"unicode"

	"github.com/osopdev/osop/internal/render/picture"
)

// measurer is what wrapping needs from the fonts.
type measurer interface {
	Measure(s string, size float64, bold bool) float64
}

var _ measurer = (*picture.Fonts)(nil)

// wrapText breaks s into at most maxLines lines no wider than width px,
// between words (and between any two CJK characters, which need no
// spaces); the last line ends in "…" when s does not fit.
func wrapText(m measurer, s string, size float64, bold bool, width float64, maxLines int) []string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return nil
	}
	var lines []string
	cur := ""
	tokens := breakable(s)
	for i := 0; i < len(tokens); i++ {
		tok := tokens[i]
		next := cur + tok
		if cur == "" {
			next = strings.TrimLeft(tok, " ")
		}
		if cur == "" || m.Measure(next, size, bold) <= width {
			cur = next
			continue
		}
		if len(lines) == maxLines-1 {
			return append(lines, ellipsize(m, cur+strings.Join(tokens[i:], ""), size, bold, width))
		}
		lines = append(lines, cur)
		cur = strings.TrimLeft(tok, " ")
	}
	if m.Measure(cur, size, bold) > width {
		cur = ellipsize(m, cur, size, bold, width)
	}
	return append(lines, cur)
}

// breakable splits s into pieces a line may end after: words with the
// space before them, and single wide (CJK) characters.
func breakable(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == ' ':
			flush()
			b.WriteRune(r)
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r):
			flush()
			out = append(out, string(r))
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return out
}

// ellipsize cuts s to fit width px, ending it in "…".
func ellipsize(m measurer, s string, size float64, bold bool, width float64) string {
	if m.Measure(s, size, bold) <= width {
		return s
	}
	rs := []rune(s)
	lo, hi := 0, len(rs)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if m.Measure(strings.TrimRight(string(rs[:mid]), " ")+"…", size, bold) <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(rs[:lo]), " ") + "…"
}
