package risk

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

var (
	dropSQL     = regexp.MustCompile(`(?i)\b(DROP\s+(TABLE|DATABASE|SCHEMA|VIEW|INDEX)|TRUNCATE(\s+TABLE)?\s+[\w."]+)`)
	deleteSQL   = regexp.MustCompile(`(?i)\bDELETE\s+FROM\s+[\w."]+\s*(;|$|\))`)
	sqlSeverity = map[bool]Severity{true: Critical, false: High}
)

// sql: RISK-003 in the SQL of db nodes.
func (a *assessor) sql(n *ast.Node) {
	if n.Type.V != "db" {
		return
	}
	var vs []*ast.Value
	for _, k := range []string{"query", "sql", "statement", "statements"} {
		v := n.Runtime.Get(k)
		if v.IsList() {
			vs = append(vs, v.Items...)
		} else if v != nil {
			vs = append(vs, v)
		}
	}
	for _, v := range vs {
		if s, ok := v.String(); ok {
			a.sqlText(n, s, func(off int, tok string) *ast.Value { return a.inString(v, off, tok) })
		}
	}
}

// sqlText reports DROP, TRUNCATE and DELETE without WHERE in s; at maps
// an offset in s to its place in the file.
func (a *assessor) sqlText(n *ast.Node, s string, at func(off int, tok string) *ast.Value) {
	for _, m := range dropSQL.FindAllStringIndex(s, -1) {
		tok := s[m[0]:m[1]]
		drop := strings.HasPrefix(strings.ToUpper(tok), "DROP")
		a.destructiveFinding(n, at(m[0], tok), fmt.Sprintf("SQL %s, which deletes a table's data for good", strings.Join(strings.Fields(tok), " ")), sqlSeverity[drop])
	}
	for _, m := range deleteSQL.FindAllStringIndex(s, -1) {
		tok := strings.TrimRight(s[m[0]:m[1]], "; )")
		a.destructiveFinding(n, at(m[0], tok), fmt.Sprintf("SQL %s with no WHERE, which deletes every row", strings.Join(strings.Fields(tok), " ")), High)
	}
}

// inString returns a value standing for needle at byte offset off of the
// string v, placed where it is in the file: single-line scalars by
// arithmetic, block scalars by finding the needle on the lines the value
// spans (folding moves their text).
func (a *assessor) inString(v *ast.Value, off int, needle string) *ast.Value {
	s := v.Str
	off = min(max(off, 0), len(s))
	before := s[:off]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	start := v.Range.Start
	width := max(utf8.RuneCountInString(needle), 1)
	out := &ast.Value{Kind: ast.String, Str: needle, Range: v.Range}
	oneLine := v.Range.End.Line == start.Line || v.Range.End == start
	if line == 1 && oneLine && (v.Style == ast.Plain || v.Style == ast.DoubleQuoted || v.Style == ast.SingleQuoted) {
		c := start.Column + col - 1
		if v.Style != ast.Plain {
			c++
		}
		out.Range = span(v.Range.File, start.Line, c, width)
		return out
	}
	if needle == "" {
		return out
	}
	for l := start.Line + line - 1; l <= len(a.lines) && l < start.Line+line+20; l++ {
		if l < 1 {
			continue
		}
		if k := strings.Index(a.lines[l-1], needle); k >= 0 {
			out.Range = span(v.Range.File, l, utf8.RuneCountInString(a.lines[l-1][:k])+1, width)
			return out
		}
	}
	return out
}

func span(file string, line, col, width int) diag.Range {
	return diag.Range{File: file, Start: diag.Pos{Line: line, Column: col}, End: diag.Pos{Line: line, Column: col + width}}
}
