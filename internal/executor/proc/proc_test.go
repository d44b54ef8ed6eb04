package proc

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/executor"
)

// helperEnv makes the test binary a small program that runs one node
// command through Run and waits, so that a test can kill it with -9.
const helperEnv = "PROC_TEST_HELPER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		_, _ = Run(context.Background(), Spec{Argv: []string{"sh", "-c",
			escapees(dir) + `sleep 300 & echo $! > ` + filepath.Join(dir, "child") + `; echo $$ > ` + filepath.Join(dir, "shell") + `; wait`}})
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// escapees is shell that starts two processes that leave the command's
// process group and write their pids to dir/setsid and dir/daemon: one
// in a session of its own, and a daemon that forks twice (its parent
// exits, so it belongs to init) in a session of its own.
func escapees(dir string) string {
	return fmt.Sprintf(`setsid sleep 301 & echo $! > %[1]s/setsid
sh -c 'setsid sleep 302 & echo $! > %[1]s/daemon' &
`, dir)
}

// readPID waits for a pid file.
func readPID(t *testing.T, path string) int {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		b, err := os.ReadFile(path)
		if err != nil || !strings.HasSuffix(string(b), "\n") {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err == nil {
			return pid
		}
	}
	t.Fatalf("%s never held a pid", path)
	return 0
}

