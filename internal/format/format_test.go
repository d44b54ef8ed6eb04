package format

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
)

const sample = `# Deploy pipeline
edges:
  - mode: sequential # the happy path
    to: b
    from: a
nodes:
  - runtime: {command: "echo 'hi'"}
    type: "cli"
    id: "a"
    # b runs after a
  - {type: cli, id: b, outputs: ["x", "y"]}
name: "Demo 建置"
id: demo
osop_version: "2.0"
`

const sampleFormatted = `# Deploy pipeline
osop_version: "2.0"
id: demo
name: Demo 建置
nodes:
  - id: a
    type: cli
    runtime: {command: echo 'hi'}
    # b runs after a
  - id: b
    type: cli
    outputs: [x, y]
edges:
  - from: a
    to: b
    mode: sequential # the happy path
`

func TestYAML(t *testing.T) {
	got, err := YAML([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != sampleFormatted {
		t.Errorf("got:\n%s\nwant:\n%s", got, sampleFormatted)
	}
}

// TestCorpusRoundTrip formats every file of the corpus and checks that
// formatting changes no value, keeps every comment, and is idempotent; and
// that YAML → JSON → YAML changes no value.
func TestCorpusRoundTrip(t *testing.T) {
	var files []string
	for _, sub := range []string{"corpus", "osop-spec/examples", "seed"} {
		files = append(files, shared.Files(t, shared.Dir(t, sub), parse.Extensions...)...)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out, err := YAML(src)
			if err != nil {
				t.Fatal(err)
			}
			checkSameValues(t, "fmt", src, out)
			if again, _ := YAML(out); string(again) != string(out) {
				t.Errorf("formatting is not idempotent")
			}
			if a, b := comments(t, src), comments(t, out); !reflect.DeepEqual(a, b) {
				t.Errorf("comments changed:\n%q\n%q", a, b)
			}
			root, _ := parse.Tree(f, src, parse.DefaultLimits)
			js, err := JSON(root)
			if err != nil {
				t.Fatal(err)
			}
			checkSameValues(t, "json", src, js)
			back, err := ToYAML(js)
			if err != nil {
				t.Fatal(err)
			}
			checkSameValues(t, "json→yaml", src, back)
		})
	}
}

func checkSameValues(t *testing.T, what string, a, b []byte) {
	t.Helper()
	ra, da := parse.Tree("a", a, parse.DefaultLimits)
	rb, db := parse.Tree("b", b, parse.DefaultLimits)
	if ra == nil || rb == nil {
		t.Fatalf("%s: %v %v", what, da, db)
	}
	if !reflect.DeepEqual(ra.Interface(), rb.Interface()) {
		t.Errorf("%s changed the document's values:\n%s", what, b)
	}
}

// comments collects every comment in a document, sorted.
func comments(t *testing.T, src []byte) []string {
	var n yaml.Node
	if err := yaml.Unmarshal(src, &n); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			for _, l := range strings.Split(c, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&n)
	sort.Strings(out)
	return out
}
