package lsp

import (
	"regexp"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// undeclaredName reads the name an undeclared-input or
// undeclared-variable diagnostic is about from its summary, which starts
// with the reference as written: ${inputs.version}, {{REGISTRY}}.
var undeclaredName = regexp.MustCompile(`^(?:\$\{inputs\.|\{\{\s*)([A-Za-z_][\w-]*)`)

// declareAction offers to declare the name a reference needs as a
// workflow input, when the workflow's inputs are a list (or absent).
func (v *view) declareAction(uri string, d Diagnostic, src *diag.Diagnostic) (CodeAction, bool) {
	m := undeclaredName.FindStringSubmatch(src.Summary)
	if m == nil || v.doc == nil || !v.doc.Root.IsMap() || strings.HasSuffix(v.doc.File, ".json") {
		return CodeAction{}, false
	}
	edit, ok := v.declareInput(m[1])
	if !ok {
		return CodeAction{}, false
	}
	return CodeAction{
		Title: "Declare " + m[1] + " as a workflow input", Kind: "quickfix", Diagnostics: []Diagnostic{d},
		Edit: &WorkspaceEdit{Changes: map[string][]TextEdit{uri: {edit}}},
	}, true
}

// declareInput is the edit that adds name to the workflow's inputs.
func (v *view) declareInput(name string) (TextEdit, bool) {
	t := v.text
	at := func(off int, text string) (TextEdit, bool) {
		p := t.positionAt(off)
		return TextEdit{Range: Range{Start: p, End: p}, NewText: text}, true
	}
	f := v.doc.Root.Field("inputs")
	if f == nil {
		nodes := v.doc.Root.Field("nodes")
		if nodes == nil || nodes.KeyRange.Start.Column != 1 {
			return TextEdit{}, false
		}
		start, _ := t.span(nodes.KeyRange)
		return at(start, "inputs: ["+name+"]\n")
	}
	list := f.Value
	if !list.IsList() {
		return TextEdit{}, false // a JSON-Schema map: the user picks the type
	}
	if list.Style == ast.Flow {
		from, _ := t.span(list.Range)
		if n := len(list.Items); n > 0 {
			_, from = t.span(list.Items[n-1].Range)
		}
		i := strings.IndexByte(string(t.src[from:]), ']')
		if i < 0 {
			return TextEdit{}, false
		}
		sep := ", "
		if len(list.Items) == 0 {
			sep = ""
		}
		return at(from+i, sep+name)
	}
	last := list.Items[len(list.Items)-1]
	dash := strings.Repeat(" ", max(last.Range.Start.Column-3, 0))
	item := name
	if last.IsMap() {
		item = "name: " + name
	}
	end := t.lineEnd(t.lines[min(lastLine(last), len(t.lines))-1])
	return at(end, "\n"+dash+"- "+item)
}

// lastLine is the last line (1-based) a value is written on.
func lastLine(v *ast.Value) int {
	switch {
	case v.IsMap() && len(v.Fields) > 0:
		return lastLine(v.Fields[len(v.Fields)-1].Value)
	case v.IsList() && len(v.Items) > 0:
		return lastLine(v.Items[len(v.Items)-1])
	}
	return max(v.Range.End.Line, v.Range.Start.Line)
}
