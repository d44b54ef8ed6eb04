package template

import "strings"

// ExpandShell is [Expand] for a shell command: each resolved value is
// quoted for where it stands, so no value can change the command's shape.
//
//	echo {{msg}}        → echo 'hello; rm -rf /'
//	echo "v={{msg}}"    → echo "v=hello; rm -rf \/"  (backslash-escaped " \ $ `)
//	echo 'v={{msg}}'    → echo 'v='"hello; rm -rf /"''
//
// Unresolved references are kept as written (the shell may expand ${HOME}
// itself) and returned.
func ExpandShell(s string, resolve func(Ref) (string, bool)) (string, []Ref) {
	if !HasRefs(s) {
		return s, nil
	}
	var b strings.Builder
	var missing []Ref
	q := quoteState{}
	text := func(t string) {
		q.scan(t)
		b.WriteString(t)
	}
	for _, seg := range segments(s) {
		if seg.ref == nil {
			text(seg.text)
			continue
		}
		v, ok := resolve(*seg.ref)
		if !ok {
			missing = append(missing, *seg.ref)
			text(seg.ref.Text)
			continue
		}
		b.WriteString(q.quote(v))
	}
	return b.String(), missing
}

// segment is literal text (escapes undone) or a reference.
type segment struct {
	text string
	ref  *Ref
}

func segments(s string) []segment {
	var out []segment
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, segment{text: cur.String()})
			cur.Reset()
		}
	}
	walk(s, func(r Ref) {
		flush()
		out = append(out, segment{ref: &r})
	}, &cur)
	flush()
	return out
}

// quoteState follows POSIX shell quoting across literal text.
type quoteState struct {
	single, double, escaped bool
}

func (q *quoteState) scan(t string) {
	for _, c := range t {
		switch {
		case q.escaped:
			q.escaped = false
		case q.single:
			if c == '\'' {
				q.single = false
			}
		case c == '\\':
			q.escaped = true
		case q.double:
			if c == '"' {
				q.double = false
			}
		case c == '\'':
			q.single = true
		case c == '"':
			q.double = true
		}
	}
}

func (q *quoteState) quote(v string) string {
	switch {
	case q.double:
		return doubleEscape(v)
	case q.single:
		return `'"` + doubleEscape(v) + `"'`
	}
	return ShellQuote(v)
}

// ShellJoin writes argv as one command line a person can paste into a
// shell: each word quoted with [ShellQuote].
func ShellJoin(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = ShellQuote(a)
	}
	return strings.Join(words, " ")
}

// ShellQuote quotes v as one shell word.
func ShellQuote(v string) string {
	if v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '=' || r == '@' || r == ',' || r == '+' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return v // nothing the shell would read specially
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func doubleEscape(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
	return r.Replace(v)
}
