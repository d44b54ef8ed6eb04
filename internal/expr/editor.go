package expr

import (
	"strings"
	"unicode"
)

// Conditions written in the editor's style (and in other tools' docs)
// read like prose: `category == 'routine' OR category == 'sales'`,
// `status == 'failed' AND retry_count < 3`, `route contains 'tool'`,
// `a = b`, `x in ('a', 'b')`. editorCEL rewrites them into CEL, token by
// token, so that nothing inside a string literal is touched. Env.Check
// only uses the rewrite when the text as written is not valid CEL: what
// is valid CEL keeps its meaning.

// token is one lexical token of an expression.
type token struct {
	kind tokKind
	text string
	at   int // offset in runes of the token in the source; -1 when made up
}

type tokKind uint8

const (
	tokSpace tokKind = iota
	tokString
	tokNumber
	tokIdent
	tokPunct
)

// rewritten is the CEL an editor-style condition becomes, and for each
// rune of it, the rune of the source it came from.
type rewritten struct {
	src  string
	text string
	from []int
}

// editorCEL rewrites src; ok is false when nothing in it is editor style.
func editorCEL(src string) (rewritten, bool) {
	in := tokenize(src)
	out := make([]token, 0, len(in))
	changed := false
	for k := 0; k < len(in); k++ {
		t := in[k]
		prev, next := lastSig(out), nextSig(in, k+1)
		switch {
		case t.kind == tokIdent && operandEnd(prev) && operandStart(next) && wordIs(t, "and", "or"):
			op := "&&"
			if wordIs(t, "or") {
				op = "||"
			}
			out = append(out, token{tokPunct, op, t.at})
		case t.kind == tokIdent && !operandEnd(prev) && operandStart(next) && wordIs(t, "not"):
			out = append(out, token{tokPunct, "!", t.at})
			for k+1 < len(in) && in[k+1].kind == tokSpace {
				k++ // "!x", not "! x"
			}
		case t.kind == tokIdent && operandEnd(prev) && operandStart(next) && wordIs(t, "contains"):
			end := operandAfter(in, k+1)
			if end < 0 {
				out = append(out, t)
				continue
			}
			start := operandBefore(out)
			left := append([]token(nil), trimSpace(out[start:])...)
			out = append(out[:start], left...)
			out = append(out, token{tokPunct, ".contains(", t.at})
			out = append(out, trimSpace(in[k+1:end])...)
			out = append(out, token{tokPunct, ")", in[end-1].at})
			k = end - 1
		case t.kind == tokPunct && t.text == "=":
			out = append(out, token{tokPunct, "==", t.at})
		case t.kind == tokPunct && t.text == "<>":
			out = append(out, token{tokPunct, "!=", t.at})
		case t.kind == tokIdent && (t.text == "True" || t.text == "TRUE"):
			out = append(out, token{tokIdent, "true", t.at})
		case t.kind == tokIdent && (t.text == "False" || t.text == "FALSE"):
			out = append(out, token{tokIdent, "false", t.at})
		case t.kind == tokIdent && (t.text == "None" || t.text == "NULL"):
			out = append(out, token{tokIdent, "null", t.at})
		case t.kind == tokPunct && t.text == "(" && prev != nil && prev.kind == tokIdent && prev.text == "in":
			end := groupEnd(in, k)
			if end < 0 || !topLevelComma(in[k+1:end]) {
				out = append(out, t)
				continue
			}
			out = append(out, token{tokPunct, "[", t.at})
			out = append(out, in[k+1:end]...)
			out = append(out, token{tokPunct, "]", in[end].at})
			k = end
		default:
			out = append(out, t)
			continue
		}
		changed = true
	}
	if !changed {
		return rewritten{}, false
	}
	var b strings.Builder
	var from []int
	for _, t := range out {
		b.WriteString(t.text)
		for j := range len([]rune(t.text)) {
			switch {
			case t.at < 0:
				from = append(from, 0)
			case t.kind != tokPunct: // copied as written, or a word of the same length
				from = append(from, t.at+j)
			default:
				from = append(from, t.at)
			}
		}
	}
	return rewritten{src: src, text: b.String(), from: from}, true
}

