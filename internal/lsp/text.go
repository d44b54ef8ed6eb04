package lsp

import (
	"unicode/utf8"

	"github.com/osopdev/osop/internal/diag"
)

// text is a document's content with its line starts, for converting
// between osop's positions (1-based line, column in characters) and LSP's
// (0-based line, column in UTF-16 code units).
type text struct {
	src   []byte
	lines []int // byte offset of each line's start
}

func newText(src []byte) *text {
	t := &text{src: src, lines: []int{0}}
	for i, b := range src {
		if b == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	return t
}

// line returns line i (0-based) without its end of line.
func (t *text) line(i int) []byte {
	if i < 0 || i >= len(t.lines) {
		return nil
	}
	end := len(t.src)
	if i+1 < len(t.lines) {
		end = t.lines[i+1] - 1
	}
	l := t.src[t.lines[i]:end]
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	}
	return l
}

// position converts an osop position. A column past the end of its line
// is clamped to the end.
func (t *text) position(p diag.Pos) Position {
	if !p.IsValid() {
		return Position{}
	}
	line := p.Line - 1
	if line >= len(t.lines) {
		line = len(t.lines) - 1
	}
	l := t.line(line)
	units := 0
	for c := 1; c < p.Column && len(l) > 0; c++ {
		r, n := utf8.DecodeRune(l)
		l = l[n:]
		units += utf16Len(r)
	}
	return Position{Line: line, Character: units}
}

// rangeOf converts an osop range; an end before its start (unknown) is the
// start.
func (t *text) rangeOf(r diag.Range) Range {
	start := t.position(r.Start)
	end := start
	if r.End.IsValid() && !r.End.Before(r.Start) {
		end = t.position(r.End)
	}
	return Range{Start: start, End: end}
}

// offset converts an LSP position to a byte offset, clamped to the text.
func (t *text) offset(p Position) int {
	if p.Line < 0 {
		return 0
	}
	if p.Line >= len(t.lines) {
		return len(t.src)
	}
	start := t.lines[p.Line]
	l := t.line(p.Line)
	units, i := 0, 0
	for i < len(l) && units < p.Character {
		r, n := utf8.DecodeRune(l[i:])
		units += utf16Len(r)
		i += n
	}
	return start + i
}

// pos converts an LSP position to an osop one (1-based, characters).
func (t *text) pos(p Position) diag.Pos {
	off := t.offset(p)
	line := min(max(p.Line, 0), len(t.lines)-1)
	return diag.Pos{Line: line + 1, Column: utf8.RuneCount(t.src[t.lines[line]:off]) + 1}
}

// utf16Len is how many UTF-16 code units r takes: two above the Basic
// Multilingual Plane (most emoji), one otherwise (CJK included).
func utf16Len(r rune) int {
	if r >= 0x10000 && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

// applyChange applies one content change (a range edit, or the whole text
// when the range is absent) and returns the new content.
func applyChange(src []byte, c contentChange) []byte {
	if c.Range == nil {
		return []byte(c.Text)
	}
	t := newText(src)
	start, end := t.offset(c.Range.Start), t.offset(c.Range.End)
	if end < start {
		start, end = end, start
	}
	out := make([]byte, 0, len(src)-(end-start)+len(c.Text))
	out = append(out, src[:start]...)
	out = append(out, c.Text...)
	return append(out, src[end:]...)
}
