package cli

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// exitFileEnv names a file the osop test binary writes its exit code to,
// for scripts that check the code of a command run in the background.
const exitFileEnv = "OSOP_TEST_EXIT_FILE"

func writeExitFile(code int) {
	if name := os.Getenv(exitFileEnv); name != "" {
		_ = os.WriteFile(name, []byte(strconv.Itoa(code)+"\n"), 0o644) // a test aid: the script's grep reports a missing file
	}
}

// cmdExitCode runs a program and checks its exact exit code, which
// `! exec` cannot (it accepts any failure): exitcode CODE PROGRAM [ARGS...].
// Its stdout and stderr are kept for the next stdout/stderr checks.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || neg {
		ts.Fatalf("usage: exitcode CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// TestScriptsCheckExitCodes holds the scripts to exact exit codes: a
// failing command runs through exitcode, and one in the background writes
// its code to $OSOP_TEST_EXIT_FILE (or is killed with -KILL, which leaves
// no code).
func TestScriptsCheckExitCodes(t *testing.T) {
	files, err := filepath.Glob("testdata/script/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	bg := regexp.MustCompile(`&(\w+)&\s*$`)
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "-- ") {
				break // the archive's files
			}
			lines = append(lines, sc.Text())
		}
		f.Close()
		exitFile := false
		for i, l := range lines {
			l = strings.TrimSpace(l)
			if v, ok := strings.CutPrefix(l, "env "+exitFileEnv+"="); ok {
				exitFile = v != ""
				continue
			}
			if !strings.HasPrefix(l, "! exec ") {
				continue
			}
			m := bg.FindStringSubmatch(l)
			switch {
			case m == nil:
				t.Errorf("%s:%d: %q accepts any failure: use exitcode CODE …", file, i+1, l)
			case !exitFile && !strings.Contains(strings.Join(lines[i:], "\n"), "kill -KILL "+m[1]):
				t.Errorf("%s:%d: background %q: set %s first and check the code after wait", file, i+1, l, exitFileEnv)
			}
		}
	}
}
