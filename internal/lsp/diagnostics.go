package lsp

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/validate"
)

// toDiagnostics converts what `osop validate` reports to LSP
// diagnostics: errors, warnings and the notes it shows without -v
// (validate.ShownNotes: a loop and what bounds it, the CEL an editor
// condition becomes), which editors show quietly.
func toDiagnostics(t *text, ds diag.Diagnostics) ([]Diagnostic, diag.Diagnostics) {
	out := []Diagnostic{}
	var shown diag.Diagnostics
	for _, d := range ds {
		if d.Severity == diag.Info && !validate.ShownNotes[d.Code] {
			continue
		}
		shown = append(shown, d)
		out = append(out, toDiagnostic(t, d))
	}
	return out, shown
}

func toDiagnostic(t *text, d *diag.Diagnostic) Diagnostic {
	sev := SeverityError
	switch d.Severity {
	case diag.Warning:
		sev = SeverityWarning
	case diag.Info:
		sev = SeverityInformation
	}
	msg := d.Summary
	if d.Detail != "" {
		msg += "\n" + d.Detail
	}
	out := Diagnostic{Range: t.rangeOf(d.Subject), Severity: sev, Code: d.Code, Source: "osop", Message: msg}
	if s, ok := suggestion(d); ok {
		if start, end, ok := misspelt(t, d, s); ok {
			out.Data = &fixData{Replace: s, Range: t.lspRange(start, end)}
		}
	}
	return out
}

var quoted = regexp.MustCompile(`"([^"]+)"`)

// misspelt finds the misspelt word inside a diagnostic's subject (all of
// it for a field name or node type; the last part of outputs.node.field
// for an output): of the words the summary quotes, the one written in
// the subject that is nearest the suggestion.
func misspelt(t *text, d *diag.Diagnostic, suggestion string) (start, end int, ok bool) {
	from, to := t.span(d.Subject)
	if to <= from {
		return 0, 0, false
	}
	subject := string(t.src[from:to])
	best := -1
	for _, m := range quoted.FindAllStringSubmatch(d.Summary, -1) {
		w := m[1]
		i := strings.LastIndex(subject, w)
		if i < 0 || w == suggestion {
			continue
		}
		if dist := distance(w, suggestion); best < 0 || dist < best {
			best, start, end = dist, from+i, from+i+len(w)
		}
	}
	return start, end, best >= 0
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// didYouMean matches the validator's suggestion, `did you mean "x"?`.
var didYouMean = regexp.MustCompile(`did you mean "([^"]+)"\?`)

// fixable are the rules whose suggestion replaces the diagnostic's
// subject: a misspelt field, node type, edge mode, node id or output.
var fixable = map[string]bool{
	"unknown-field": true, "unknown-node-type": true, "unknown-edge-mode": true,
	"unknown-node": true, "unknown-output": true,
}

// suggestion is the text that fixes d, when its rule knows one.
func suggestion(d *diag.Diagnostic) (string, bool) {
	if !fixable[d.Code] {
		return "", false
	}
	m := didYouMean.FindStringSubmatch(d.Detail)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// view is the analysis of one version of a document: what completion,
// hover and navigation read. It is never changed once built.
type view struct {
	doc   *ast.Document
	text  *text
	diags []Diagnostic
	raw   diag.Diagnostics // what each of diags was converted from

	occOnce sync.Once
	occ     []occurrence // node ids as written; see occurrences

	actOnce sync.Once
	acts    map[string]string // what each node runs; see actions
}

func newView(doc *ast.Document, src []byte, ds diag.Diagnostics) *view {
	v := &view{doc: doc, text: newText(src)}
	v.diags, v.raw = toDiagnostics(v.text, ds)
	return v
}

func itoa(n int) string { return strconv.Itoa(n) }

// workflow returns the document's workflow, or nil.
func (v *view) workflow() *ast.Workflow {
	if v == nil || v.doc == nil {
		return nil
	}
	return v.doc.Workflow
}
