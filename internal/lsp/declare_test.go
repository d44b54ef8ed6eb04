package lsp_test

import (
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/lsp"
	"github.com/osopdev/osop/internal/lsp/lsptest"
)

// An undeclared ${inputs.x} or {{X}} is fixed by declaring it, whatever
// shape the workflow's inputs have; the fixed file checks clean.
func TestCodeActions_declareInput(t *testing.T) {
	t.Parallel()
	const body = `nodes:
  - id: a
    type: cli
    runtime: {command: "deploy ${inputs.version} {{REGISTRY}}"}
`
	head := "osop_version: \"2.0\"\nid: d\nname: 宣告\n"
	tests := []struct{ name, inputs string }{
		{"no inputs", ""},
		{"flow list", "inputs: [env]\n"},
		{"empty flow list", "inputs: []\n"},
		{"block list", "inputs:\n  - env\n"},
		{"list of maps", "inputs:\n  - name: env\n    type: string\n"},
	}
	c := lsptest.Start(t, lsp.Options{Check: check})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uri := "file:///tmp/declare" + string(rune('a'+i)) + ".osop.yaml"
			doc := head + tt.inputs + body
			for version := 1; version <= 3; version++ {
				if version == 1 {
					c.Open(uri, doc)
				} else {
					c.Replace(uri, version, doc)
				}
				p := c.Diagnostics(uri, version)
				if len(p.Diagnostics) == 0 {
					if version == 1 {
						t.Fatal("no diagnostics for the undeclared references")
					}
					return
				}
				var acts []lsp.CodeAction
				c.Call("textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": uri},
					"range": p.Diagnostics[0].Range, "context": map[string]any{"diagnostics": []any{}}}, &acts)
				var edit []lsp.TextEdit
				for _, a := range acts {
					if strings.HasPrefix(a.Title, "Declare ") {
						edit = a.Edit.Changes[uri]
					}
				}
				if edit == nil {
					t.Fatalf("no declare action for %+v in %+v", p.Diagnostics[0], acts)
				}
				doc = apply(doc, edit)
			}
			t.Errorf("still not clean after two fixes:\n%s", doc)
		})
	}
}
