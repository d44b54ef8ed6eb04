package machine_test

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPurity holds the machine to what makes it a pure function of its
// events: nothing it depends on runs processes or touches the network or
// a database; its own code imports no os, sync or clock (time only for
// time.Duration values), starts no goroutine, uses no channel, and ranges
// over no map unless the line says why the order cannot show.
func TestPurity(t *testing.T) {
	deps := goList(t, "-deps", "-f", "{{.ImportPath}}", ".")
	for _, bad := range []string{"os/exec", "net", "net/http", "database/sql"} {
		for _, d := range deps {
			if d == bad {
				t.Errorf("machine depends on %s", bad)
			}
		}
	}
	fset := token.NewFileSet()
	files := parseOwnFiles(t, fset)
	for _, f := range files {
		for _, imp := range f.Imports {
			switch p := strings.Trim(imp.Path.Value, `"`); p {
			case "os", "os/exec", "sync", "sync/atomic", "net", "net/http", "database/sql", "math/rand", "math/rand/v2", "crypto/rand", "io/fs", "unsafe":
				t.Errorf("%s imports %s", fset.Position(imp.Pos()), p)
			}
		}
	}
	info := typeCheck(t, fset, files)
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s starts a goroutine", fset.Position(x.Pos()))
			case *ast.SelectStmt, *ast.SendStmt:
				t.Errorf("%s uses a channel", fset.Position(x.Pos()))
			case *ast.ChanType:
				t.Errorf("%s declares a channel", fset.Position(x.Pos()))
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok {
					if pn, ok := info.Uses[id].(*types.PkgName); ok && pn.Imported().Path() == "time" && x.Sel.Name != "Duration" {
						t.Errorf("%s uses time.%s: only time.Duration values may pass through", fset.Position(x.Pos()), x.Sel.Name)
					}
				}
			case *ast.RangeStmt:
				if _, isMap := info.TypeOf(x.X).Underlying().(*types.Map); isMap && !orderFree(fset, x) {
					t.Errorf("%s ranges over a map: iterate in a fixed order, or say // order-free on the line and why", fset.Position(x.Pos()))
				}
			}
			return true
		})
	}
}

// orderFree reports whether the range statement's line says its order
// cannot show.
func orderFree(fset *token.FileSet, r *ast.RangeStmt) bool {
	pos := fset.Position(r.Pos())
	b, err := os.ReadFile(pos.Filename)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for line := 1; sc.Scan(); line++ {
		if line == pos.Line {
			return strings.Contains(sc.Text(), "// order-free")
		}
	}
	return false
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

func parseOwnFiles(t *testing.T, fset *token.FileSet) []*ast.File {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// typeCheck checks the package against its dependencies' export data.
func typeCheck(t *testing.T, fset *token.FileSet, files []*ast.File) *types.Info {
	t.Helper()
	export := map[string]string{}
	lines := goList(t, "-deps", "-export", "-f", "{{.ImportPath}}={{.Export}}", ".")
	for _, l := range lines {
		if path, file, ok := strings.Cut(l, "="); ok && file != "" {
			export[path] = file
		}
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		return os.Open(export[path])
	})
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: imp}
	if _, err := conf.Check("github.com/osopdev/osop/internal/machine", fset, files, info); err != nil {
		t.Fatal(err)
	}
	return info
}
