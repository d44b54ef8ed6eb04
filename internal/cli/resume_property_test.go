package cli

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/store"
)

// dag is a random workflow of cli nodes, each appending its id to the
// file effects when it succeeds.
type dag struct {
	src     string
	nodes   []string
	failing string              // fails until the file fixed exists ("" for none)
	deps    map[string][]string // node -> the nodes it follows
}

// randomDAG builds chains, diamonds, fan-out and fan-in, with parallel,
// conditional and fallback edges and joins that wait for any.
func randomDAG(r *rand.Rand, withFailure bool) dag {
	n := 3 + r.IntN(7)
	d := dag{deps: map[string][]string{}}
	var nodes, edges []string
	failAt := -1
	if withFailure {
		failAt = 1 + r.IntN(n-1)
	}
	for i := range n {
		id := fmt.Sprintf("n%d", i)
		d.nodes = append(d.nodes, id)
		okVal := r.IntN(4) != 0
		cmd := fmt.Sprintf(`sleep 0.0%d; echo $$ >> pids; echo %s >> effects; echo ok=%v >> $OSOP_OUTPUT`, r.IntN(10), id, okVal)
		if i == failAt {
			d.failing = id
			cmd = "test -f fixed || exit 1; " + cmd
		}
		nodes = append(nodes, fmt.Sprintf("  - {id: %s, type: cli, runtime: {command: '%s'}, outputs: {ok: {type: boolean}}}", id, cmd))
		if i == 0 {
			continue
		}
		preds := []int{r.IntN(i)}
		if q := r.IntN(i); i > 1 && q != preds[0] && r.IntN(2) == 0 {
			preds = append(preds, q)
		}
		for k, p := range preds {
			from := fmt.Sprintf("n%d", p)
			d.deps[id] = append(d.deps[id], from)
			join := ""
			if k == 0 && len(preds) > 1 && r.IntN(3) == 0 {
				join = ", join_mode: wait_any"
			}
			mode := []string{"sequential", "parallel", "conditional"}[r.IntN(3)]
			when := ""
			if mode == "conditional" {
				when = `, when: "ok"`
			}
			edges = append(edges, fmt.Sprintf("  - {from: %s, to: %s, mode: %s%s%s}", from, id, mode, when, join))
		}
		if i != failAt && r.IntN(4) == 0 {
			h := "h" + id
			d.nodes = append(d.nodes, h)
			d.deps[h] = []string{id}
			nodes = append(nodes, fmt.Sprintf("  - {id: %s, type: cli, runtime: {command: 'echo %s >> effects'}}", h, h))
			edges = append(edges, fmt.Sprintf("  - {from: %s, to: %s, mode: fallback}", id, h))
		}
	}
	d.src = "osop_version: \"2.0\"\nid: dag\nname: DAG\nnodes:\n" + strings.Join(nodes, "\n") + "\nedges:\n" + strings.Join(edges, "\n") + "\n"
	return d
}

// descendants returns node and every node after it.
func (d dag) descendants(node string) map[string]bool {
	out := map[string]bool{node: true}
	for changed := true; changed; {
		changed = false
		for _, n := range d.nodes {
			for _, p := range d.deps[n] {
				if out[p] && !out[n] {
					out[n], changed = true, true
				}
			}
		}
	}
	return out
}

// osopIn runs the osop binary (testscript.Main put it on $PATH) in dir
// and returns its exit code.
func osopIn(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "osop", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	case err != nil:
		t.Fatalf("osop %v: %v", args, err)
	}
	return 0, string(out)
}

// effects counts each node's side effects.
func effects(t *testing.T, dir string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "effects"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, l := range strings.Fields(string(b)) {
		out[l]++
	}
	return out
}

