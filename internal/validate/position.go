package validate

import (
	"strings"
	"unicode/utf8"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// within returns the range of needle, found at (line, col) of the string
// value v (1-based, col in runes), in the file. Single-line scalars map by
// arithmetic; block scalars are searched for the needle, since folding
// moves their text.
func (c *checker) within(v *ast.Value, line, col int, needle string) diag.Range {
	start := v.Range.Start
	n := utf8.RuneCountInString(needle)
	if oneLine(v, line) {
		c0 := start.Column + col - 1
		if v.Style != ast.Plain {
			c0++
		}
		return span(v.Range.File, start.Line, c0, n)
	}
	if needle != "" {
		for l := start.Line; l <= len(c.src) && l < start.Line+500; l++ {
			if k := strings.Index(c.src[l-1], needle); k >= 0 {
				return span(v.Range.File, l, utf8.RuneCountInString(c.src[l-1][:k])+1, n)
			}
		}
	}
	return v.Range
}

// oneLine reports whether line (from 1) of v's value is on v's own line
// in the source, column for column past the quote: a one-line scalar.
func oneLine(v *ast.Value, line int) bool {
	start := v.Range.Start
	return line == 1 && (v.Style == ast.Plain || v.Style == ast.DoubleQuoted || v.Style == ast.SingleQuoted) &&
		(v.Range.End.Line == start.Line || v.Range.End == start)
}

// offsetIn is [checker.within] for a byte offset into the string's value.
// Where the value's text is not the source's (block scalars, several
// lines), the needle is the one that many occurrences into the source, so
// the same reference made twice is found twice, each where it is.
func (c *checker) offsetIn(v *ast.Value, offset int, needle string) diag.Range {
	s := v.Str
	if offset > len(s) {
		offset = len(s)
	}
	before := s[:offset]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	if oneLine(v, line) || needle == "" {
		return c.within(v, line, col, needle)
	}
	return c.nth(v, needle, strings.Count(before, needle))
}

// nth finds the k-th (from 0) occurrence of needle in the source from
// where v starts, or v's range.
func (c *checker) nth(v *ast.Value, needle string, k int) diag.Range {
	start := v.Range.Start
	for l := start.Line; l <= len(c.src) && l < start.Line+500; l++ {
		text, from := c.src[l-1], 0
		if l == start.Line {
			from = min(len(text), max(0, start.Column-1)) // columns count runes; keys before are ASCII
		}
		for {
			i := strings.Index(text[from:], needle)
			if i < 0 {
				break
			}
			if k == 0 {
				return span(v.Range.File, l, utf8.RuneCountInString(text[:from+i])+1, utf8.RuneCountInString(needle))
			}
			k--
			from += i + len(needle)
		}
	}
	return v.Range
}

func span(file string, line, col, width int) diag.Range {
	return diag.Range{File: file, Start: diag.Pos{Line: line, Column: col}, End: diag.Pos{Line: line, Column: col + max(width, 1)}}
}
