package db

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/osopdev/osop/internal/template"
)

// dialect says how a driver writes placeholders and quotes text.
type dialect int

const (
	dialectPG     dialect = iota // $1, dollar quoting, E'…' strings, nested comments
	dialectSQLite                // ?1, `…` and […] identifiers
)

// param is where the value of one placeholder comes from.
type param struct {
	Pos  int           // $N: the Nth value of params (1-based)
	Name string        // :name: params.name, else the node input name
	Ref  *template.Ref // a template reference written in the SQL text
}

func (p param) String() string {
	switch {
	case p.Ref != nil:
		return p.Ref.Text
	case p.Name != "":
		return ":" + p.Name
	}
	return "$" + strconv.Itoa(p.Pos)
}

// compiled is one statement with osop's parameters turned into the
// driver's placeholders: placeholder k takes the value of Params[k-1].
type compiled struct {
	SQL    string
	Params []param
	// MaxPos is the highest $N written. The $N written are numbered
	// densely, in order (a statement using only $2 binds one value),
	// then named parameters and template references follow.
	MaxPos int
	// Positional counts the $N in Params, which come first.
	Positional int
	// Rows says the statement returns rows (SELECT, WITH, VALUES, …,
	// or anything with RETURNING); the others are executed and report
	// how many rows they changed.
	Rows bool
	// Returning says it changes rows and returns them (… RETURNING).
	Returning bool
}

// SpliceError is a template reference in a place a bound parameter cannot
// go: part of a string literal, an identifier, a dollar-quoted body.
// Putting its value there would make it SQL text.
type SpliceError struct {
	Ref   string
	Where string
}

func (e *SpliceError) Error() string {
	return fmt.Sprintf("%s is inside %s: its value would become SQL text; bind it as a parameter instead (write it alone, or :name, in place of the literal)", e.Ref, e.Where)
}

// compile reads src, which may hold $N, :name, ? (SQLite) and template
// references, and returns SQL whose every value is a placeholder. It
// understands quoted strings and identifiers, comments, dollar quoting
// and :: casts, so nothing inside those is taken for a parameter.
func compile(src string, d dialect) (*compiled, error) {
	c := &compiler{src: src, d: d, named: map[string]int{}, used: map[int]bool{}}
	if err := c.run(); err != nil {
		return nil, err
	}
	return c.finish(), nil
}

// piece is literal SQL text, or a placeholder for slot (0-based, in order
// of first appearance among named parameters and references), or a
// positional parameter.
type piece struct {
	text string
	slot int // -1 for text
	pos  int // > 0 for $N
}

type compiler struct {
	src       string
	d         dialect
	cur       strings.Builder // text not yet in pieces
	pieces    []piece
	slots     []param
	named     map[string]int // key (":name" or ref text) to slot
	maxPos    int
	used      map[int]bool // the $N written
	lastPos   int          // for SQLite's bare ?, which takes the highest so far + 1
	firstWord string
	returning bool
}

func (c *compiler) text(s string) { c.cur.WriteString(s) }

// flush ends the current run of text.
func (c *compiler) flush() {
	if c.cur.Len() > 0 {
		c.pieces = append(c.pieces, piece{text: c.cur.String(), slot: -1})
		c.cur.Reset()
	}
}

// raw writes text copied from a literal, a name or a comment, undoing
// the template escapes there as everywhere else.
func (c *compiler) raw(s string) { c.text(unescape.Replace(s)) }

var unescape = strings.NewReplacer("$${", "${", `\{{`, "{{")

func (c *compiler) slot(key string, p param) {
	c.flush()
	k, ok := c.named[key]
	if !ok {
		k = len(c.slots)
		c.named[key] = k
		c.slots = append(c.slots, p)
	}
	c.pieces = append(c.pieces, piece{slot: k})
}

func (c *compiler) positional(n int) {
	c.flush()
	c.maxPos = max(c.maxPos, n)
	c.lastPos = max(c.lastPos, n)
	c.used[n] = true
	c.pieces = append(c.pieces, piece{slot: -1, pos: n})
}

