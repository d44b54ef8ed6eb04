package osop_test

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/osopdev/osop/"

// allowed lists, for each package, the osop packages it may import; the
// direction of the import graph in STYLE.md. A package not listed may
// import any osop package.
var allowed = map[string][]string{
	"internal/diag":           {},
	"internal/ast":            {"internal/diag"},
	"internal/template":       {},
	"internal/expr":           {},
	"internal/shared":         {},
	"internal/graph":          {"internal/ast", "internal/diag"},
	"internal/parse":          {"internal/ast", "internal/diag"},
	"internal/schema":         {"internal/ast", "internal/diag"},
	"internal/format":         {"internal/ast", "internal/diag"},
	"internal/layered":        {},
	"internal/render/picture": {},
	"internal/render":         {"internal/ast", "internal/diag", "internal/graph", "internal/layered", "internal/render/picture"},
	"internal/machine":        {"internal/ast", "internal/diag", "internal/graph", "internal/run"},
	"internal/risk":           {"internal/ast", "internal/diag", "internal/template"},
	"internal/validate":       {"internal/ast", "internal/diag", "internal/graph", "internal/expr", "internal/schema", "internal/template", "internal/parse"},
}

// never lists osop packages a tree of packages must not import: executors
// run nodes and know nothing of the scheduler, the store or the CLI.
var never = map[string][]string{
	"internal/executor":  {"internal/engine", "internal/store", "internal/cli", "internal/runlog"},
	"internal/engine":    {"internal/store", "internal/cli", "internal/runlog"},
	"internal/mcpserver": {"internal/cli"},
}

// heavy lists third-party modules that only one package may import, so
// each large dependency stays behind one door.
var heavy = map[string]string{
	"cel.dev/cel-go":                         "internal/expr",
	"github.com/santhosh-tekuri/jsonschema":  "internal/schema",
	"github.com/go-text/typesetting":         "internal/render/picture",
	"github.com/srwiley/rasterx":             "internal/render/picture",
	"github.com/spf13/cobra":                 "internal/cli",
	"mvdan.cc/sh":                            "internal/template",
	"github.com/anthropics/anthropic-sdk-go": "internal/executor/agent/anthropic",
	"github.com/openai/openai-go":            "internal/executor/agent/openai",
	"github.com/jackc/pgx":                   "internal/executor/db",
}

func TestImportDirections(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		for _, imp := range p.Imports {
			for tree, bad := range never {
				if name != tree && !strings.HasPrefix(name, tree+"/") {
					continue
				}
				for _, b := range bad {
					if imp == module+b {
						t.Errorf("%s imports %s; %s must not", name, b, tree)
					}
				}
			}
			for prefix, owner := range heavy {
				if strings.HasPrefix(imp, prefix) && name != owner {
					t.Errorf("%s imports %s; only %s may", name, imp, owner)
				}
			}
			ok, listed := allowed[name]
			if !listed || !strings.HasPrefix(imp, module) {
				continue
			}
			dep := strings.TrimPrefix(imp, module)
			found := false
			for _, a := range ok {
				found = found || a == dep
			}
			if !found {
				t.Errorf("%s imports %s, against the layering in STYLE.md", name, dep)
			}
		}
	}
}
