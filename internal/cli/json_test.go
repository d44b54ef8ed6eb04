package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const shapesFlow = `osop_version: "2.0"
id: shapes
name: Shapes
inputs: [{name: who, type: string, default: world}]
nodes:
  - {id: hello, type: cli, runtime: {command: 'echo "hello ${inputs.who} {{V}}"; echo greeting=hi >> $OSOP_OUTPUT'}, outputs: [greeting]}
  - {id: skipme, type: cli, runtime: {command: "true"}}
  - id: flaky
    type: cli
    runtime: {command: 'if [ ! -f $OSOP_RUN_ID.tried ]; then touch $OSOP_RUN_ID.tried; exit 75; fi'}
    retry_policy: {max_retries: 1, backoff_sec: 0.01}
  - {id: broken, type: cli, runtime: {command: 'echo no >&2; exit 2'}}
  - {id: handle, type: cli, runtime: {command: 'echo handled ${secrets.TOKEN}'}}
  - {id: never, type: cli, runtime: {command: "true"}}
  - {id: ship, type: human, subtype: approval, purpose: Ship it}
edges:
  - {from: hello, to: skipme, mode: conditional, when: "greeting == 'nope'"}
  - {from: hello, to: flaky}
  - {from: flaky, to: broken}
  - {from: broken, to: handle, mode: fallback}
  - {from: broken, to: never}
  - {from: handle, to: ship}
`

const gateFlow = `osop_version: "2.0"
id: gate
name: Gate
nodes:
  - {id: prep, type: cli, runtime: {command: "true"}}
  - {id: check, type: cli, runtime: {command: "test -f fixed"}}
edges: [{from: prep, to: check}]
`

// jsonExempt are the JSON outputs whose keys are not osop's to choose.
var jsonExempt = map[string]string{
	"osop schema --json":   "a JSON Schema document: its keywords are JSON Schema's (additionalProperties, $defs)",
	"osop convert --to":    "the user's own workflow, converted",
	"osop signal --data":   "JSON it reads, not prints",
	"osop run --prices":    "a JSON file it reads, not prints",
	"osop resume --prices": "a JSON file it reads, not prints",
	"osop retry --prices":  "a JSON file it reads, not prints",
}

// TestJSONOutputs runs every JSON output the CLI can produce and checks
// that each key osop chooses is snake_case, and that each output keeps the
// shape its golden file (testdata/json) and docs/json.md describe.
// go test -update rewrites the golden files.
func TestJSONOutputs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "shapes.osop.yaml"), []byte(shapesFlow), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "gate.osop.yaml"), []byte(gateFlow), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "bad.osop.yaml"), []byte("osop_version: \"2.0\"\nid: bad\nnodes:\n  - {id: a, type: clii}\n"), 0o644))
	at := func(args ...string) []string { return append(args, "--workdir", dir) }
	secret := []string{"--secret", "TOKEN=tok-123", "--var", "V=tok-123"}
	outputs := []struct {
		name, flag string // the golden file; the command and flag that ask for it
		args       []string
		code       int
		setup      func()
	}{
		{"events", "osop run --output", at(append([]string{"run", filepath.Join(dir, "shapes.osop.yaml"), "--run-id", "s", "--output", "json", "--auto-approve"}, secret...)...), ExitRecovered, nil},
		{"dry-run", "osop run --output", at(append([]string{"run", filepath.Join(dir, "shapes.osop.yaml"), "--dry-run", "--output", "json"}, secret...)...), ExitOK, nil},
		{"events-failed", "osop run --output", at("run", filepath.Join(dir, "gate.osop.yaml"), "--run-id", "g", "--output", "json"), ExitFailed, nil},
		{"events-resume", "osop resume --output", at("resume", "g", "--output", "json"), ExitOK,
			func() { must(t, os.WriteFile(filepath.Join(dir, "fixed"), nil, 0o644)) }},
		{"events-retry", "osop retry --output", at("retry", "g", "--from", "check", "--output", "json"), ExitOK, nil},
		{"simulate", "osop run --output", at("run", filepath.Join(dir, "shapes.osop.yaml"), "--simulate", "--output", "json"), ExitOK, nil},
		{"runs", "osop runs --output", at("runs", "--output", "json"), ExitOK, nil},
		{"runs-show", "osop runs show --output", at("runs", "show", "s", "--output", "json"), ExitOK, nil},
		{"risk", "osop risk --output", []string{"risk", "--output", "json", filepath.Join(dir, "shapes.osop.yaml")}, ExitOK, nil},
		{"validate", "osop validate --format", []string{"validate", "--format", "json", filepath.Join(dir, "shapes.osop.yaml"),
			filepath.Join(dir, "bad.osop.yaml"), filepath.Join(dir, ".osop", "runs", "s.osoplog.yaml")}, ExitFailed, nil},
	}
	covered := map[string]bool{}
	for _, o := range outputs {
		covered[o.flag] = true
		if o.setup != nil {
			o.setup()
		}
		r := osop(ctx, false, o.args...)
		if r.code != o.code {
			t.Fatalf("%s: exit %d, want %d:\n%s", o.name, r.code, o.code, r.all())
		}
		docs := decodeAll(t, o.name, r.out)
		got := map[string]map[string]bool{}
		for _, d := range docs {
			prefix := ""
			if m, ok := d.(map[string]any); ok && strings.HasPrefix(o.name, "events") {
				prefix = fmt.Sprint(m["event"]) // events: one shape per kind
			}
			walkShape(t, o.name, d, prefix, got)
		}
		compareGolden(t, o.name, renderShape(got))
	}
	for _, flag := range jsonFlags() {
		if !covered[flag] && jsonExempt[flag] == "" {
			t.Errorf("%s can print JSON, and TestJSONOutputs does not check it (add it, or to jsonExempt with why)", flag)
		}
	}
}

