package store

import (
	"os"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// TestTimesRoundTrip: an attempt's start, end and duration, and a run's,
// read back as recorded (to the millisecond); a waiting attempt has started.
func TestTimesRoundTrip(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	id := run.ID("20260103-000000-cccccc")
	t0 := time.Date(2026, 1, 3, 10, 0, 0, 0, time.UTC)
	if err := st.CreateRun(ctx, &Run{ID: id, WorkflowID: "wf", Status: run.Running, StartedAt: t0}); err != nil {
		t.Fatal(err)
	}
	rec, err := st.NewRecorder(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	t1 := t0.Add(1500 * time.Millisecond)
	rec.Record(run.Event{Kind: run.NodeStarted, Node: "a", Type: "cli", Attempt: 1, Status: run.Running, Time: t0})
	rec.Record(run.Event{Kind: run.NodeFinished, Node: "a", Attempt: 1, Status: run.Completed, Time: t1, Duration: 1500 * time.Millisecond})
	rec.Record(run.Event{Kind: run.NodeWaiting, Node: "gate", Type: "approval", Attempt: 1, Status: run.Waiting, Time: t1})
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, id, run.Completed, 0, t1, "ok"); err != nil {
		t.Fatal(err)
	}
	as, err := st.Attempts(ctx, id)
	if err != nil || len(as) != 2 {
		t.Fatalf("%d attempts, %v", len(as), err)
	}
	a, gate := as[0], as[1]
	if a.NodeID != "a" || !a.StartedAt.Equal(t0) || !a.EndedAt.Equal(t1) || a.DurationMS != 1500 {
		t.Errorf("a: started %v ended %v duration %dms; want %v, %v, 1500ms", a.StartedAt, a.EndedAt, a.DurationMS, t0, t1)
	}
	if gate.NodeID != "gate" || !gate.StartedAt.Equal(t1) || !gate.EndedAt.IsZero() {
		t.Errorf("gate: started %v ended %v; want %v and not ended", gate.StartedAt, gate.EndedAt, t1)
	}
	r, err := st.GetRun(ctx, string(id))
	if err != nil || !r.StartedAt.Equal(t0) || !r.EndedAt.Equal(t1) {
		t.Fatalf("run: %+v %v; want %v to %v", r, err, t0, t1)
	}
}

// TestSendApprovalFindsEveryNode: the answer for a node reaches its wait
// whichever of the run's open waits it is.
func TestSendApprovalFindsEveryNode(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	for _, n := range []string{"first", "second", "third"} {
		if _, err := st.OpenWait(ctx, Wait{RunID: "r", NodeID: n, Attempt: 1}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"first", "third", "second"} {
		if err := st.SendApproval(ctx, "r", n, Decision{Decision: "approve", By: "ann"}); err != nil {
			t.Errorf("approving %s: %v", n, err)
		}
	}
	if ws, _ := st.Waiting(ctx, "r"); len(ws) != 0 {
		t.Errorf("still waiting: %+v", ws)
	}
}

// TestAlive: only a real process id is alive; 0 and negative ids (no
// process recorded) are not, though kill(0, 0) would succeed.
func TestAlive(t *testing.T) {
	for _, c := range []struct {
		pid  int
		want bool
	}{{os.Getpid(), true}, {0, false}, {-1, false}, {deadPID(), false}} {
		if got := alive(c.pid); got != c.want {
			t.Errorf("alive(%d) = %v, want %v", c.pid, got, c.want)
		}
	}
}