// alive reports whether pid is a live process (not a zombie).
func alive(pid int) bool {
	f, err := stat(pid)
	return err == nil && len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// waitGone waits until none of pids is alive.
func waitGone(t *testing.T, within time.Duration, pids ...int) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var left []int
		for _, p := range pids {
			if alive(p) {
				left = append(left, p)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, p := range left {
				_ = syscall.Kill(p, syscall.SIGKILL)
			}
			t.Fatalf("processes %v outlived the process that started them", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestGroupsDieWithTheirParent kills, with SIGKILL, a process running a
// node whose command left a child in the background: the command and its
// child go too.
func TestGroupsDieWithTheirParent(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	child, shell := readPID(t, filepath.Join(dir, "child")), readPID(t, filepath.Join(dir, "shell"))
	setsid, daemon := readPID(t, filepath.Join(dir, "setsid")), readPID(t, filepath.Join(dir, "daemon"))
	if !alive(child) || !alive(shell) || !alive(setsid) || !alive(daemon) {
		t.Fatalf("the command is not running: %d %d %d %d", shell, child, setsid, daemon)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitGone(t, 10*time.Second, shell, child, setsid, daemon)
}

// TestRunEndsWhatLeftTheGroup: when the command ends, what it started
// ends with it, in its group or out of it (setsid, a double fork).
func TestRunEndsWhatLeftTheGroup(t *testing.T) {
	dir := t.TempDir()
	// The daemon's pid file is written by a process the command does not
	// wait for: wait for it, so that the command ends after it.
	script := escapees(dir) + `while ! [ -s ` + dir + `/daemon ]; do sleep 0.01; done`
	if _, err := Run(context.Background(), Spec{Argv: []string{"sh", "-c", script}}); err != nil {
		t.Fatal(err)
	}
	setsid, daemon := readPID(t, filepath.Join(dir, "setsid")), readPID(t, filepath.Join(dir, "daemon"))
	waitGone(t, 2*time.Second, setsid, daemon)
}

// TestRunOnCancelEndsWhatLeftTheGroup: a cancelled command's escapees get
// SIGTERM with its group, and SIGKILL when it is gone.
func TestRunOnCancelEndsWhatLeftTheGroup(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		readPID(t, filepath.Join(dir, "daemon"))
		cancel()
	}()
	if _, err := Run(ctx, Spec{Argv: []string{"sh", "-c", escapees(dir) + "sleep 300"}}); err == nil {
		t.Fatal("a cancelled command reported success")
	}
	setsid, daemon := readPID(t, filepath.Join(dir, "setsid")), readPID(t, filepath.Join(dir, "daemon"))
	waitGone(t, 2*time.Second, setsid, daemon)
}

// TestEndGroup ends a group by pgid and start time, and leaves alone a
// group whose leader's start time is not the one given.
func TestEndGroup(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 300 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait() }()
	pgid := cmd.Process.Pid
	start, err := StartTime(pgid)
	if err != nil {
		t.Fatal(err)
	}
	if ended, err := EndGroup(pgid, start+1, ""); ended || err != nil {
		t.Fatalf("a group with another start time was ended (%v, %v)", ended, err)
	}
	if !groupAlive(pgid) {
		t.Fatal("the group died when it should not have")
	}
	ended, err := EndGroup(pgid, start, "")
	if !ended || err != nil {
		t.Fatalf("EndGroup: %v, %v", ended, err)
	}
	if groupAlive(pgid) {
		t.Error("the group is still alive")
	}
	if again, err := EndGroup(pgid, start, ""); again || err != nil {
		t.Errorf("a gone group: %v, %v", again, err)
	}
}

// TestRunReportsItsGroup: the context's watcher hears of the group when it
// starts and when it is gone.
func TestRunReportsItsGroup(t *testing.T) {
	type seen struct {
		pgid    int
		start   uint64
		running bool
	}
	var got []seen
	ctx := executor.WithGroupWatcher(context.Background(), func(pgid int, start uint64, _ string, running bool) {
		got = append(got, seen{pgid, start, running})
	})
	if _, err := Run(ctx, Spec{Argv: []string{"true"}}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].running || got[1].running || got[0].pgid != got[1].pgid || got[0].start == 0 {
		t.Errorf("watcher heard %+v", got)
	}
}

// TestSupervisorKillsOnlyWhatItShould: when its pipe closes, the
// supervisor kills a listed group, not one taken off the list, and not
// one whose leader started at another time than it was told.
func TestSupervisorKillsOnlyWhatItShould(t *testing.T) {
	start := func() (int, uint64) {
		cmd := exec.Command("sleep", "300")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { _ = cmd.Wait() }()
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		st, err := StartTime(cmd.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		return cmd.Process.Pid, st
	}
	listed, listedStart := start()
	removed, removedStart := start()
	other, otherStart := start()
	w, err := launchSupervisor()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, "+ %d %d\n+ %d %d\n+ %d %d\n- %d\n", listed, listedStart, removed, removedStart, other, otherStart+1, removed)
	w.Close()
	waitGone(t, 10*time.Second, listed)
	time.Sleep(200 * time.Millisecond) // the supervisor is done by now; nothing else was killed
	if !alive(removed) || !alive(other) {
		t.Errorf("killed a group it should have left: removed alive %v, other alive %v", alive(removed), alive(other))
	}
}

// BenchmarkCarriers measures the scan of /proc every node end makes.
func BenchmarkCarriers(b *testing.B) {
	token := newToken()
	for b.Loop() {
		carriers(token, 0)
	}
}

// TestForks: the kernel's count of created processes, which lets a node's
// end skip the scan for carriers when nothing but its leader was created,
// grows with every process started.
func TestForks(t *testing.T) {
	before := forks()
	if before == 0 {
		t.Skip("no processes line in /proc/stat")
	}
	if err := exec.Command("true").Run(); err != nil {
		t.Fatal(err)
	}
	if after := forks(); after <= before {
		t.Fatalf("forks went from %d to %d across a process start", before, after)
	}
}

// TestEnviron: an environment is read whole, each entry between NUL
// bytes, however long it is.
func TestEnviron(t *testing.T) {
	long := strings.Repeat("x", 100<<10) // more than the buffer holds at first
	cmd := exec.Command("sleep", "30")
	cmd.Env = []string{"A=1", "LONG=" + long, "Z=2"}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	env, ok := environ(strconv.Itoa(cmd.Process.Pid), nil)
	if !ok {
		t.Fatal("cannot read the environment of a child")
	}
	for _, want := range []string{"\x00A=1\x00", "\x00LONG=" + long + "\x00", "\x00Z=2\x00"} {
		if !bytes.Contains(env, []byte(want)) {
			t.Errorf("environment lacks %.20q…", want)
		}
	}
	if _, ok := environ("999999999", nil); ok {
		t.Error("a process that does not exist has an environment")
	}
}