// jsonFlags lists "osop CMD --FLAG" for every flag of every command
// whose help says it can print JSON.
func jsonFlags() []string {
	var out []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if strings.Contains(strings.ToLower(f.Usage), "json") || f.Name == "json" {
				out = append(out, c.CommandPath()+" --"+f.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(newFactory(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})))
	sort.Strings(out)
	return out
}

func decodeAll(t *testing.T, name, out string) []any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var docs []any
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", name, err, out)
		}
		docs = append(docs, v)
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no JSON printed", name)
	}
	return docs
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// userKeyed are the objects whose keys are names a user chose.
var userKeyed = map[string]bool{"outputs": true, "vars": true, "inputs": true, "builtins": true}

// walkShape checks every key osop chose and records each path's types.
func walkShape(t *testing.T, name string, v any, path string, shape map[string]map[string]bool) {
	kind := "null"
	switch x := v.(type) {
	case map[string]any:
		kind = "object"
		key := path[strings.LastIndexAny(path, ".]")+1:]
		if !userKeyed[key] {
			for k, val := range x {
				if !snakeCase.MatchString(k) {
					t.Errorf("%s: key %q at %s is not snake_case", name, k, path)
				}
				walkShape(t, name, val, strings.TrimPrefix(path+"."+k, "."), shape)
			}
		}
	case []any:
		kind = "array"
		for _, it := range x {
			walkShape(t, name, it, path+"[]", shape)
		}
	case string:
		kind = "string"
	case float64:
		kind = "number"
	case bool:
		kind = "boolean"
	}
	if shape[path] == nil {
		shape[path] = map[string]bool{}
	}
	shape[path][kind] = true
}

func renderShape(shape map[string]map[string]bool) string {
	var b strings.Builder
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for k := range shape {
			if !yield(k) {
				return
			}
		}
	}) {
		kinds := make([]string, 0, len(shape[p]))
		for k := range shape[p] {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		fmt.Fprintf(&b, "%s: %s\n", firstNonEmpty(p, "(top)"), strings.Join(kinds, "|"))
	}
	return b.String()
}

func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "json", name+".golden")
	if *update {
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/cli -run TestJSONOutputs -update writes it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s: the shape changed (-golden +now); if on purpose, update docs/json.md and run with -update:\n%s", name, d)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
		p, _, _ := strings.Cut(line, ":")
		key := strings.TrimSuffix(p[strings.LastIndex(p, ".")+1:], "[]")
		if key != "(top)" && !bytes.Contains(doc, []byte("`"+key+"`")) {
			t.Errorf("docs/json.md does not document %s (%s)", key, name)
		}
	}
}
