// Package secret holds secret values for a run and masks them: every
// string that leaves the engine (terminal output, events, the .osoplog,
// the store) passes through [Masker.Mask], which replaces each secret value,
// wherever it appears, with ***.
//
// It imports only the standard library.
package secret

import (
	"sort"
	"strings"
	"sync"
)

// Mask is what a secret value is replaced with.
const Mask = "***"

// minLen is the shortest value masked: masking "1" or "a" would garble
// every line of output and protect nothing.
const minLen = 3

// Masker replaces secret values in strings. The zero value masks nothing;
// it is safe for concurrent use.
type Masker struct {
	mu       sync.RWMutex
	values   map[string]bool
	replacer *strings.Replacer
}

// Add registers values to mask. Multi-line values are also masked line by
// line, since output is often split into lines.
func (m *Masker) Add(values ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.values == nil {
		m.values = map[string]bool{}
	}
	for _, v := range values {
		for _, part := range append([]string{v}, strings.Split(v, "\n")...) {
			part = strings.TrimRight(part, "\r")
			if len(part) >= minLen {
				m.values[part] = true
			}
		}
	}
	// Longest first, so a secret containing another is masked whole.
	vals := make([]string, 0, len(m.values))
	for v := range m.values {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool {
		if len(vals[i]) != len(vals[j]) {
			return len(vals[i]) > len(vals[j])
		}
		return vals[i] < vals[j]
	})
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, Mask)
	}
	m.replacer = strings.NewReplacer(pairs...)
}

// Mask returns s with every secret value replaced.
func (m *Masker) Mask(s string) string {
	if m == nil {
		return s
	}
	m.mu.RLock()
	r := m.replacer
	m.mu.RUnlock()
	if r == nil {
		return s
	}
	return r.Replace(s)
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
	if m == nil {
		return true
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.values) == 0
}