func (c *compiler) run() error {
	s := c.src
	for i := 0; i < len(s); {
		if r, ok := refAt(s, i); ok {
			if c.identBefore(i) || (i+len(r.Text) < len(s) && isIdentStart(s[i+len(r.Text)])) {
				return &SpliceError{Ref: r.Text, Where: "a name"}
			}
			c.slot(r.Text, param{Ref: &r})
			i += len(r.Text)
			continue
		}
		n, err := c.token(i)
		if err != nil {
			return err
		}
		i = n
	}
	return nil
}

// token reads the token at i, writes it, and returns where the next
// begins.
func (c *compiler) token(i int) (int, error) {
	s := c.src
	ch, next := s[i], byte(0)
	if i+1 < len(s) {
		next = s[i+1]
	}
	switch {
	case strings.HasPrefix(s[i:], "$${"), strings.HasPrefix(s[i:], `\{{`):
		c.text(s[i+1 : i+3]) // the template escapes for a literal ${ and {{
		return i + 3, nil
	case ch == '\'':
		return c.literal(i, i, false)
	case ch == '"' || (c.d == dialectSQLite && ch == '`'):
		return c.enclosed(i, string(ch), string(ch), "a quoted identifier")
	case c.d == dialectSQLite && ch == '[':
		return c.enclosed(i, "[", "]", "a quoted identifier")
	case ch == '-' && next == '-':
		end := strings.IndexByte(s[i:], '\n')
		if end < 0 {
			end = len(s) - i
		}
		c.raw(s[i : i+end])
		return i + end, nil
	case ch == '/' && next == '*':
		return c.blockComment(i), nil
	case ch == '$' && isDigit(next) && !c.identBefore(i):
		return c.dollarNumber(i)
	case ch == '$' && c.d == dialectPG && !c.identBefore(i):
		if tag, ok := dollarTag(s[i:]); ok {
			return c.enclosed(i, tag, tag, "a dollar-quoted string")
		}
	case ch == ':' && next == ':':
		c.text("::")
		return i + 2, nil
	case ch == ':' && isIdentStart(next):
		j := identEnd(s, i+1)
		name := s[i+1 : j]
		c.slot(":"+name, param{Name: name})
		return j, nil
	case ch == '?' && c.d == dialectSQLite:
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		n := c.lastPos + 1
		if j > i+1 {
			n, _ = strconv.Atoi(s[i+1 : j])
		}
		c.positional(n)
		return j, nil
	case isIdentStart(ch):
		return c.word(i)
	}
	c.text(s[i : i+1])
	return i + 1, nil
}

// word reads a keyword or name, noting the statement's first keyword and
// any RETURNING, and an E'…' string with backslash escapes.
func (c *compiler) word(i int) (int, error) {
	j := identEnd(c.src, i)
	w := strings.ToUpper(c.src[i:j])
	if c.d == dialectPG && w == "E" && j < len(c.src) && c.src[j] == '\'' {
		return c.literal(i, j, true)
	}
	if c.firstWord == "" {
		c.firstWord = w
	}
	if w == "RETURNING" {
		c.returning = true
	}
	c.text(c.src[i:j])
	return j, nil
}

// literal reads a string literal opening at quote (its prefix starting at
// start). A literal that holds exactly one template reference becomes a
// parameter; a reference anywhere else in a literal is refused.
func (c *compiler) literal(start, quote int, backslash bool) (int, error) {
	s := c.src
	j := quote + 1
	for j < len(s) {
		switch {
		case backslash && s[j] == '\\':
			j += 2
			continue
		case s[j] == '\'' && j+1 < len(s) && s[j+1] == '\'':
			j += 2
			continue
		case s[j] == '\'':
			end := j + 1
			if refs := template.Scan(s[quote+1 : j]); len(refs) == 1 && refs[0].Text == s[quote+1:j] {
				c.slot(refs[0].Text, param{Ref: &refs[0]})
				return end, nil
			}
			if err := noRefs(s[quote+1:j], "the string literal "+s[start:end]); err != nil {
				return 0, err
			}
			c.raw(s[start:end])
			return end, nil
		}
		j++
	}
	// Unterminated: the database will say so; keep references out of it.
	if err := noRefs(s[quote:], "an unterminated string literal"); err != nil {
		return 0, err
	}
	c.raw(s[start:])
	return len(s), nil
}

