package schema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
)

// publishedVerdictCases are workflows beside the corpus that probe the
// edges of the published schemas: each must get the same verdict from our
// core/full profile as from the published schema.
var publishedVerdictCases = map[string]string{
	"minimal": `
osop_version: "1.0"
id: w
name: W
nodes: [{id: a, type: cli, purpose: p}]
edges: [{from: a, to: a}]
`,
	"extra top-level field": `
osop_version: "1.0"
id: w
name: W
colour: blue
nodes: [{id: a, type: cli, purpose: p}]
edges: [{from: a, to: a}]
`,
	"x- extension": `
osop_version: "1.0"
id: w
name: W
x-team: core
nodes: [{id: a, type: cli, purpose: p}]
edges: [{from: a, to: a, x-note: n}]
`,
	"prose dialect node": `
osop_version: "1.0"
id: w
name: W
nodes: [{id: a, type: cli, name: A, timeout: 10m, retry: {max_attempts: 3}}]
edges: [{from: a, to: a}]
`,
	"extended type": `
osop_version: "2.0"
id: w
name: W
nodes: [{id: a, type: docker, purpose: p}]
edges: [{from: a, to: a, mode: loop}]
`,
	"bad version": `
osop_version: "two"
id: w
name: W
nodes: [{id: a, type: cli, purpose: p}]
edges: []
`,
	"negative retries": `
osop_version: "1.0"
id: w
name: W
nodes: [{id: a, type: cli, purpose: p, retry_policy: {max_retries: -1}}]
edges: [{from: a, to: a}]
`,
	"numeric version": `
osop_version: 1.0
id: w
name: W
nodes: [{id: a, type: api, purpose: p}]
edges: [{from: a, to: a}]
`,
	"io objects": `
osop_version: "1.0"
id: w
name: W
nodes: [{id: a, type: api, purpose: p, outputs: [{name: x, required: true}, y]}]
edges: [{from: a, to: a, condition: "x"}]
`,
	"edge condition alias": `
osop_version: "1.0"
id: w
name: W
nodes: [{id: a, type: cli, purpose: p}]
edges: [{from: a, to: a, mode: conditional, condition: "true"}]
`,
	"approval gate object": `
osop_version: "1.0"
id: w
name: W
nodes: [{id: a, type: human, purpose: p, approval_gate: {required: true, approvers: [x]}}]
edges: [{from: a, to: a}]
`,
	"explain object": `
osop_version: "1.0"
id: w
name: W
nodes: [{id: a, type: human, purpose: p, explain: {why: w, how: h}}]
edges: [{from: a, to: a}]
`,
}

// TestProfilesReproducePublishedVerdicts runs our core and full profiles and
// the published schemas over the corpus, the spec's examples and the cases
// above, and requires the same pass/fail verdict for every file.
func TestProfilesReproducePublishedVerdicts(t *testing.T) {
	specDir := shared.Dir(t, "osop-spec/schema")
	published := map[Profile]*jsonschema.Schema{
		Core: compilePublished(t, filepath.Join(specDir, "osop-core.schema.json")),
		Full: compilePublished(t, filepath.Join(specDir, "osop.schema.json")),
	}
	inputs := map[string][]byte{}
	for name, src := range publishedVerdictCases {
		inputs[name] = []byte(src)
	}
	for _, sub := range []string{"corpus", "osop-spec/examples"} {
		if dir, ok := shared.Lookup(sub); ok {
			for _, f := range shared.Files(t, dir, ".osop", ".osop.yaml") {
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				inputs[f] = src
			}
		}
	}
	passes := map[Profile]int{}
	for name, src := range inputs {
		root, ds := parse.Tree(name, src, parse.DefaultLimits)
		if root == nil {
			t.Fatalf("%s: does not parse: %v", name, ds)
		}
		for p, pub := range published {
			want := pub.Validate(root.Interface()) == nil
			got := Check(name, root, p)
			if (len(got) == 0) != want {
				t.Errorf("%s: profile %s says valid=%v, published schema says valid=%v; ours reported %v",
					name, p, len(got) == 0, want, got)
			}
			if want {
				passes[p]++
			}
		}
	}
	// Both verdicts occur, so the comparison means something.
	for p, n := range passes {
		if n == 0 || n == len(inputs) {
			t.Errorf("profile %s: %d of %d inputs pass; the cases do not exercise both verdicts", p, n, len(inputs))
		}
	}
}

func compilePublished(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheck_messages(t *testing.T) {
	tests := []struct {
		name, src string
		profile   Profile
		want      []string // substrings, one per diagnostic, in order
	}{
		{"missing id", "osop_version: '1.0'\nname: n\nnodes: [{id: a, type: cli}]\n", Default,
			[]string{`1:1: error: the workflow is missing required field "id"`}},
		{"nodes not a list", "osop_version: '1.0'\nid: a\nname: n\nnodes: {a: 1}\n", Default,
			[]string{`4:8: error: nodes is a map; expected a list`}},
		{"retry count kind", "osop_version: '1.0'\nid: a\nname: n\nnodes:\n  - id: b\n    type: cli\n    retry_policy: {max_retries: many}\n", Default,
			[]string{`7:33: error: node "b" retry_policy.max_retries is a string; expected an integer`}},
		{"extra field in core", "osop_version: '1.0'\nid: a\nname: n\nnodes: [{id: b, type: cli}]\nedges: []\nretry_polcy: {}\n", Core,
			[]string{`6:1: error: field "retry_polcy" is not allowed in the workflow by the core schema`}},
		{"type not in core", "osop_version: '1.0'\nid: a\nname: n\nnodes: [{id: b, type: docker}]\nedges: []\n", Core,
			[]string{`4:23: error: node "b" type is "docker"; expected one of "agent", "api", "cli", "human"`}},
		{"inputs wrong kind", "osop_version: '1.0'\nid: a\nname: n\nnodes: [{id: b, type: cli, inputs: 3}]\n", Default,
			[]string{`4:36: error: node "b" inputs is an integer; expected a list or a map`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, ds := parse.Tree("f.osop", []byte(tt.src), parse.DefaultLimits)
			if root == nil {
				t.Fatal(ds)
			}
			got := Check("f.osop", root, tt.profile)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d diagnostics %v, want %d", len(got), got, len(tt.want))
			}
			for i, d := range got {
				if s := d.Error(); !strings.Contains(s, tt.want[i]) {
					t.Errorf("diagnostic %d = %q, want it to contain %q", i, s, tt.want[i])
				}
			}
		})
	}
}

func TestSchemasAreJSON(t *testing.T) {
	// The embedded schemas must also serialise as JSON (for `osop schema --json`).
	for _, p := range []Profile{Default, Core, Full, Log, LogRead, SOP} {
		s, err := get(p)
		if err != nil || s == nil {
			t.Fatalf("%s: %v", p, err)
		}
		src, _ := Source(p)
		root, ds := parse.Tree(string(p), src, parse.DefaultLimits)
		if root == nil {
			t.Fatal(ds)
		}
		if _, err := json.Marshal(root.Interface()); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}
