package lsp_test

import (
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/lsp"
	"github.com/osopdev/osop/internal/lsp/lsptest"
)

const navFlow = `osop_version: "2.0"
id: nav
name: "導航"
nodes:
  - id: build
    type: cli
    purpose: Build the image
    runtime: {command: "make"}
    outputs: [tag]
  - id: ship
    type: cli
    runtime: {command: "push ${outputs.build.tag}"}
    inputs: [tag]
edges:
  - {from: build, to: ship}
  - from: ship
    to: build
    mode: loop
    when: "status('build') == 'failed' && outputs.build.tag != ''"
    max_iterations: 2
`

func pos(t *testing.T, doc, marker string, nth int) lsp.Position {
	t.Helper()
	i := -1
	for range nth + 1 {
		j := strings.Index(doc[i+1:], marker)
		if j < 0 {
			t.Fatalf("%q #%d not in the document", marker, nth)
		}
		i += 1 + j
	}
	line := strings.Count(doc[:i], "\n")
	col := len([]rune(doc[strings.LastIndex(doc[:i], "\n")+1 : i]))
	return lsp.Position{Line: line, Character: col}
}

func params(uri string, p lsp.Position) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": p}
}

func TestNavigation(t *testing.T) {
	t.Parallel()
	actions := func(doc *ast.Document) map[string]string { return map[string]string{"build": "sh -c make"} }
	c := lsptest.Start(t, lsp.Options{Check: check, Actions: actions})
	uri := "file:///tmp/nav.osop.yaml"
	c.Open(uri, navFlow)
	c.Diagnostics(uri, 1)
	defPos := pos(t, navFlow, "build", 0)

	t.Run("definition from an edge", func(t *testing.T) {
		var locs []lsp.Location
		c.Call("textDocument/definition", params(uri, pos(t, navFlow, "build", 3)), &locs)
		if len(locs) != 1 || locs[0].Range.Start != defPos {
			t.Errorf("definition = %+v, want the id at %+v", locs, defPos)
		}
	})
	t.Run("references", func(t *testing.T) {
		var locs []lsp.Location
		p := params(uri, defPos)
		p["context"] = map[string]any{"includeDeclaration": true}
		c.Call("textDocument/references", p, &locs)
		// id, ${outputs.build.tag}, from: build, to: build, status('build'), outputs.build.tag
		if len(locs) != 6 {
			t.Errorf("%d references, want 6: %+v", len(locs), locs)
		}
	})
	t.Run("rename", func(t *testing.T) {
		var edit lsp.WorkspaceEdit
		c.Call("textDocument/rename", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": defPos, "newName": "compile"}, &edit)
		got := apply(navFlow, edit.Changes[uri])
		want := strings.NewReplacer("id: build", "id: compile", "outputs.build", "outputs.compile", "from: build", "from: compile",
			"to: build", "to: compile", "status('build')", "status('compile')").Replace(navFlow)
		if got != want {
			t.Errorf("after rename:\n%s\nwant:\n%s", got, want)
		}
		if err := c.TryCall("textDocument/rename", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": defPos, "newName": "ship"}, nil); err == nil {
			t.Error("renaming onto an existing id succeeded")
		}
	})
	t.Run("hover node", func(t *testing.T) {
		var h lsp.Hover
		c.Call("textDocument/hover", params(uri, pos(t, navFlow, "build", 2)), &h)
		for _, want := range []string{"**build** · `cli`", "Build the image", "outputs: `tag`", "sh -c make"} {
			if !strings.Contains(h.Contents.Value, want) {
				t.Errorf("hover lacks %q:\n%s", want, h.Contents.Value)
			}
		}
	})
	t.Run("hover field", func(t *testing.T) {
		var h lsp.Hover
		c.Call("textDocument/hover", params(uri, pos(t, navFlow, "max_iterations", 0)), &h)
		if !strings.Contains(h.Contents.Value, "**max_iterations** — edge field") {
			t.Errorf("field hover:\n%s", h.Contents.Value)
		}
	})
	t.Run("symbols", func(t *testing.T) {
		var syms []lsp.DocumentSymbol
		c.Call("textDocument/documentSymbol", map[string]any{"textDocument": map[string]any{"uri": uri}}, &syms)
		if len(syms) != 2 || len(syms[0].Children) != 2 || syms[0].Children[1].Name != "ship" || len(syms[1].Children) != 2 {
			t.Errorf("symbols = %+v", syms)
		}
	})
}

// apply applies edits (which do not overlap) to a document, counting
// columns in UTF-16 units.
func apply(doc string, edits []lsp.TextEdit) string {
	lines := strings.SplitAfter(doc, "\n")
	offset := func(p lsp.Position) int {
		n := 0
		for _, l := range lines[:p.Line] {
			n += len(l)
		}
		units := utf16.Encode([]rune(lines[p.Line]))
		return n + len(string(utf16.Decode(units[:p.Character])))
	}
	sort.Slice(edits, func(i, j int) bool { return offset(edits[i].Range.Start) > offset(edits[j].Range.Start) })
	for _, e := range edits {
		doc = doc[:offset(e.Range.Start)] + e.NewText + doc[offset(e.Range.End):]
	}
	return doc
}

func TestCodeActions(t *testing.T) {
	t.Parallel()
	c := lsptest.Start(t, lsp.Options{Check: check})
	uri := "file:///tmp/fix.osop.yaml"
	doc := broken + "  - {from: build, to: ship, when: \"outputs.biuld.x == 1\"}\n"
	c.Open(uri, doc)
	c.Diagnostics(uri, 1)
	var acts []lsp.CodeAction
	whole := lsp.Range{End: lsp.Position{Line: 99}}
	c.Call("textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": uri}, "range": whole,
		"context": map[string]any{"diagnostics": []any{}}}, &acts)
	var edits []lsp.TextEdit
	titles := map[string]bool{}
	for _, a := range acts {
		titles[a.Title] = true
		edits = append(edits, a.Edit.Changes[uri]...)
	}
	for _, want := range []string{`Change to "purpose"`, `Change to "docker"`, `Change to "ship"`, `Change to "build"`} {
		if !titles[want] {
			t.Errorf("no %q action; got %v", want, titles)
		}
	}
	fixed := apply(doc, edits)
	c.Replace(uri, 2, fixed)
	if p := c.Diagnostics(uri, 2); len(p.Diagnostics) != 0 {
		t.Errorf("after the fixes:\n%s\nstill %+v", fixed, p.Diagnostics)
	}
}

