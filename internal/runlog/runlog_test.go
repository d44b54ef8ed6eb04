package runlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/schema"
)

func TestRecordIsValidOsoplog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.osoplog.yaml")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l, err := Open(path, Header{RunID: "r1", WorkflowID: "wf", Started: t0, Inputs: map[string]any{"v": "1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// While running the file is already readable, and says RUNNING.
	check(t, path, "status: RUNNING")
	long := strings.Repeat("x", 10000)
	events := []run.Event{
		{Kind: run.NodeStarted, Node: "a", Type: "cli", Attempt: 1, Time: t0, Action: `echo "hi": yes`},
		{Kind: run.NodeRetrying, Node: "a", Type: "cli", Attempt: 1, Status: run.Failed, Code: "EXIT_CODE", Message: "exit: 1\nnext line", Time: t0.Add(time.Second)},
		{Kind: run.NodeStarted, Node: "a", Type: "cli", Attempt: 2, Time: t0.Add(2 * time.Second)},
		{Kind: run.NodeFinished, Node: "a", Type: "cli", Attempt: 2, Status: run.Completed, Time: t0.Add(3 * time.Second),
			Duration: time.Second, Outputs: map[string]any{"long": long, "n": int64(3), "yes": "true"}},
		{Kind: run.NodeSkipped, Node: "b", Type: "cli", Status: run.Skipped, Message: "not reached: x", Time: t0.Add(3 * time.Second)},
		{Kind: run.RunFinished, Status: run.Completed, Time: t0.Add(4 * time.Second), Duration: 4 * time.Second, Message: "COMPLETED"},
	}
	for _, e := range events {
		l.Record(e)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	doc := check(t, path, "status: COMPLETED")
	recs := doc.Log.Records
	if len(recs) != 3 || recs[0].Status.V != "FAILED" || recs[1].Attempt != 2 || recs[2].Status.V != "SKIPPED" {
		t.Errorf("records: %d", len(recs))
	}
	out := recs[1].Raw.Get("outputs")
	if s, _ := out.Get("long").String(); len(s) > 4200 || !strings.Contains(s, "(10000 bytes in all)") {
		t.Errorf("long output not truncated: %d bytes", len(s))
	}
	if y := out.Get("yes"); y.Str != "true" || y.Kind.String() != "string" {
		t.Errorf("the string true must stay a string, got %v", y.Kind)
	}
	if msg, _ := recs[0].Raw.Get("error").Get("message").String(); msg != "exit: 1\nnext line" {
		t.Errorf("error message %q", msg)
	}
}

// check parses the record, validates it against the osoplog schema and
// looks for a line.
func check(t *testing.T, path, line string) *parseDoc {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, ds := parse.Bytes(path, src, parse.DefaultLimits)
	if doc.Log == nil || ds.HasErrors() {
		t.Fatalf("record does not parse: %v\n%s", ds, src)
	}
	if ds := schema.Check(path, doc.Root, schema.Log); len(ds) > 0 {
		t.Fatalf("record fails the osoplog schema: %v\n%s", ds, src)
	}
	if !strings.Contains(string(src), "\n"+line+"\n") {
		t.Errorf("record lacks %q:\n%s", line, src)
	}
	return doc
}

type parseDoc = astDocument
