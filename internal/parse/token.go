package parse

import (
	"github.com/osopdev/osop/internal/diag"
	"go.yaml.in/yaml/v3"
)

// tokenEnd finds where a single-line scalar ends in the source, so carets
// can underline the whole token. For anything else it returns start.
func (c *converter) tokenEnd(n *yaml.Node, start diag.Pos) diag.Pos {
	if n.Kind != yaml.ScalarNode || start.Line < 1 || start.Line > len(c.lines) {
		return start
	}
	line := []rune(c.lines[start.Line-1])
	i := start.Column - 1
	if i < 0 || i >= len(line) {
		return start
	}
	end := -1
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		end = quotedEnd(line, i, '"')
	case n.Style&yaml.SingleQuotedStyle != 0:
		end = quotedEnd(line, i, '\'')
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return start
	default:
		r := []rune(n.Value)
		if i+len(r) <= len(line) && string(line[i:i+len(r)]) == n.Value {
			end = i + len(r)
		}
	}
	if end < 0 {
		return start
	}
	return diag.Pos{Line: start.Line, Column: end + 1}
}

// quotedEnd returns the index just past the closing quote of a quoted
// scalar starting at line[i], or -1 when it does not close on this line.
func quotedEnd(line []rune, i int, q rune) int {
	for j := i + 1; j < len(line); j++ {
		switch {
		case q == '"' && line[j] == '\\':
			j++
		case line[j] == q:
			if q == '\'' && j+1 < len(line) && line[j+1] == '\'' {
				j++
				continue
			}
			return j + 1
		}
	}
	return -1
}
