package diag

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// TextOptions controls [WriteText].
type TextOptions struct {
	// Sources maps a file name to its bytes, for snippets. A file missing
	// from the map is rendered without a snippet.
	Sources map[string][]byte
	// Color adds ANSI colours; only for terminals.
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

// WriteText renders diagnostics the way compilers do:
//
//	FILE:LINE:COL: error: SUMMARY [code]
//	   12 |     retry_polcy:
//	      |     ^^^^^^^^^^^
//	      = help: did you mean "retry_policy"?
func WriteText(w io.Writer, ds Diagnostics, opts TextOptions) error {
	var b strings.Builder
	for _, d := range ds {
		writeOne(&b, d, opts)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeOne(b *strings.Builder, d *Diagnostic, opts TextOptions) {
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	sevColor := map[Severity]string{Error: ansiRed, Warning: ansiYellow, Info: ansiCyan}[d.Severity]
	fmt.Fprintf(b, "%s: %s: %s %s\n", paint(ansiBold, Printable(d.Subject.String())),
		paint(sevColor+ansiBold, d.Severity.String()), Printable(d.Summary), paint(ansiDim, "["+d.Code+"]"))
	gutter := 0
	if line, ok := sourceLine(opts.Sources[d.Subject.File], d.Subject.Start.Line); ok {
		num := fmt.Sprint(d.Subject.Start.Line)
		gutter = max(len(num)+2, 5)
		shown, pad, caret := caretLine(line, d.Subject)
		fmt.Fprintf(b, "%*s | %s\n", gutter, num, shown)
		fmt.Fprintf(b, "%*s | %s%s\n", gutter, "", strings.Repeat(" ", pad), paint(sevColor, strings.Repeat("^", caret)))
	}
	if d.Detail != "" {
		for i, l := range strings.Split(d.Detail, "\n") {
			lead := "= help: "
			if i > 0 {
				lead = "        "
			}
			fmt.Fprintf(b, "%*s %s%s\n", gutter, "", lead, Printable(l))
		}
	}
}

// sourceLine returns line n (1-based) of src without its line ending.
func sourceLine(src []byte, n int) (string, bool) {
	if src == nil || n < 1 {
		return "", false
	}
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return "", false
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return strings.TrimRight(string(src), "\r"), true
}

// maxExcerpt is the widest source excerpt shown, in cells: a longer line
// (minified JSON, a binary file) is cut around the caret.
const maxExcerpt = 120

// caretLine returns the line as shown (tabs expanded, non-printable
// characters and invalid bytes escaped, cut to maxExcerpt cells around the
// range), the display offset of the range's start and the caret's display
// width. Wide characters such as CJK take two cells, so carets stay under
// the right text. Columns count characters, an invalid byte as one, as the
// loader does.
func caretLine(line string, r Range) (shown string, pad, caret int) {
	var cells []cell
	col := 1
	for i := 0; i < len(line); {
		ch, n := utf8.DecodeRuneInString(line[i:])
		s, w := line[i:i+n], cellWidth(ch)
		switch {
		case ch == '\t':
			s, w = "    ", 4
		case ch == utf8.RuneError && n == 1:
			s = fmt.Sprintf("\\x%02x", line[i])
			w = len(s)
		case !printable(ch):
			s = escape(ch)
			w = len(s)
		}
		if col < r.Start.Column {
			pad += w
		} else if r.End.Line == r.Start.Line && col < r.End.Column {
			caret += w
		}
		cells = append(cells, cell{s, w})
		col++
		i += n
	}
	if caret == 0 {
		caret = 1
	}
	return window(cells, pad, caret)
}

// cell is one character of an excerpt as shown, and its width.
type cell struct {
	s string
	w int
}

// window cuts an excerpt to maxExcerpt cells, starting a little before
// the range when it starts far in, and moves the caret with it.
func window(cells []cell, pad, caret int) (shown string, _, _ int) {
	from, width := 0, 0
	for _, c := range cells {
		width += c.w
	}
	if width > maxExcerpt && pad > maxExcerpt/3 {
		skip := 0
		for from < len(cells) && pad-skip > maxExcerpt/3 {
			skip += cells[from].w
			from++
		}
		pad = pad - skip + 1 // the "…" that stands for what was cut
	}
	var out strings.Builder
	if from > 0 {
		out.WriteString("…")
	}
	used := 0
	if from > 0 {
		used = 1
	}
	for _, c := range cells[from:] {
		if used+c.w > maxExcerpt {
			out.WriteString("…")
			break
		}
		out.WriteString(c.s)
		used += c.w
	}
	caret = max(1, min(caret, maxExcerpt-pad))
	return out.String(), pad, caret
}

// Printable returns s with every character that could act on a terminal
// (C0 and C1 controls, DEL, bidirectional and other format characters,
// line separators) and every invalid byte escaped as Go would write it,
// so text from a file never reaches a terminal raw.
func Printable(s string) string {
	clean := true
	for i := 0; i < len(s); {
		ch, n := utf8.DecodeRuneInString(s[i:])
		if (ch == utf8.RuneError && n == 1) || !printable(ch) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		ch, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case ch == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case !printable(ch):
			b.WriteString(escape(ch))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// PrintableText is Printable for text of several lines: line breaks and
// tabs stay as they are, every other control character is escaped.
func PrintableText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		parts := strings.Split(l, "\t")
		for j, p := range parts {
			parts[j] = Printable(p)
		}
		lines[i] = strings.Join(parts, "\t")
	}
	return strings.Join(lines, "\n")
}

func printable(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return false
	case r == 0x200d:
		return true // the zero-width joiner holds emoji sequences together
	case unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co, unicode.Cs):
		return false
	}
	return true
}

func escape(r rune) string {
	switch r {
	case '\t':
		return `\t`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	}
	if r < 0x80 {
		return fmt.Sprintf("\\x%02x", r)
	}
	return fmt.Sprintf("\\u%04x", r)
}

func cellWidth(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// DisplayWidth returns how many terminal cells s takes.
func DisplayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += cellWidth(r)
	}
	return n
}
