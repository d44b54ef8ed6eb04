package cli

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/osopdev/osop/internal/shared"
)

var update = flag.Bool("update", false, "rewrite testscript files' golden sections")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"osop": func() {
			ctx, stop := SignalContext()
			code := Main(ctx, os.Args[1:], System())
			stop()
			writeExitFile(code)
			os.Exit(code)
		},
		"osop-mcp-test": mcpTestServer,
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
			switch cond {
			case "shared":
				_, ok := shared.Lookup("seed")
				return ok, nil
			case "pg": // a PostgreSQL server from test/pg.sh
				return os.Getenv("OSOP_TEST_PG_DSN") != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitfor":      cmdWaitFor,
			"httpserve":    cmdHTTPServe,
			"llmserve":     cmdLLMServe,
			"osoplogvalid": cmdOsoplogValid,
			"exitcode":     cmdExitCode,
		},
		Setup: func(env *testscript.Env) error {
			if dir, ok := shared.Lookup(""); ok {
				env.Setenv("SHARED", dir)
			}
			examples, err := filepath.Abs("../../examples")
			if err != nil {
				return err
			}
			env.Setenv("EXAMPLES", examples)
			env.Setenv("NO_COLOR", "1")
			for _, k := range []string{"OSOP_TEST_PG_DSN", "OSOP_TEST_PG_PASSWORD", "OSOP_TEST_PG_ADDR"} {
				env.Setenv(k, os.Getenv(k))
			}
			return nil
		},
	})
}

// patience bounds every wait for a condition in these tests. It is long
// because the machine may be loaded many times over (several -race test
// runs at once); a wait returns as soon as its condition holds.
const patience = 2 * time.Minute

// cmdWaitFor waits (at most patience) until a file exists: waitfor FILE.
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: waitfor FILE")
	}
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("%s did not appear within %v", args[0], patience)
}

// cmdHTTPServe starts an HTTP server on 127.0.0.1 for the rest of the
// script and sets $NAME to its URL: httpserve NAME STATUS BODY, where a
// BODY of @FILE is that file's content. Each request is appended to
// $WORK/NAME.requests.
func cmdHTTPServe(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: httpserve NAME STATUS BODY")
	}
	status, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("status: %v", err)
	}
	body := args[2]
	if name, ok := strings.CutPrefix(body, "@"); ok {
		body = ts.ReadFile(name)
	}
	log := ts.MkAbs(args[0] + ".requests")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.OpenFile(log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			// The request as it came, then each query parameter and
			// header the test cares about decoded, one a line.
			fmt.Fprintf(f, "%s %s\n", r.Method, r.URL.RequestURI())
			for _, k := range slices.Sorted(maps.Keys(r.URL.Query())) {
				fmt.Fprintf(f, "query %s=%q\n", k, r.URL.Query()[k])
			}
			if h := r.Header.Get("X-Test"); h != "" {
				fmt.Fprintf(f, "header X-Test=%q\n", h)
			}
			if b, _ := io.ReadAll(r.Body); len(b) > 0 {
				fmt.Fprintf(f, "body %s\n", b)
			}
			f.Close()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	ts.Defer(srv.Close)
	ts.Setenv(args[0], srv.URL)
}
