package secret

import (
	"fmt"
	"sort"
	"strings"
)

// Segment is a piece of a text cut by [Split]: plain text, or the place
// of a secret, named.
type Segment struct {
	Text string // plain text; empty where a secret stands
	Name string
	// Line is 0 where the whole value stands, n where only its nth line
	// does (lines of multi-line secrets are masked on their own).
	Line int `json:"line,omitempty"`
}

// Split cuts s where the named secrets stand, exactly where [Masker.Mask]
// would mask them, so that s can be kept without them (for instance a
// --var whose value is a token) and put together again by [Join]. A text
// with no secret in it is one plain segment.
func Split(s string, secrets map[string]string) []Segment {
	where := map[string]Segment{}
	values := map[string]bool{}
	names := make([]string, 0, len(secrets))
	for n := range secrets {
		names = append(names, n)
	}
	sort.Strings(names) // a value two names share goes to the first
	for _, n := range names {
		pieces(secrets[n], func(p string, line int) {
			if _, ok := where[p]; !ok || (line == 0 && where[p].Line != 0) {
				where[p] = Segment{Name: n, Line: line}
			}
			values[p] = true
		})
	}
	if len(values) == 0 {
		return []Segment{{Text: s}}
	}
	mt := newMatcher(values)
	var out []Segment
	var text strings.Builder
	for i := 0; i < len(s); {
		if v := mt.at(s[i:]); v != "" {
			if text.Len() > 0 {
				out = append(out, Segment{Text: text.String()})
				text.Reset()
			}
			out = append(out, where[v])
			i += len(v)
			continue
		}
		text.WriteByte(s[i])
		i++
	}
	if text.Len() > 0 || len(out) == 0 {
		out = append(out, Segment{Text: text.String()})
	}
	return out
}

// HasSecret reports whether any segment is a secret's place.
func HasSecret(segs []Segment) bool {
	for _, s := range segs {
		if s.Name != "" {
			return true
		}
	}
	return false
}

// Join puts a text cut by [Split] together again with the secrets' values
// as they are now. It fails when a named secret is not given.
func Join(segs []Segment, secrets map[string]string) (string, error) {
	var b strings.Builder
	for _, s := range segs {
		if s.Name == "" {
			b.WriteString(s.Text)
			continue
		}
		v, ok := secrets[s.Name]
		if !ok {
			return "", fmt.Errorf("secret %s is not given", s.Name)
		}
		if s.Line > 0 {
			lines := strings.Split(v, "\n")
			if s.Line > len(lines) {
				return "", fmt.Errorf("secret %s has no line %d now", s.Name, s.Line)
			}
			v = strings.TrimRight(lines[s.Line-1], "\r")
		}
		b.WriteString(v)
	}
	return b.String(), nil
}
