package diag

import (
	"cmp"
	"fmt"
	"slices"
)

// Pos is a 1-based line and column in a source file. Columns count
// characters (runes), as the YAML parser reports them. The zero Pos means
// "no position".
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// IsValid reports whether p points into a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Before reports whether p comes before q.
func (p Pos) Before(q Pos) bool {
	return p.Line < q.Line || (p.Line == q.Line && p.Column < q.Column)
}

// Range is a span of a file. End is exclusive and may equal Start when only
// the start of the span is known.
type Range struct {
	File  string `json:"file"`
	Start Pos    `json:"start"`
	End   Pos    `json:"end"`
}

// IsValid reports whether r names a position.
func (r Range) IsValid() bool { return r.Start.IsValid() }

// String formats r as FILE:LINE:COL, the form editors and terminals link.
func (r Range) String() string {
	if !r.IsValid() {
		return r.File
	}
	return fmt.Sprintf("%s:%d:%d", r.File, r.Start.Line, r.Start.Column)
}

// Severity orders diagnostics from the most to the least serious.
type Severity int

// The severities, most serious first.
const (
	Error Severity = iota
	Warning
	Info
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "info"
	}
}

// MarshalText makes severities readable in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText wrote, so that a program reading
// osop's JSON can decode it into these types.
func (s *Severity) UnmarshalText(b []byte) error {
	for _, c := range []Severity{Error, Warning, Info} {
		if string(b) == c.String() {
			*s = c
			return nil
		}
	}
	return fmt.Errorf("unknown severity %q: want error, warning or info", b)
}

// Diagnostic is one problem (or, at Info, one note) about a file. It is
// data: rendering happens only at the edges, in this package's renderers.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	// Code is the stable rule id, such as "unknown-field".
	Code string `json:"code"`
	// Summary says what is wrong in one line.
	Summary string `json:"summary"`
	// Detail says how to fix it, or where a value could come from.
	Detail string `json:"detail,omitempty"`
	// Subject is the exact token the diagnostic is about.
	Subject Range `json:"subject"`
	// Context is the enclosing node or edge, when there is one.
	Context *Range `json:"context,omitempty"`
}

func (d *Diagnostic) Error() string {
	s := fmt.Sprintf("%s: %s: %s [%s]", d.Subject, d.Severity, d.Summary, d.Code)
	if d.Detail != "" {
		s += "; " + d.Detail
	}
	return s
}

// Diagnostics is a list of diagnostics, usually about one file.
type Diagnostics []*Diagnostic

// Append adds a diagnostic built from its parts and returns the list.
func (ds Diagnostics) Append(sev Severity, code string, at Range, summary, detail string) Diagnostics {
	return append(ds, &Diagnostic{Severity: sev, Code: code, Summary: summary, Detail: detail, Subject: at})
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool { return ds.Count(Error) > 0 }

// Count returns how many diagnostics have severity s.
func (ds Diagnostics) Count(s Severity) int {
	n := 0
	for _, d := range ds {
		if d.Severity == s {
			n++
		}
	}
	return n
}

// Filter returns the diagnostics at least as serious as min.
func (ds Diagnostics) Filter(min Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity <= min {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders diagnostics by file and position, then severity and code, so
// that output is stable whatever order the checks ran in.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b *Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Subject.File, b.Subject.File),
			cmp.Compare(a.Subject.Start.Line, b.Subject.Start.Line),
			cmp.Compare(a.Subject.Start.Column, b.Subject.Start.Column),
			cmp.Compare(a.Severity, b.Severity),
			cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Summary, b.Summary),
		)
	})
}
