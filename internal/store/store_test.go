package store

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/run"
)

func open(t *testing.T) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "osop.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestRunsAndAttempts(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	for i, id := range []run.ID{"20260101-000000-aaaaaa", "20260102-000000-bbbbbb"} {
		r := &Run{ID: id, WorkflowID: "wf", Status: run.Running, StartedAt: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC),
			Params: Params{Vars: map[string]string{"A": "1"}, Inputs: map[string]any{"n": float64(2)}}}
		if err := st.CreateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.FinishRun(ctx, "20260101-000000-aaaaaa", run.Failed, 1, time.Now(), "failed: x"); err != nil {
		t.Fatal(err)
	}
	r, err := st.GetRun(ctx, "20260101")
	if err != nil || r.Status != run.Failed || *r.ExitCode != 1 || r.Params.Vars["A"] != "1" {
		t.Fatalf("GetRun by prefix: %+v, %v", r, err)
	}
	if _, err := st.GetRun(ctx, "2026"); err == nil {
		t.Error("an ambiguous prefix must fail")
	}
	runs, _ := st.ListRuns(ctx, Filter{Status: "failed"})
	if len(runs) != 1 {
		t.Errorf("filter by status: %d runs", len(runs))
	}
	rec, err := st.NewRecorder("20260102-000000-bbbbbb", 0)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rec.Record(run.Event{Kind: run.NodeStarted, Node: "a", Type: "cli", Attempt: 1, Status: run.Running, Time: now, Action: "echo"})
	rec.Record(run.Event{Kind: run.NodeRetrying, Node: "a", Attempt: 1, Status: run.Failed, Code: "EXIT_CODE", Message: "exit 1", Time: now})
	rec.Record(run.Event{Kind: run.NodeStarted, Node: "a", Attempt: 2, Status: run.Running, Time: now})
	rec.Record(run.Event{Kind: run.NodeFinished, Node: "a", Attempt: 2, Status: run.Completed, Outputs: map[string]any{"x": "y"}, Time: now})
	rec.Record(run.Event{Kind: run.NodeSkipped, Node: "b", Status: run.Skipped, Message: "not reached", Time: now})
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	as, err := st.Attempts(ctx, "20260102-000000-bbbbbb")
	if err != nil || len(as) != 3 {
		t.Fatalf("%d attempts, %v", len(as), err)
	}
	if as[0].Status != run.Failed || as[0].Action != "echo" || as[1].Outputs["x"] != "y" || as[2].Reason != "not reached" {
		t.Errorf("attempts: %+v %+v %+v", as[0], as[1], as[2])
	}
	if n, _ := st.NextSeq(ctx, "20260102-000000-bbbbbb"); n != 4 {
		t.Errorf("next seq %d", n)
	}
}

func TestSignalsAreConsumedOnce(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	pollInterval = 10 * time.Millisecond
	go func() {
		time.Sleep(50 * time.Millisecond)
		_ = st.SendSignal(context.Background(), "r", "go", map[string]any{"n": float64(1)})
	}()
	d, err := st.Wait(ctx, "r", "go")
	if err != nil || d["n"] != float64(1) {
		t.Fatalf("%v %v", d, err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := st.Wait(short, "r", "go"); err == nil {
		t.Error("a consumed signal was delivered twice")
	}
}

func TestLockWaitsForLiveHolderAndTakesOverDeadOne(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	pollInterval = 10 * time.Millisecond
	if err := st.Lock(ctx, "k", "first", nil); err != nil {
		t.Fatal(err)
	}
	waited := make(chan run.ID, 1)
	got := make(chan error, 1)
	go func() { got <- st.Lock(ctx, "k", "second", func(h run.ID) { waited <- h }) }()
	if h := <-waited; h != "first" {
		t.Errorf("waited for %s", h)
	}
	if err := st.Unlock(ctx, "k", "first"); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	// A lock held by a process that no longer exists is taken over.
	if _, err := st.db.Exec(`UPDATE locks SET run_id='ghost', pid=? WHERE key='k'`, deadPID()); err != nil {
		t.Fatal(err)
	}
	if err := st.Lock(ctx, "k", "third", func(run.ID) { t.Error("waited on a dead holder") }); err != nil {
		t.Fatal(err)
	}
	// A holder that ended and was not reaped (a zombie) is gone too.
	if _, err := st.db.Exec(`UPDATE locks SET run_id='zombie', pid=? WHERE key='k'`, zombiePID(t)); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := st.Lock(short, "k", "fourth", func(run.ID) { t.Error("waited on a zombie holder") }); err != nil {
		t.Fatal(err)
	}
}

// zombiePID starts a process that exits at once and is not reaped until
// the test ends, and returns its pid once it is a zombie.
func zombiePID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Wait() })
	pid := cmd.Process.Pid
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && bytes.HasPrefix(b[i+1:], []byte(" Z")) {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d never became a zombie", pid)
		}
	}
}

// deadPID returns a process id that is not in use.
func deadPID() int {
	for pid := 999999; pid > 1000; pid-- {
		if _, err := os.FindProcess(pid); err == nil && !alive(pid) {
			return pid
		}
	}
	return 999999
}

// TestJournalSurvivesACrash drops the recorder without closing it, as kill
// -9 would: ended attempts still come back, and Heal writes them down.
func TestJournalSurvivesACrash(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	id := run.ID("crash")
	if err := st.CreateRun(ctx, &Run{ID: id, WorkflowID: "wf", Status: run.Running, StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	rec, err := st.NewRecorder(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Hold the flush lock: the batch writer never gets to write, so only
	// the journal has the attempt, as after kill -9.
	rec.flushMu.Lock()
	rec.Record(run.Event{Kind: run.NodeStarted, Node: "a", Attempt: 1, Status: run.Running, Time: time.Now()})
	rec.Record(run.Event{Kind: run.NodeFinished, Node: "a", Attempt: 1, Status: run.Completed, Outputs: map[string]any{"v": "1"}, Time: time.Now()})
	as, err := st.Attempts(ctx, id)
	if err != nil || len(as) != 1 || as[0].Status != run.Completed || as[0].Outputs["v"] != "1" {
		t.Fatalf("after the crash: %+v %v", as, err)
	}
	if err := st.Heal(ctx, id, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if db, _ := st.dbAttempts(ctx, id); len(db) != 1 || db[0].Status != run.Completed {
		t.Errorf("healed database: %+v", db)
	}
	rec.flushMu.Unlock()
}
