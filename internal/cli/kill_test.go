package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A node whose command leaves a child in its group and waits for it; on
// a second attempt (the child file exists) it checks that the first
// attempt's child is gone (a zombie nobody reaped yet is gone).
const orphanWorkflow = `osop_version: "2.0"
id: orphan
name: Orphan
nodes:
  - id: hold
    type: cli
    runtime:
      command: |
        if [ -f child ]; then
          state=$(cut -d" " -f3 "/proc/$(cat child)/stat" 2>/dev/null || true)
          if [ -n "$state" ] && [ "$state" != Z ]; then echo "the first attempt's child still runs" >&2; exit 7; fi
          echo resumed > out; exit 0
        fi
        %TRAP%
        sleep 300 & echo $! > child.tmp; mv child.tmp child
        wait
`

// startOsop writes the workflow and starts osop run in the background.
func startOsop(t *testing.T, trap string) (*exec.Cmd, string, *bytes.Buffer) {
	t.Helper()
	return startOsopWith(t, strings.ReplaceAll(orphanWorkflow, "%TRAP%", trap))
}

// startOsopWith starts osop run of workflow src in the background.
func startOsopWith(t *testing.T, src string) (*exec.Cmd, string, *bytes.Buffer) {
	t.Helper()
	if _, err := exec.LookPath("osop"); err != nil {
		t.Skip("the osop binary is not on PATH")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "w.osop.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("osop", "run", "--run-id", "o", "w.osop.yaml")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if b, err := os.ReadFile(filepath.Join(dir, "child")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	return cmd, dir, &out
}

// childPID waits for the node's child to exist and returns its pid.
func childPID(t *testing.T, dir string) int {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		b, err := os.ReadFile(filepath.Join(dir, "child"))
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return pid
		}
	}
	t.Fatal("the node never started its child")
	return 0
}

func waitDead(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); processAlive(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d is still alive after %s", pid, within)
		}
	}
}

// exitCodeOf waits for cmd and returns its exit code.
func exitCodeOf(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	// A deadline, so that an osop that never exits (a group that ignores
	// SIGTERM and is never killed, say) fails the test, not the whole
	// package at go test's timeout.
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var err error
	select {
	case err = <-waited:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-waited // before the cleanup's Wait
		t.Fatal("osop did not exit within a minute")
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if st, ok := exit.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			return 128 + int(st.Signal())
		}
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// TestKillNineEndsNodeGroups: kill -9 of osop takes the node's whole
// process group with it.
func TestKillNineEndsNodeGroups(t *testing.T) {
	cmd, dir, _ := startOsop(t, "")
	child := childPID(t, dir)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitDead(t, child, 10*time.Second)
}

// TestResumeEndsWhatACrashLeft: when the supervisor died too, the group
// outlives osop; resume ends it (it is recorded with its start time)
// before it runs the node again.
func TestResumeEndsWhatACrashLeft(t *testing.T) {
	cmd, dir, _ := startOsop(t, "")
	child := childPID(t, dir)
	sup := supervisorOf(t, cmd.Process.Pid)
	if err := syscall.Kill(sup, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitDead(t, sup, 10*time.Second)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	time.Sleep(300 * time.Millisecond) // no one is left to end the group: it must still be there
	if !processAlive(child) {
		t.Fatal("the child died without its supervisor: this test shows nothing")
	}
	code, out := osopIn(t, dir, "resume", "o")
	if code != ExitOK || !strings.Contains(out, "osop: ended process group") {
		t.Fatalf("resume exited %d:\n%s", code, out)
	}
	if processAlive(child) {
		t.Error("the first attempt's child still runs after resume")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "out")); string(b) != "resumed\n" {
		t.Errorf("the second attempt did not run to its end: out=%q\n%s", b, out)
	}
}

// supervisorOf finds the supervisor osop started.
func supervisorOf(t *testing.T, osop int) int {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			argv, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
			st, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
			i := bytes.LastIndexByte(st, ')')
			if i < 0 || !bytes.HasPrefix(argv, []byte("osop-supervisor")) {
				continue
			}
			if f := strings.Fields(string(st[i+1:])); len(f) > 1 && f[1] == strconv.Itoa(osop) {
				return pid
			}
		}
	}
	t.Fatal("osop has no supervisor")
	return 0
}

