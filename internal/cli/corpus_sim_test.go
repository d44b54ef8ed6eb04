package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
)

// minSimulated is how many files of the corpus and the specification's
// examples osop run --dry-run accepts, at least: fewer means a change
// refused files it used to run.
const minSimulated = 20

// TestCorpus_simulate runs, for every workflow of the public corpus and
// the specification's examples that osop run --dry-run accepts, osop run
// --simulate: each must complete (exit 0, or 3 where a failure path
// handled a failure), or, where a condition reads a name nothing in the
// file gives, refuse before anything runs, naming the values to pass
// (osop never guesses a value a condition decides on). The files dry-run
// refuses are skipped, and listed with the reason (the first error).
func TestCorpus_simulate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the corpus")
	}
	var files []string
	for _, sub := range []string{"corpus", "osop-spec/examples"} {
		dir := shared.Dir(t, sub)
		files = append(files, shared.Files(t, dir, parse.Extensions...)...)
	}
	base := filepath.Dir(shared.Dir(t, "corpus"))
	var skipped, needValues []string
	simulated := 0
	for _, f := range files {
		rel, _ := filepath.Rel(base, f)
		if strings.HasSuffix(f, ".osoplog.yaml") || strings.HasSuffix(f, ".osoplog") {
			continue // an execution record, not a workflow
		}
		dir := t.TempDir()
		code, out := runMain(t, "run", "--dry-run", "--workdir", dir, f)
		if code != 0 {
			skipped = append(skipped, rel+": "+firstError(out))
			continue
		}
		simulated++
		t.Run(rel, func(t *testing.T) {
			code, out := runMain(t, "run", "--simulate", "--workdir", dir, f)
			if code == ExitUsage && strings.Contains(out, "[missing-input]") && strings.Contains(out, "nothing was run") {
				needValues = append(needValues, rel)
				return
			}
			if code != ExitOK && code != ExitRecovered {
				t.Errorf("osop run --simulate %s: exit %d, want 0 or 3\n%s", rel, code, out)
			}
		})
	}
	sort.Strings(skipped)
	t.Logf("%d of %d workflows simulated; dry-run refuses %d:\n  %s", simulated, simulated+len(skipped), len(skipped),
		strings.Join(skipped, "\n  "))
	t.Logf("%d need values for names their conditions read (--input or a terminal):\n  %s", len(needValues),
		strings.Join(needValues, "\n  "))
	if simulated-len(needValues) < minSimulated {
		t.Errorf("only %d workflows simulated to their end, want at least %d", simulated-len(needValues), minSimulated)
	}
	if simulated < minSimulated {
		t.Errorf("only %d workflows are accepted by osop run --dry-run, want at least %d", simulated, minSimulated)
	}
}

// runMain runs osop in process, with no terminal, and returns its exit
// code and everything it printed.
func runMain(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}
	code := Main(context.Background(), args, ios)
	return code, out.String()
}

// firstError is the first diagnostic or error line of osop's output.
func firstError(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "error:") || strings.HasPrefix(l, "osop:") {
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(out)
}
