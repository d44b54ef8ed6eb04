package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/osopdev/osop/internal/shared"
)

var update = flag.Bool("update", false, "rewrite testscript files' golden sections")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"osop": func() {
			io := System()
			os.Exit(Main(context.Background(), os.Args[1:], io))
		},
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script: each
// runs the real osop binary and checks its output and exit code. $SHARED
// is ../shared when it exists, for scripts that use the seed or corpus.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Condition: func(cond string) (bool, error) {
			if cond == "shared" {
				_, ok := shared.Lookup("seed")
				return ok, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			if dir, ok := shared.Lookup(""); ok {
				env.Setenv("SHARED", dir)
			}
			env.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}