// recorded reads the store: each node's final status, and how many
// attempts of it started.
func recorded(t *testing.T, dir string, id run.ID) (map[string]run.Status, map[string]int) {
	t.Helper()
	st, err := store.Open(filepath.Join(dir, ".osop", "osop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	as, err := st.Attempts(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	status, started := map[string]run.Status{}, map[string]int{}
	for _, a := range as {
		if a.Attempt == 0 {
			if status[a.NodeID] == "" {
				status[a.NodeID] = a.Status
			}
			continue
		}
		started[a.NodeID]++
		if status[a.NodeID] != run.Completed {
			status[a.NodeID] = a.Status
		}
	}
	return status, started
}

// TestResumeProperty runs random workflows with the real binary: one node
// fails until it is fixed, or osop is killed with SIGKILL at a random
// point; then osop resume. A node recorded as completed never runs again
// (its side effect happened exactly once); what runs again runs once per
// new attempt; nothing a killed osop started outlives it; the run
// completes. Then retry --from a random node runs exactly that node and
// what follows it.
func TestResumeProperty(t *testing.T) {
	if _, err := exec.LookPath("osop"); err != nil {
		t.Skip("the osop binary is not on PATH")
	}
	rounds := 8
	if testing.Short() {
		rounds = 3
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	for round := range rounds {
		began := time.Now()
		r := rand.New(rand.NewPCG(seed, uint64(round)))
		kill := round%2 == 1
		d := randomDAG(r, !kill)
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "dag.osop.yaml"), []byte(d.src), 0o644); err != nil {
			t.Fatal(err)
		}
		id := run.ID(fmt.Sprintf("p%d", round))
		var before map[string]run.Status
		if kill {
			before = killAtRandom(t, r, dir, id, len(d.nodes))
		} else {
			code, out := osopIn(t, dir, "run", "--run-id", string(id), "dag.osop.yaml")
			before, _ = recorded(t, dir, id)
			// A condition may skip the failing node: then the run completes.
			if want := ExitFailed; before[d.failing] == run.Skipped {
				want = ExitOK
			} else if code != want {
				t.Fatalf("round %d: the failing run exited %d, want %d:\n%s\n%s", round, code, want, out, d.src)
			}
			if err := os.WriteFile(filepath.Join(dir, "fixed"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		code, out := osopIn(t, dir, "resume", string(id))
		if code != ExitOK {
			t.Fatalf("round %d: resume exited %d, want 0:\n%s\n%s", round, code, out, d.src)
		}
		after, started := recorded(t, dir, id)
		got := effects(t, dir)
		for _, n := range d.nodes {
			switch {
			case before[n] == run.Completed && got[n] != 1:
				t.Errorf("round %d: %s completed before resume; its side effect happened %d times\n%s", round, n, got[n], d.src)
			case after[n] == run.Completed && (got[n] < 1 || got[n] > started[n]):
				t.Errorf("round %d: %s: %d side effects for %d attempts\n%s\n%s", round, n, got[n], started[n], d.src, out)
			case after[n] != run.Completed && got[n] != 0:
				t.Errorf("round %d: %s is %s but has %d side effects", round, n, after[n], got[n])
			}
		}
		t.Logf("round %d (kill %v): %d nodes, %s", round, kill, len(d.nodes), time.Since(began).Round(time.Millisecond))
		checkRetry(t, r, round, d, dir, id, after, got)
	}
}

// checkRetry runs retry --from a random completed node: exactly that node
// and what follows it run again, once.
func checkRetry(t *testing.T, r *rand.Rand, round int, d dag, dir string, id run.ID, after map[string]run.Status, got map[string]int) {
	t.Helper()
	from := d.nodes[r.IntN(len(d.nodes))]
	if after[from] != run.Completed {
		return
	}
	code, out := osopIn(t, dir, "retry", string(id), "--from", from)
	if code != ExitOK {
		t.Fatalf("round %d: retry --from %s exited %d:\n%s", round, from, code, out)
	}
	again := effects(t, dir)
	follows := d.descendants(from)
	final, _ := recorded(t, dir, id)
	for _, n := range d.nodes {
		want := got[n]
		if follows[n] && final[n] == run.Completed {
			want++
		}
		if again[n] != want {
			t.Errorf("round %d: retry --from %s: %s ran %d more times, want %d\n%s", round, from, n, again[n]-got[n], want-got[n], d.src)
		}
	}
}

// killAtRandom starts a run and kills osop with SIGKILL once a random
// number of nodes has had its side effect, checks that no process the run
// started survives, and returns what the store recorded as done.
func killAtRandom(t *testing.T, r *rand.Rand, dir string, id run.ID, n int) map[string]run.Status {
	t.Helper()
	cmd := exec.Command("osop", "run", "--run-id", string(id), "dag.osop.yaml")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	want := 1 + r.IntN(max(n-1, 1))
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(2 * time.Millisecond) {
		if len(effects(t, dir)) >= want || time.Now().After(deadline) {
			break
		}
		if cmd.ProcessState != nil {
			break
		}
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	b, _ := os.ReadFile(filepath.Join(dir, "pids"))
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		alive := slices.DeleteFunc(slices.Clone(pids), func(p int) bool { return !liveProcess(p) })
		if len(alive) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node processes %v outlived the killed osop", alive)
		}
	}
	status, _ := recorded(t, dir, id)
	return status
}

// liveProcess reports whether pid is a live process (zombies are dead).
func liveProcess(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] != 'Z' && s[i+2] != 'X'
}
