package lsp_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/osopdev/osop/internal/lsp"
	"github.com/osopdev/osop/internal/lsp/lsptest"
)

const flow = `osop_version: "2.0"
id: demo
name: "建置與部署"
inputs: [version]
nodes:
  - id: build
    type: cli
    runtime: {command: "make"}
    outputs: [tag]
  - id: ship
    type: docker
    outputs: [url]
  - id: tell
    type: api
edges:
  - {from: build, to: ship}
  - {from: ship, to: tell}
`

// at splits a document at its | cursor mark.
func at(doc string) (string, lsp.Position) {
	i := strings.Index(doc, "|")
	before := doc[:i]
	line := strings.Count(before, "\n")
	last := before[strings.LastIndex(before, "\n")+1:]
	return doc[:i] + doc[i+1:], lsp.Position{Line: line, Character: len(utf16.Encode([]rune(last)))}
}

func complete(t *testing.T, c *lsptest.Client, uri, doc string) ([]lsp.CompletionItem, lsp.Position) {
	t.Helper()
	text, pos := at(doc)
	c.Open(uri, text)
	var list struct {
		Items []lsp.CompletionItem `json:"items"`
	}
	c.Call("textDocument/completion", map[string]any{"textDocument": map[string]any{"uri": uri}, "position": pos}, &list)
	return list.Items, pos
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	c := lsptest.Start(t, lsp.Options{Check: check})
	tests := []struct {
		name    string
		doc     string
		want    []string
		notWant []string
	}{
		{"top-level key", flow + "own|\n", []string{"owner", "description", "timeout_sec"}, []string{"id", "nodes", "from"}},
		{"node field", strings.Replace(flow, "    type: api\n", "    type: api\n    pur|\n", 1), []string{"purpose", "runtime", "retry_policy"}, []string{"id", "type", "from"}},
		{"new node line", strings.Replace(flow, "edges:\n", "  - |\nedges:\n", 1), []string{"id", "type", "purpose"}, []string{"from"}},
		{"edge field", flow + "  - from: build\n    |\n", []string{"to", "mode", "when"}, []string{"from", "purpose"}},
		{"node type", strings.Replace(flow, "    type: api\n", "    type: do|\n", 1), []string{"docker", "agent", "cli", "human"}, []string{"loop"}},
		{"edge mode", flow + "  - from: build\n    mode: |\n", []string{"loop", "conditional", "parallel"}, []string{"docker"}},
		{"from", flow + "  - from: |\n", []string{"build", "ship", "tell"}, nil},
		{"to", flow + "  - {from: build, to: |}\n", []string{"build", "ship", "tell"}, nil},
		{"when", flow + "  - from: build\n    to: tell\n    mode: conditional\n    when: |\n", []string{"size", "status", "exists", "outputs.build.tag", "inputs.version"}, []string{"_+_"}},
		{"reference downstream", strings.Replace(flow, "    type: api\n", "    type: api\n    runtime: {url: \"${|\n", 1), []string{"outputs.build.tag", "outputs.ship.url", "inputs.version", "metadata.run_id"}, []string{"outputs.tell.x"}},
		{"reference upstream only", strings.Replace(flow, "    runtime: {command: \"make\"}\n", "    runtime: {command: \"make {{|\n", 1), []string{"inputs.version", "GIT_SHA"}, []string{"outputs.ship.url", "outputs.build.tag"}},
		{"node inputs", strings.Replace(flow, "    type: api\n", "    type: api\n    inputs:\n      - |\n", 1), []string{"url", "tag"}, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, _ := complete(t, c, "file:///tmp/c"+string(rune('a'+i))+".osop.yaml", tt.doc)
			var labels []string
			for _, it := range items {
				labels = append(labels, it.Label)
			}
			for _, w := range tt.want {
				if !slices.Contains(labels, w) {
					t.Errorf("completion lacks %q; got %v", w, labels)
				}
			}
			for _, w := range tt.notWant {
				if slices.Contains(labels, w) {
					t.Errorf("completion offers %q", w)
				}
			}
		})
	}
}

// The replaced word starts after CJK text at the right UTF-16 column.
func TestCompletion_rangeAfterCJK(t *testing.T) {
	t.Parallel()
	c := lsptest.Start(t, lsp.Options{Check: check})
	doc := strings.Replace(flow, "    type: api\n", "    type: api\n    runtime: {url: \"建置🚀 ${inputs.ver|\n", 1)
	items, pos := complete(t, c, "file:///tmp/cjk.osop.yaml", doc)
	for _, it := range items {
		if it.Label != "inputs.version" {
			continue
		}
		want := lsp.Range{Start: lsp.Position{Line: pos.Line, Character: pos.Character - len("inputs.ver")}, End: pos}
		if it.TextEdit == nil || it.TextEdit.Range != want {
			t.Errorf("textEdit = %+v, want range %+v", it.TextEdit, want)
		}
		return
	}
	t.Errorf("no inputs.version completion in %+v", items)
}
