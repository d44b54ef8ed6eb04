package diag

import (
	"bytes"
	"fmt"
	"io"
	"strings"
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
	fmt.Fprintf(b, "%s: %s: %s %s\n", paint(ansiBold, d.Subject.String()),
		paint(sevColor+ansiBold, d.Severity.String()), d.Summary, paint(ansiDim, "["+d.Code+"]"))
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
			fmt.Fprintf(b, "%*s %s%s\n", gutter, "", lead, l)
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

// caretLine returns the line as shown (tabs expanded), the display offset of
// the range's start and the caret's display width. Wide characters such as
// CJK take two cells, so carets stay under the right text.
func caretLine(line string, r Range) (shown string, pad, caret int) {
	var out strings.Builder
	col := 1
	for _, ch := range line {
		w := cellWidth(ch)
		s := string(ch)
		if ch == '\t' {
			s, w = "    ", 4
		}
		if col < r.Start.Column {
			pad += w
		} else if r.End.Line == r.Start.Line && col < r.End.Column {
			caret += w
		}
		out.WriteString(s)
		col++
	}
	if caret == 0 {
		caret = 1
	}
	return out.String(), pad, caret
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
