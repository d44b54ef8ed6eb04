package schema

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
)

// osopAdds is every way osop's osoplog schema differs from the published
// one, each listed in docs/records.md. Annotations (description, title,
// $id, $schema, $comment) are not compared.
var osopAdds = []string{
	"added /$defs/nodeRecord/properties/action",
	"added /$defs/nodeRecord/properties/iteration",
	"added /$defs/nodeRecord/properties/x-error-code",
	"added /$defs/nodeRecord/properties/x-node-type",
	"added /$defs/runtime/properties/platform",
	"added /$defs/runtime/properties/version",
	"added /if",
	"added /properties/inputs",
	"added /properties/simulated",
	"added /properties/workflow_file",
	"added /properties/workflow_hash",
	"added /properties/workflow_version",
	"added /then",
	`changed /properties/status/enum: ["COMPLETED","FAILED","TIMEOUT","COST_LIMIT","BLOCKED","DRY_RUN"] → ["COMPLETED","FAILED","TIMEOUT","COST_LIMIT","BLOCKED","DRY_RUN","RUNNING"]`,
	`changed /required: ["osoplog_version","run_id","workflow_id","status","started_at","ended_at","duration_ms"] → ["osoplog_version","run_id","workflow_id","status","started_at"]`,
}

// TestOsoplogIsThePublishedSchemaPlusOsops: `osop schema osoplog` is the
// published schema with the same constraints in the same places, and
// differs only by what osop adds.
func TestOsoplogIsThePublishedSchemaPlusOsops(t *testing.T) {
	dir := shared.Dir(t, "osop-spec")
	src, err := os.ReadFile(filepath.Join(dir, "schema", "osoplog.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var published any
	if err := json.Unmarshal(src, &published); err != nil {
		t.Fatal(err)
	}
	ours, _ := Source(Log)
	var mine any
	if err := yaml.Unmarshal(ours, &mine); err != nil {
		t.Fatal(err)
	}
	got := schemaDiff(constraints(published), constraints(mine), "")
	sort.Strings(got)
	if d := cmp.Diff(osopAdds, got); d != "" {
		t.Errorf("osop's osoplog schema differs from the published one other than by what docs/records.md lists (-listed +found):\n%s", d)
	}
	doc, _ := os.ReadFile(filepath.Join("..", "..", "docs", "records.md"))
	for _, a := range osopAdds {
		p, ok := strings.CutPrefix(a, "added ")
		if name := path.Base(p); ok && strings.Contains(p, "/properties/") && !strings.Contains(string(doc), "`"+name+"`") {
			t.Errorf("docs/records.md does not document %s", name)
		}
	}
}

// TestOsoplogReadAcceptsWhatOsopWrites: the schema `osop validate` reads
// records with is wider than the one osop writes them by.
func TestOsoplogReadAcceptsWhatOsopWrites(t *testing.T) {
	rec := `osoplog_version: "1.0"
run_id: r
workflow_id: w
status: FAILED
started_at: "2026-01-01T00:00:00.000Z"
ended_at: "2026-01-01T00:00:01.000Z"
duration_ms: 1000
node_records:
  - {node_id: a, x-node-type: gateway, status: FAILED, error: "boom", x-error-code: EXIT_CODE, iteration: 1}
`
	root, ds := parse.Tree("r.osoplog.yaml", []byte(rec), parse.DefaultLimits)
	if root == nil {
		t.Fatal(ds)
	}
	for _, p := range []Profile{Log, LogRead} {
		if ds := Check("r.osoplog.yaml", root, p); len(ds) > 0 {
			t.Errorf("%s: %v", p, ds)
		}
	}
	bad := strings.Replace(rec, `"2026-01-01T00:00:01.000Z"`, `"yesterday"`, 1)
	root, _ = parse.Tree("r.osoplog.yaml", []byte(bad), parse.DefaultLimits)
	if ds := Check("r.osoplog.yaml", root, Log); len(ds) != 1 || !strings.Contains(ds[0].Error(), "date-time") {
		t.Errorf("a time that is not a date-time: %v", ds)
	}
}

// constraints returns a schema without its annotations, with numbers as
// float64 whatever the decoder made of them.
func constraints(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			switch k {
			case "description", "title", "$id", "$schema", "$comment":
				continue
			}
			out[k] = constraints(val)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = constraints(val)
		}
		return out
	case int:
		return float64(x)
	}
	return v
}

// schemaDiff lists where b differs from a: keys added or removed, and
// values changed.
func schemaDiff(a, b any, path string) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var out []string
		for k, av := range am {
			bv, ok := bm[k]
			if !ok {
				out = append(out, "removed "+path+"/"+k)
				continue
			}
			out = append(out, schemaDiff(av, bv, path+"/"+k)...)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				out = append(out, "added "+path+"/"+k)
			}
		}
		return out
	}
	if reflect.DeepEqual(a, b) {
		return nil
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return []string{fmt.Sprintf("changed %s: %s → %s", path, ja, jb)}
}
