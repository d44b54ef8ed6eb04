package secret

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/osopdev/osop/internal/template"
)

// Mask is what a secret value is replaced with.
const Mask = "***"

// MinLen is the fewest characters a secret may have. Masking a value of
// one or two characters would replace ordinary text all through the
// output (every "a", every "42") and protect little: a value that short
// is guessed in a few thousand tries.
const MinLen = 3

// ErrTooShort is the error [Check] returns for a secret shorter than
// [MinLen] characters.
var ErrTooShort = errors.New("too short to mask")

// Check reports whether a secret value can be masked: an empty value
// has nothing to hide, and any other needs at least [MinLen] characters.
func Check(value string) error {
	if n := utf8.RuneCountInString(value); n > 0 && n < MinLen {
		return fmt.Errorf("%w: %d character(s), and a secret needs at least %d: each secret is replaced by %s in all output, and a value this short would replace ordinary text everywhere without hiding anything",
			ErrTooShort, n, MinLen, Mask)
	}
	return nil
}

// pieces returns what is masked for a value: the value itself, and each
// of its lines of at least [MinLen] characters, since output is often
// split into lines. Line numbers start at 1; 0 is the whole value.
func pieces(v string, fn func(piece string, line int)) {
	if v == "" {
		return
	}
	fn(v, 0)
	if !strings.Contains(v, "\n") {
		return
	}
	for i, part := range strings.Split(v, "\n") {
		part = strings.TrimRight(part, "\r")
		if utf8.RuneCountInString(part) >= MinLen && part != v {
			fn(part, i+1)
		}
	}
}

// Masker replaces secret values in strings. The zero value masks nothing;
// it is safe for concurrent use.
type Masker struct {
	mu     sync.RWMutex
	values map[string]bool
	m      *matcher // rebuilt by Add; never changed once built
}

// Add registers values to mask. A value is masked whatever its length
// (callers refuse short ones first, with [Check]); multi-line values are
// also masked line by line.
func (m *Masker) Add(values ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values = map[string]bool{}
	}
	added := false
	for _, v := range values {
		// A value placed in a URL is percent-encoded there: its encoded
		// form is masked too.
		for _, form := range []string{v, template.EscapeURLValue(v)} {
			pieces(form, func(p string, _ int) {
				if !m.values[p] {
					m.values[p] = true
					added = true
				}
			})
		}
	}
	if added {
		m.m = newMatcher(m.values)
	}
}

func (m *Masker) matcher() *matcher {
	if m == nil {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.m
}

// Mask returns s with every secret value replaced. A string that starts
// with … is taken for the tail of a longer text (the engine keeps the end
// of what a command printed): a secret's end right after the … is
// masked too, since the cut may have fallen inside a secret.
func (m *Masker) Mask(s string) string {
	mt := m.matcher()
	if mt == nil || mt.empty() {
		return s
	}
	const cut = "…"
	if rest, ok := strings.CutPrefix(s, cut); ok {
		if n := mt.suffixAt(rest); n > len(mt.at(rest)) {
			return cut + Mask + mt.mask(rest[n:])
		}
	}
	return mt.mask(s)
}

// Any masks every string inside a value made of maps, slices and strings
// (outputs, parsed JSON), returning a copy.
func (m *Masker) Any(v any) any {
	switch x := v.(type) {
	case string:
		return m.Mask(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = m.Any(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = m.Any(val)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, val := range x {
			out[k] = m.Mask(val)
		}
		return out
	}
	return v
}

// Empty reports whether nothing is masked.
func (m *Masker) Empty() bool {
	mt := m.matcher()
	return mt == nil || mt.empty()
}

// matcher finds secret values in text: at each position, the longest
// value that starts there, so a secret that contains another is masked
// whole, and the leftmost match wins.
type matcher struct {
	byFirst [256][]string // the values that start with each byte, longest first
	all     []string      // longest first
}

func newMatcher(values map[string]bool) *matcher {
	mt := &matcher{}
	for v := range values {
		mt.all = append(mt.all, v)
	}
	// Longest first; among values of one length the order does not
	// matter, since two of them cannot both start at one place.
	sort.Slice(mt.all, func(i, j int) bool { return len(mt.all[i]) > len(mt.all[j]) })
	for _, v := range mt.all {
		mt.byFirst[v[0]] = append(mt.byFirst[v[0]], v)
	}
	return mt
}

func (mt *matcher) empty() bool { return len(mt.all) == 0 }

// at returns the longest value that s starts with, or "".
func (mt *matcher) at(s string) string {
	if s == "" {
		return ""
	}
	for _, v := range mt.byFirst[s[0]] {
		if len(v) <= len(s) && s[len(v)-1] == v[len(v)-1] && s[:len(v)] == v {
			return v
		}
	}
	return ""
}

// partial reports whether s is the start of a value longer than s: more
// text may complete it.
func (mt *matcher) partial(s string) bool {
	for _, v := range mt.byFirst[s[0]] {
		if len(v) <= len(s) {
			return false // the rest are shorter still
		}
		if strings.HasPrefix(v, s) {
			return true
		}
	}
	return false
}

// suffixAt returns the length of the longest proper end of a value that
// s starts with, 0 when none does.
func (mt *matcher) suffixAt(s string) int {
	best := 0
	for _, v := range mt.all {
		for k := min(len(v)-1, len(s)); k > best; k-- {
			if strings.HasPrefix(s, v[len(v)-k:]) {
				best = k
				break
			}
		}
	}
	return best
}

// mask returns s with every value replaced; s itself when none occurs.
func (mt *matcher) mask(s string) string {
	out, _, changed := mt.scan(nil, s, true)
	if !changed {
		return s
	}
	return string(out)
}

// scan appends s to dst with every value replaced, and returns how much
// of s it consumed. Unless final, it stops where the rest of s could be
// the start of a value that more text would complete; the caller keeps
// that rest for later. changed reports whether anything was replaced.
//
// It looks for each value with strings.Index, which is fast, and takes
// the leftmost occurrence of any, the longest of those that start there.
func (mt *matcher) scan(dst []byte, s string, final bool) (out []byte, consumed int, changed bool) {
	next := make([]int, len(mt.all)) // where each value next occurs at or after i; -1: nowhere
	for k := range next {
		next[k] = -2 // not looked for yet
	}
	i := 0
	for {
		at, v := -1, ""
		for k, val := range mt.all {
			if next[k] == -1 {
				continue
			}
			if next[k] < i {
				j := strings.Index(s[i:], val)
				if j < 0 {
					next[k] = -1
					continue
				}
				next[k] = i + j
			}
			if at < 0 || next[k] < at { // longest first: a tie keeps the longer
				at, v = next[k], val
			}
		}
		stop := len(s)
		if at >= 0 {
			stop = at
		}
		if !final {
			if p := mt.firstPartial(s, i, stop); p >= 0 {
				return append(dst, s[i:p]...), p, changed
			}
		}
		if at < 0 {
			return append(dst, s[i:]...), len(s), changed
		}
		dst = append(append(dst, s[i:at]...), Mask...)
		i, changed = at+len(v), true
	}
}

// firstPartial returns the first position p in [from, to] at which the
// rest of s is the start of a longer value, or -1.
func (mt *matcher) firstPartial(s string, from, to int) int {
	from = max(from, len(s)-len(mt.all[0])+1)
	for p := from; p <= to && p < len(s); p++ {
		if mt.partial(s[p:]) {
			return p
		}
	}
	return -1
}
