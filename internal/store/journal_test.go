package store

import (
	"os"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// TestJournalKeepsRunningAttempts: after a crash, an attempt whose start
// only the journal holds comes back as running (it is what resume must
// interrupt and run again), beside the ones that ended; Heal marks it
// interrupted.
func TestJournalKeepsRunningAttempts(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	id := run.ID("crash-running")
	if err := st.CreateRun(ctx, &Run{ID: id, WorkflowID: "wf", Status: run.Running, StartedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	rec, err := st.NewRecorder(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	rec.flushMu.Lock() // the database never sees these, as after kill -9
	now := time.Now()
	rec.Step([]byte(`{"event":1}`), []run.Event{
		{Kind: run.NodeStarted, Node: "done", Attempt: 1, Status: run.Running, Time: now},
		{Kind: run.NodeFinished, Node: "done", Attempt: 1, Status: run.Completed, Time: now},
	})
	rec.Step([]byte(`{"event":2}`), []run.Event{{Kind: run.NodeStarted, Node: "busy", Attempt: 2, Status: run.Running, Time: now}})
	rec.Group(run.ProcessGroup{Node: "busy", Attempt: 2, PGID: 4242, Start: 7, Running: true})
	as, err := st.Attempts(ctx, id)
	if err != nil || len(as) != 2 {
		t.Fatalf("%d attempts, %v", len(as), err)
	}
	if as[1].NodeID != "busy" || as[1].Attempt != 2 || as[1].Status != run.Running {
		t.Errorf("the running attempt came back as %+v", as[1])
	}
	steps, err := st.History(ctx, id)
	if err != nil || len(steps) != 2 || string(steps[1]) != `{"event":2}` {
		t.Errorf("history %q, %v", steps, err)
	}
	groups, err := st.RunningGroups(ctx, id)
	if err != nil || len(groups) != 1 || groups[0].PGID != 4242 || groups[0].Start != 7 {
		t.Errorf("running groups %+v, %v", groups, err)
	}
	if err := st.GroupEnded(id, groups[0]); err != nil {
		t.Fatal(err)
	}
	if groups, _ := st.RunningGroups(ctx, id); len(groups) != 0 {
		t.Errorf("an ended group is still running: %+v", groups)
	}
	if err := st.Heal(ctx, id, time.Time{}); err != nil {
		t.Fatal(err)
	}
	db, _ := st.dbAttempts(ctx, id)
	if len(db) != 2 || db[1].Status != run.Failed || db[1].ErrorCode != run.CodeInterrupted {
		t.Errorf("healed: %+v", db)
	}
	rec.flushMu.Unlock()
}

// TestClosedJournalIsKept: closing writes everything to the database and
// keeps the journal, marked closed, as the run's history.
func TestClosedJournalIsKept(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	id := run.ID("closed")
	rec, err := st.NewRecorder(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	rec.Step([]byte(`{"event":1}`), []run.Event{{Kind: run.NodeFinished, Node: "a", Attempt: 1, Status: run.Completed, Time: time.Now()}})
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(st.journalPath(id)); err != nil {
		t.Fatalf("the journal is gone: %v", err)
	}
	if !st.journalClosed(id) {
		t.Error("the journal is not marked closed")
	}
	if steps, _ := st.History(ctx, id); len(steps) != 1 {
		t.Errorf("history %q", steps)
	}
	if as, _ := st.Attempts(ctx, id); len(as) != 1 || as[0].Status != run.Completed {
		t.Errorf("attempts %+v", as)
	}
}
