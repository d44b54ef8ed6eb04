package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// TestWaits_decisionAnswersOneWait: a decision answers the open wait of
// an attempt, once; one sent when nothing waits is refused, never kept
// for a later attempt.
func TestWaits_decisionAnswersOneWait(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	pollInterval = 10 * time.Millisecond
	if err := st.SendApproval(ctx, "r", "gate", Decision{Decision: "approve", By: "early"}); !errors.Is(err, ErrNotWaiting) {
		t.Fatalf("a decision before anything waits: %v, want ErrNotWaiting", err)
	}
	id, err := st.OpenWait(ctx, Wait{RunID: "r", NodeID: "gate", Attempt: 2, Iteration: 1, Options: []string{"ship", "hold"}, Outputs: []string{"ticket"}})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.Waiting(ctx, "r")
	if err != nil || len(ws) != 1 || ws[0].ID != id || ws[0].Attempt != 2 || ws[0].Iteration != 1 || ws[0].Outputs[0] != "ticket" || ws[0].Options[1] != "hold" {
		t.Fatalf("waiting: %+v %v", ws, err)
	}
	got := make(chan Decision, 1)
	go func() {
		d, err := st.WaitDecision(ctx, id)
		if err != nil {
			t.Error(err)
		}
		got <- d
	}()
	if err := st.Decide(ctx, id, Decision{Decision: "ship", By: "ann", Outputs: map[string]string{"ticket": "T-1"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Decide(ctx, id, Decision{Decision: "hold", By: "bo"}); !errors.Is(err, ErrNotWaiting) {
		t.Errorf("a second answer: %v, want ErrNotWaiting", err)
	}
	if d := <-got; d.Decision != "ship" || d.By != "ann" || d.Outputs["ticket"] != "T-1" {
		t.Errorf("decision %+v", d)
	}
	if ws, _ := st.Waiting(ctx, "r"); len(ws) != 0 {
		t.Errorf("still waiting after the answer: %+v", ws)
	}
	// The next attempt waits afresh: the old answer is not its.
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := st.WaitApproval(short, "r", "gate"); err == nil {
		t.Error("a later wait got an earlier decision")
	}
}

// TestWaits_endedRunTakesNothing: when a run ends its waits close and the
// signals nobody took are dropped, so a retry or resume never uses them.
func TestWaits_endedRunTakesNothing(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	pollInterval = 10 * time.Millisecond
	id, err := st.OpenWait(ctx, Wait{RunID: "r", NodeID: "gate", Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SendSignal(ctx, "r", "deployed", nil); err != nil {
		t.Fatal(err)
	}
	if err := st.EndWaits(ctx, "r"); err != nil {
		t.Fatal(err)
	}
	if err := st.Decide(ctx, id, Decision{Decision: "approve"}); !errors.Is(err, ErrNotWaiting) {
		t.Errorf("a decision after the run ended: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := st.Wait(short, "r", "deployed"); err == nil {
		t.Error("a signal sent before the run ended was taken after it")
	}
}

// TestWaits_twoWaitersOneDecision: two processes waiting on the same
// node, one decision: exactly one of them gets it (the later wait closes
// the earlier one's only if that process is gone).
func TestWaits_twoWaitersOneDecision(t *testing.T) {
	st := open(t)
	other, err := Open(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	pollInterval = 10 * time.Millisecond
	var ids []int64
	for _, s := range []*Store{st, other} {
		id, err := s.OpenWait(t.Context(), Wait{RunID: "r", NodeID: "gate", Attempt: 1})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := st.SendApproval(t.Context(), "r", "gate", Decision{Decision: "approve", By: "bo"}); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 2)
	for i, s := range []*Store{st, other} {
		go func() {
			short, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			_, err := s.WaitDecision(short, ids[i])
			got <- err
		}()
	}
	if a, b := <-got, <-got; (a == nil) == (b == nil) {
		t.Errorf("one decision, two waiters: %v and %v; want exactly one to get it", a, b)
	}
}

// TestAcceptSignals keeps the names a run can wait for.
func TestAcceptSignals(t *testing.T) {
	st := open(t)
	if err := st.AcceptSignals(t.Context(), "r", []string{"b", "a", "b"}); err != nil {
		t.Fatal(err)
	}
	if err := st.AcceptSignals(t.Context(), "r", []string{"a"}); err != nil {
		t.Fatal(err) // a resume records them again
	}
	names, err := st.Accepts(t.Context(), "r")
	if err != nil || len(names) != 2 || names[0] != "a" || names[1] != "b" {
		t.Errorf("accepts %v %v", names, err)
	}
	if names, _ := st.Accepts(t.Context(), run.ID("other")); len(names) != 0 {
		t.Errorf("another run accepts %v", names)
	}
}
