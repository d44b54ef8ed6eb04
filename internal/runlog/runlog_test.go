package runlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/runlog/runlogtest"
	"github.com/osopdev/osop/internal/validate"
)

func TestRecordIsValidOsoplog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.osoplog.yaml")
	// Times with nanoseconds: the record writes them to the millisecond,
	// and its durations follow the times it writes, not the engine's.
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 123456789, time.UTC)
	l, err := Open(path, Header{RunID: "r1", WorkflowID: "wf", Started: t0, Inputs: map[string]any{"v": "1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// While running the file is already readable, and says RUNNING.
	check(t, path, "status: RUNNING")
	long := strings.Repeat("x", 10000)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond).Add(999 * time.Microsecond) }
	events := []run.Event{
		{Kind: run.NodeStarted, Node: "a", Type: "cli", Attempt: 1, Time: ms(1), Action: `echo "hi": yes`},
		{Kind: run.NodeRetrying, Node: "a", Type: "cli", Attempt: 1, Status: run.Failed, Code: "EXIT_CODE", Message: "exit: 1\nnext line", Time: ms(1001), Duration: 7 * time.Second},
		{Kind: run.NodeStarted, Node: "a", Type: "cli", Attempt: 2, Time: ms(2002)},
		{Kind: run.NodeFinished, Node: "a", Type: "cli", Attempt: 2, Status: run.Completed, Time: ms(3005),
			Duration: time.Second, Outputs: map[string]any{"long": long, "n": int64(3), "yes": "true"}},
		{Kind: run.NodeSkipped, Node: "b", Type: "cli", Status: run.Skipped, Message: "not reached: x", Time: ms(3005)},
		{Kind: run.NodeStarted, Node: "g", Type: "gateway", Attempt: 1, Iteration: 2, Time: ms(3006)},
		{Kind: run.NodeFinished, Node: "g", Type: "gateway", Attempt: 1, Iteration: 2, Status: run.Cancelled, Code: "CANCELLED", Message: "the run was cancelled", Time: ms(3010)},
		{Kind: run.RunFinished, Status: run.Cancelled, Time: ms(4000), Duration: 4 * time.Second, Message: "CANCELLED"},
	}
	for _, e := range events {
		l.Record(e)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	doc := check(t, path, "status: FAILED")
	recs := doc.Log.Records
	if len(recs) != 4 || recs[0].Status.V != "FAILED" || recs[1].Attempt != 2 || recs[2].Status.V != "SKIPPED" {
		t.Fatalf("records: %d", len(recs))
	}
	out := recs[1].Raw.Get("outputs")
	if s, _ := out.Get("long").String(); len(s) > 4200 || !strings.Contains(s, "(10000 bytes in all)") {
		t.Errorf("long output not truncated: %d bytes", len(s))
	}
	if y := out.Get("yes"); y.Str != "true" || y.Kind.String() != "string" {
		t.Errorf("the string true must stay a string, got %v", y.Kind)
	}
	for _, tt := range []struct {
		rec        *ast.Value
		key, value string
	}{
		{recs[0].Raw, "error", "exit: 1\nnext line"},
		{recs[0].Raw, "x-error-code", "EXIT_CODE"},
		{recs[0].Raw, "started_at", "2026-01-01T00:00:00.125Z"},
		{recs[0].Raw, "ended_at", "2026-01-01T00:00:01.125Z"},
		{recs[3].Raw, "x-node-type", "gateway"},
		{recs[3].Raw, "x-error-code", "CANCELLED"},
		{doc.Root, "started_at", "2026-01-01T00:00:00.123Z"},
		{doc.Root, "ended_at", "2026-01-01T00:00:04.124Z"},
	} {
		if got, _ := tt.rec.Get(tt.key).String(); got != tt.value {
			t.Errorf("%s = %q, want %q", tt.key, got, tt.value)
		}
	}
	for _, tt := range []struct {
		rec  *ast.Value
		want int64
	}{{recs[0].Raw, 1000}, {recs[1].Raw, 1003}, {recs[3].Raw, 4}, {doc.Root, 4001}} {
		if got := tt.rec.Get("duration_ms").Int; got != tt.want {
			t.Errorf("duration_ms = %d, want %d (from the times written)", got, tt.want)
		}
	}
	if recs[3].Raw.Get("node_type") != nil {
		t.Error("gateway is not a node_type of the published schema")
	}
}

// TestResumedRecordsKeepTheirTimes: records an earlier part of the run
// wrote come back from the store with durations that agree with their
// times.
func TestResumedRecordsKeepTheirTimes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.osoplog.yaml")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 500_700_000, time.UTC)
	earlier := []*Record{
		FromAttempt("a", "cli", 0, 1, run.Completed, t0, t0.Add(1500*time.Microsecond), 1, "", "", "", "true", nil),
		FromAttempt("b", "event", 0, 1, run.Failed, t0, t0.Add(time.Second), 999, run.CodeInterrupted, "killed", "", "", nil),
	}
	l, err := Open(path, Header{RunID: "r1", WorkflowID: "wf", Started: t0}, earlier)
	if err != nil {
		t.Fatal(err)
	}
	l.Record(run.Event{Kind: run.RunFinished, Status: run.Completed, Time: t0.Add(time.Hour), Message: "COMPLETED"})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	doc := check(t, path, "status: COMPLETED")
	if d := doc.Log.Records[0].Raw.Get("duration_ms").Int; d != 2 {
		t.Errorf("duration_ms %d: .500 to .502 is 2 ms as written", d)
	}
}

// TestSpecNodeTypes: the node types written as node_type are the
// specification's twelve, the first of the types osop knows.
func TestSpecNodeTypes(t *testing.T) {
	for i, typ := range validate.NodeTypes {
		if SpecNodeType(typ) != (i < 12) {
			t.Errorf("%s: SpecNodeType = %v", typ, SpecNodeType(typ))
		}
	}
	if len(specNodeTypes) != 12 {
		t.Errorf("%d spec node types", len(specNodeTypes))
	}
}

// check validates the record (runlogtest.Check) and looks for a line.
func check(t *testing.T, path, line string) *ast.Document {
	t.Helper()
	doc := runlogtest.Check(t, path)
	src, _ := os.ReadFile(path)
	if !strings.Contains(string(src), "\n"+line+"\n") {
		t.Errorf("record lacks %q:\n%s", line, src)
	}
	return doc
}