// back maps a 1-based line and column of the rewritten text to the
// source.
func (rw rewritten) back(line, col int) (int, int) {
	off := runeOffset(rw.text, line, col)
	if off >= len(rw.from) {
		off = len(rw.from) - 1
	}
	if off < 0 {
		return 1, 1
	}
	return lineCol(rw.src, rw.from[off])
}

func runeOffset(s string, line, col int) int {
	off, l := 0, 1
	for _, r := range s {
		if l == line {
			break
		}
		if r == '\n' {
			l++
		}
		off++
	}
	return off + col - 1
}

func lineCol(s string, off int) (int, int) {
	line, col := 1, 1
	for k, r := range []rune(s) {
		if k == off {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func wordIs(t token, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}

func lastSig(ts []token) *token {
	for k := len(ts) - 1; k >= 0; k-- {
		if ts[k].kind != tokSpace {
			return &ts[k]
		}
	}
	return nil
}

func nextSig(ts []token, from int) *token {
	for k := from; k < len(ts); k++ {
		if ts[k].kind != tokSpace {
			return &ts[k]
		}
	}
	return nil
}

// operandEnd reports whether t can end an operand.
func operandEnd(t *token) bool {
	if t == nil {
		return false
	}
	switch t.kind {
	case tokString, tokNumber:
		return true
	case tokIdent:
		return !wordIs(*t, "and", "or", "not", "in")
	}
	return t.text == ")" || t.text == "]" || t.text == "}"
}

// operandStart reports whether t can begin an operand.
func operandStart(t *token) bool {
	if t == nil {
		return false
	}
	switch t.kind {
	case tokString, tokNumber:
		return true
	case tokIdent:
		return !wordIs(*t, "and", "or", "in")
	}
	switch t.text {
	case "(", "[", "{", "!", "-":
		return true
	}
	return false
}

// operandBefore returns where the operand that ends ts begins: an
// identifier with its selections, indexes and calls, a literal, or a
// bracketed group.
func operandBefore(ts []token) int {
	k := len(ts) - 1
	for k >= 0 && ts[k].kind == tokSpace {
		k--
	}
	for k >= 0 {
		t := ts[k]
		switch {
		case t.text == ")" || t.text == "]" || t.text == "}":
			k = groupStart(ts, k)
			if k < 0 {
				return 0
			}
		case t.kind == tokIdent || t.kind == tokString || t.kind == tokNumber:
		default:
			return k + 1
		}
		if k > 0 && ts[k-1].text == "." {
			k -= 2
			continue
		}
		if k > 0 && (t.text == "(" || t.text == "[") && ts[k-1].kind == tokIdent {
			k--
			continue
		}
		return k
	}
	return 0
}

// operandAfter returns the end (exclusive) of the operand that begins at
// or after ts[from], or -1.
func operandAfter(ts []token, from int) int {
	k := from
	for k < len(ts) && ts[k].kind == tokSpace {
		k++
	}
	if k == len(ts) {
		return -1
	}
	for k < len(ts) {
		t := ts[k]
		switch {
		case t.text == "(" || t.text == "[" || t.text == "{":
			k = groupEnd(ts, k)
			if k < 0 {
				return -1
			}
		case t.kind == tokIdent || t.kind == tokString || t.kind == tokNumber:
		default:
			return -1
		}
		k++
		if k < len(ts) && ts[k].text == "." && k+1 < len(ts) && ts[k+1].kind == tokIdent {
			k++
			continue
		}
		if k < len(ts) && (ts[k].text == "(" || ts[k].text == "[") && ts[k-1].kind == tokIdent {
			continue
		}
		return k
	}
	return k
}

var closer = map[string]string{"(": ")", "[": "]", "{": "}"}

// groupEnd returns the index of the bracket closing ts[open], or -1.
func groupEnd(ts []token, open int) int {
	depth := 0
	for k := open; k < len(ts); k++ {
		switch ts[k].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				if closer[ts[open].text] != ts[k].text {
					return -1
				}
				return k
			}
		}
	}
	return -1
}

// groupStart returns the index of the bracket opening ts[end], or -1.
func groupStart(ts []token, end int) int {
	depth := 0
	for k := end; k >= 0; k-- {
		switch ts[k].text {
		case ")", "]", "}":
			depth++
		case "(", "[", "{":
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

func topLevelComma(ts []token) bool {
	depth := 0
	for _, t := range ts {
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
		case ",":
			if depth == 0 {
				return true
			}
		}
	}
	return false
}

func trimSpace(ts []token) []token {
	for len(ts) > 0 && ts[0].kind == tokSpace {
		ts = ts[1:]
	}
	for len(ts) > 0 && ts[len(ts)-1].kind == tokSpace {
		ts = ts[:len(ts)-1]
	}
	return ts
}

// twoRune are the operators of two runes the tokenizer keeps whole.
var twoRune = map[string]bool{"==": true, "!=": true, "<=": true, ">=": true, "&&": true, "||": true, "<>": true}

// tokenize splits src into tokens: string literals (with CEL's quotes,
// triple quotes, raw and bytes prefixes, and escapes), numbers,
// identifiers, white space and punctuation. It accepts any text.
func tokenize(src string) []token {
	rs := []rune(src)
	var out []token
	for k := 0; k < len(rs); {
		start := k
		r := rs[k]
		kind := tokPunct
		switch {
		case unicode.IsSpace(r):
			kind = tokSpace
			for k < len(rs) && unicode.IsSpace(rs[k]) {
				k++
			}
		case isQuote(rs, k):
			kind = tokString
			k = stringEnd(rs, k)
		case r >= '0' && r <= '9':
			kind = tokNumber
			for k < len(rs) && (isIdentRune(rs[k]) || rs[k] == '.') {
				k++
			}
		case isIdentRune(r):
			kind = tokIdent
			for k < len(rs) && isIdentRune(rs[k]) {
				k++
			}
		case k+1 < len(rs) && twoRune[string(rs[k:k+2])]:
			k += 2
		default:
			k++
		}
		out = append(out, token{kind, string(rs[start:k]), start})
	}
	return out
}

func isIdentRune(r rune) bool {
	return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

// isQuote reports whether a string literal begins at rs[k]: a quote, or
// r/b prefixes and a quote.
func isQuote(rs []rune, k int) bool {
	for j := k; j < len(rs) && j < k+3; j++ {
		switch rs[j] {
		case '\'', '"':
			return true
		case 'r', 'R', 'b', 'B':
			if j > k && k > 0 && isIdentRune(rs[k-1]) {
				return false
			}
			continue
		}
		return false
	}
	return false
}

// stringEnd returns the end (exclusive) of the string literal at rs[k].
func stringEnd(rs []rune, k int) int {
	raw := false
	for rs[k] != '\'' && rs[k] != '"' {
		raw = raw || rs[k] == 'r' || rs[k] == 'R'
		k++
	}
	q := rs[k]
	delim := []rune{q}
	if k+2 < len(rs) && rs[k+1] == q && rs[k+2] == q {
		delim = []rune{q, q, q}
	}
	k += len(delim)
	for k < len(rs) {
		if rs[k] == '\\' && !raw {
			k += 2
			continue
		}
		if hasAt(rs, k, delim) {
			return k + len(delim)
		}
		k++
	}
	return len(rs)
}

func hasAt(rs []rune, k int, delim []rune) bool {
	if k+len(delim) > len(rs) {
		return false
	}
	for j, d := range delim {
		if rs[k+j] != d {
			return false
		}
	}
	return true
}
