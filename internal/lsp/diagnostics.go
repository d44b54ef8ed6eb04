package lsp

import (
	"regexp"
	"strconv"
	"sync"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// toDiagnostics converts what `osop validate` reports (errors and
// warnings; info notes are shown only with --verbose there, and not
// here) to LSP diagnostics.
func toDiagnostics(t *text, ds diag.Diagnostics) []Diagnostic {
	out := []Diagnostic{}
	for _, d := range ds.Filter(diag.Warning) {
		out = append(out, toDiagnostic(t, d))
	}
	return out
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
		out.Data = &fixData{Replace: s}
	}
	return out
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

	occOnce sync.Once
	occ     []occurrence // node ids as written; see occurrences

	actOnce sync.Once
	acts    map[string]string // what each node runs; see actions
}

func newView(doc *ast.Document, src []byte, diags []Diagnostic) *view {
	return &view{doc: doc, text: newText(src), diags: diags}
}

func itoa(n int) string { return strconv.Itoa(n) }

// workflow returns the document's workflow, or nil.
func (v *view) workflow() *ast.Workflow {
	if v == nil || v.doc == nil {
		return nil
	}
	return v.doc.Workflow
}