// TestInterruptGivesGraceThenKills: Ctrl-C sends the node's group SIGTERM;
// a group that ignores it gets SIGKILL after the grace period (5 s), and
// osop exits 130.
func TestInterruptGivesGraceThenKills(t *testing.T) {
	cmd, dir, out := startOsop(t, `trap "" TERM`)
	child := childPID(t, dir)
	began := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if !processAlive(child) {
		t.Fatal("the child, which ignores SIGTERM, was killed before the grace period ended")
	}
	if code := exitCodeOf(t, cmd); code != ExitCancelled {
		t.Fatalf("osop exited %d, want 130:\n%s", code, out)
	}
	if took := time.Since(began); took < 4*time.Second {
		t.Errorf("osop gave the group %s, less than the grace period", took)
	}
	waitDead(t, child, 10*time.Second)
}

// TestSecondInterruptExitsAtOnce: a second Ctrl-C does not wait for the
// grace period; the supervisor still ends the node's group.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	cmd, dir, out := startOsop(t, `trap "" TERM`)
	child := childPID(t, dir)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// Signals that arrive together may be delivered as one: wait until
	// the first was taken (the run's history holds its cancellation).
	journal := filepath.Join(dir, ".osop", "journal", "o.jsonl")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if b, _ := os.ReadFile(journal); bytes.Contains(b, []byte(`"kind":"cancel"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first Ctrl-C never reached the run")
		}
	}
	began := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := exitCodeOf(t, cmd); code != ExitCancelled {
		t.Fatalf("osop exited %d, want 130:\n%s", code, out)
	}
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("the second Ctrl-C took %s to exit", took)
	}
	waitDead(t, child, 10*time.Second)
}

// TestResumeWhileKilledOsopIsAZombie: an osop killed with -9 and not yet
// reaped (its parent, here this test, has not waited; in a container, a
// pid 1 that never reaps) has ended: resume takes the run over.
func TestResumeWhileKilledOsopIsAZombie(t *testing.T) {
	cmd, dir, _ := startOsop(t, "")
	child := childPID(t, dir)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// No Wait: osop stays a zombie until the cleanup reaps it.
	for deadline := time.Now().Add(10 * time.Second); processState(cmd.Process.Pid) != "Z"; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("osop is %q, not a zombie", processState(cmd.Process.Pid))
		}
	}
	waitDead(t, child, 10*time.Second)
	code, out := osopIn(t, dir, "resume", "o")
	if code != ExitOK {
		t.Fatalf("resume exited %d while osop was a zombie:\n%s", code, out)
	}
}

// processState is the state letter of /proc/PID/stat ("" when gone).
func processState(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	i := bytes.LastIndexByte(b, ')')
	if f := strings.Fields(string(b[i+1:])); i >= 0 && len(f) > 0 {
		return f[0]
	}
	return ""
}

// TestRunsOfAKilledRun: a run whose osop was killed is not shown as
// running in a live process: its pid is 0 and the text says how to go on.
func TestRunsOfAKilledRun(t *testing.T) {
	cmd, dir, _ := startOsop(t, "")
	childPID(t, dir)
	dead := cmd.Process.Pid
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	code, out := osopIn(t, dir, "runs", "--output", "json")
	if code != ExitOK || !strings.Contains(out, `"pid": 0`) || strings.Contains(out, strconv.Itoa(dead)) {
		t.Errorf("runs --output json exited %d, want pid 0 for the killed run:\n%s", code, out)
	}
	code, out = osopIn(t, dir, "runs", "show", "o", "--output", "json")
	if code != ExitOK || !strings.Contains(out, `"pid": 0`) {
		t.Errorf("runs show --output json exited %d, want pid 0:\n%s", code, out)
	}
	for _, args := range [][]string{{"runs"}, {"runs", "show", "o"}} {
		code, out = osopIn(t, dir, args...)
		if code != ExitOK || !strings.Contains(out, "interrupted") || !strings.Contains(out, "osop resume o") {
			t.Errorf("osop %v exited %d, want it to say the run was interrupted and how to resume it:\n%s", args, code, out)
		}
	}
}

// escapeWorkflow's node starts two processes that leave its process
// group, one with setsid and a daemon that forks twice, writes their
// pids, and waits; a second attempt just succeeds.
const escapeWorkflow = `osop_version: "2.0"
id: escape
name: Escape
nodes:
  - id: hold
    type: cli
    runtime:
      command: |
        if [ -f daemon ]; then echo resumed > out; exit 0; fi
        setsid sleep 301 & echo $! > setsid
        sh -c 'setsid sleep 302 & echo $! > daemon.tmp; mv daemon.tmp daemon' &
        while ! [ -s daemon ]; do sleep 0.01; done
        echo $$ > child.tmp; mv child.tmp child
        %END%
`

// escapees waits for the escapeWorkflow node's processes and returns
// them; running says they must still be running (the node still runs).
func escapees(t *testing.T, dir string, running bool) []int {
	t.Helper()
	childPID(t, dir)
	var pids []int
	for _, name := range []string{"setsid", "daemon"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || (running && !processAlive(pid)) {
			t.Fatalf("the node's %s process is not running (%v)", name, err)
		}
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
		pids = append(pids, pid)
	}
	return pids
}

// TestNodeEndEndsWhatLeftItsGroup: processes a node took out of its group
// end when the node does.
func TestNodeEndEndsWhatLeftItsGroup(t *testing.T) {
	// The node checks that they run as it ends.
	cmd, dir, out := startOsopWith(t, strings.ReplaceAll(escapeWorkflow, "%END%", `kill -0 $(cat setsid) $(cat daemon) || exit 9`))
	if code := exitCodeOf(t, cmd); code != ExitOK {
		t.Fatalf("osop exited %d:\n%s", code, out)
	}
	pids := escapees(t, dir, false)
	for _, pid := range pids {
		waitDead(t, pid, 5*time.Second)
	}
}

// TestKillNineEndsWhatLeftTheGroup: kill -9 of osop ends the processes
// its node took out of its group too (the supervisor finds them by token).
func TestKillNineEndsWhatLeftTheGroup(t *testing.T) {
	cmd, dir, _ := startOsopWith(t, strings.ReplaceAll(escapeWorkflow, "%END%", "sleep 300"))
	pids := escapees(t, dir, true)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	for _, pid := range pids {
		waitDead(t, pid, 10*time.Second)
	}
}

// TestResumeEndsWhatLeftTheGroup: with the supervisor dead too, resume
// ends the processes that left the group, by the token it recorded.
func TestResumeEndsWhatLeftTheGroup(t *testing.T) {
	cmd, dir, _ := startOsopWith(t, strings.ReplaceAll(escapeWorkflow, "%END%", "sleep 300"))
	pids := escapees(t, dir, true)
	sup := supervisorOf(t, cmd.Process.Pid)
	if err := syscall.Kill(sup, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitDead(t, sup, 10*time.Second)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	time.Sleep(300 * time.Millisecond)
	for _, pid := range pids {
		if !processAlive(pid) {
			t.Fatal("a process died without the supervisor: this test shows nothing")
		}
	}
	code, out := osopIn(t, dir, "resume", "o")
	if code != ExitOK {
		t.Fatalf("resume exited %d:\n%s", code, out)
	}
	for _, pid := range pids {
		if processAlive(pid) {
			t.Errorf("process %d of the first attempt still runs after resume:\n%s", pid, out)
		}
	}
}