// enclosed copies text from open to the matching close as it is,
// refusing template references inside it.
func (c *compiler) enclosed(i int, open, closing, what string) (int, error) {
	s := c.src
	j := strings.Index(s[i+len(open):], closing)
	end := len(s)
	if j >= 0 {
		end = i + len(open) + j + len(closing)
	}
	if err := noRefs(s[i+len(open):end], what+" "+truncate(s[i:end], 40)); err != nil {
		return 0, err
	}
	c.raw(s[i:end])
	return end, nil
}

func (c *compiler) blockComment(i int) int {
	s := c.src
	depth, j := 0, i
	for j < len(s) {
		switch {
		case strings.HasPrefix(s[j:], "/*"):
			depth++
			j += 2
		case strings.HasPrefix(s[j:], "*/"):
			depth--
			j += 2
			if depth == 0 || c.d == dialectSQLite {
				c.raw(s[i:j])
				return j
			}
		default:
			j++
		}
	}
	c.raw(s[i:])
	return len(s)
}

func (c *compiler) dollarNumber(i int) (int, error) {
	j := i + 1
	for j < len(c.src) && isDigit(c.src[j]) {
		j++
	}
	n, err := strconv.Atoi(c.src[i+1 : j])
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%s is not a parameter number: they run from $1", c.src[i:j])
	}
	c.positional(n)
	return j, nil
}

// noRefs refuses a template reference in text that is not SQL code.
func noRefs(text, where string) error {
	if refs := template.Scan(text); len(refs) > 0 {
		return &SpliceError{Ref: refs[0].Text, Where: where}
	}
	return nil
}

// refAt returns the template reference that starts at s[i], if one does.
func refAt(s string, i int) (template.Ref, bool) {
	if !strings.HasPrefix(s[i:], "${") && !strings.HasPrefix(s[i:], "{{") {
		return template.Ref{}, false
	}
	refs := template.Scan(s[i:])
	if len(refs) == 0 || refs[0].Offset != 0 {
		return template.Ref{}, false
	}
	return refs[0], true
}

func (c *compiler) identBefore(i int) bool {
	return i > 0 && (isIdentStart(c.src[i-1]) || isDigit(c.src[i-1]) || c.src[i-1] == '$')
}

// finish numbers the placeholders: the $N written in order, then named
// parameters and references in order of first appearance.
func (c *compiler) finish() *compiled {
	c.flush()
	out := &compiled{MaxPos: c.maxPos}
	number := map[int]int{}
	for n := 1; n <= c.maxPos; n++ {
		if c.used[n] {
			out.Params = append(out.Params, param{Pos: n})
			number[n] = len(out.Params)
		}
	}
	out.Positional = len(out.Params)
	var b strings.Builder
	mark := "$"
	if c.d == dialectSQLite {
		mark = "?"
	}
	for _, p := range c.pieces {
		switch {
		case p.pos > 0:
			b.WriteString(mark + strconv.Itoa(number[p.pos]))
		case p.slot >= 0:
			b.WriteString(mark + strconv.Itoa(out.Positional+p.slot+1))
		default:
			b.WriteString(p.text)
		}
	}
	out.SQL = b.String()
	out.Params = append(out.Params, c.slots...)
	switch c.firstWord {
	case "SELECT", "WITH", "VALUES", "SHOW", "EXPLAIN", "PRAGMA", "TABLE", "FETCH":
		out.Rows = true
	}
	out.Returning = c.returning
	out.Rows = out.Rows || c.returning
	return out
}

// dollarTag reads the $tag$ that opens a dollar-quoted string.
func dollarTag(s string) (string, bool) {
	j := 1
	if j < len(s) && isIdentStart(s[j]) {
		for j < len(s) && (isIdentStart(s[j]) || isDigit(s[j])) {
			j++
		}
	}
	if j < len(s) && s[j] == '$' {
		return s[:j+1], true
	}
	return "", false
}

// identEnd finds the end of a name; PostgreSQL names may hold $, but a
// ${ starts a template reference.
func identEnd(s string, i int) int {
	for i < len(s) && (isIdentStart(s[i]) || isDigit(s[i]) || (s[i] == '$' && !strings.HasPrefix(s[i:], "${"))) {
		i++
	}
	return i
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
