package validate

import (
	"testing"

	"github.com/osopdev/osop/internal/parse"
)

// TestShellVariablesInShellNodes: in a node that runs a shell (cli, cicd,
// git), ${NAME} that names nothing in the workflow is the shell's own
// variable and not reported; elsewhere it is an undeclared variable.
func TestShellVariablesInShellNodes(t *testing.T) {
	for _, c := range []struct {
		typ, runtime string
		want         string
	}{
		{"cli", "{command: 'echo ${HOME}'}", ""},
		{"cicd", "{command: 'echo ${HOME}'}", ""},
		{"git", "{command: 'echo ${HOME}'}", ""},
		{"api", "{method: GET, url: 'https://example.com/${HOME}'}", "undeclared-variable"},
	} {
		src := "osop_version: \"1.0\"\nid: t\nname: t\nnodes:\n  - {id: a, type: " + c.typ + ", runtime: " + c.runtime + "}\n"
		doc, ds := parse.Bytes("t.osop.yaml", []byte(src), parse.DefaultLimits)
		ds = append(ds, Document(doc, Options{})...)
		got := ""
		for _, d := range ds { // info notes too: the environment one is a note
			got += d.Code + " "
		}
		if want := c.want; (want == "" && got != "") || (want != "" && got != want+" ") {
			t.Errorf("%s: %q, want %q", c.typ, got, want)
		}
	}
}