func TestHover_references(t *testing.T) {
	t.Parallel()
	doc := `osop_version: "2.0"
id: refs
name: 參考
inputs:
  - {name: version, type: string, default: "1.0"}
variables: {REGION: eu}
nodes:
  - id: build
    type: cli
    runtime: {command: "make ${inputs.version} {{REGION}} {{GIT_SHA}}"}
    outputs: [tag]
  - id: ship
    type: cli
    runtime: {command: "push {{tag}}"}
edges:
  - {from: build, to: ship}
`
	c := lsptest.Start(t, lsp.Options{Check: check})
	uri := "file:///tmp/refs.osop.yaml"
	c.Open(uri, doc)
	tests := []struct{ marker, want string }{
		{"inputs.version", "workflow input, declared on line 5"},
		{"REGION}}", "workflow variable"},
		{"GIT_SHA", "set by osop at run time"},
		{"tag}}", "output of `build`"},
	}
	for _, tt := range tests {
		var h lsp.Hover
		c.Call("textDocument/hover", params(uri, pos(t, doc, tt.marker, 0)), &h)
		if !strings.Contains(h.Contents.Value, tt.want) {
			t.Errorf("hover on %s = %q, want %q in it", tt.marker, h.Contents.Value, tt.want)
		}
	}
}
