package runlog

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/osopdev/osop/internal/run"
)

func TestPlain(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"a": true, "z": true, "A": true, "Z": true, "_x": true, "x0": true, "x9": true,
		"x-y": true, "x.y": true, "x/y": true, "COMPLETED": true,
		"": false, "0x": false, "9": false, "-x": false, ".x": false, "/x": false,
		"`": false, "{": false, "@": false, "[": false, "x:": false, "x y": false, "é": false,
		"yes": false, "Yes": false, "null": false, "N": false, "off": false,
	} {
		if got := plain(s); got != want {
			t.Errorf("plain(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestBlockSkipsEmpty(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	block(&b, "runtime", map[string]string{"agent": "", "model": ""})
	if b.Len() != 0 {
		t.Errorf("a block of empty values is left out, got %q", b.String())
	}
	block(&b, "runtime", map[string]string{"b": "2", "a": "1", "c": ""})
	if b.String() != "runtime:\n  a: \"1\"\n  b: \"2\"\n" {
		t.Errorf("got %q", b.String())
	}
}

func TestCut(t *testing.T) {
	t.Parallel()
	exact := strings.Repeat("x", outputLimit)
	if cut(exact) != exact {
		t.Error("a value of exactly 4 KiB is kept whole")
	}
	// A three-byte rune straddles the limit: the cut falls before it.
	straddle := strings.Repeat("x", outputLimit-1) + "日" + "tail"
	got := cut(straddle).(string)
	if !utf8.ValidString(got) || !strings.HasPrefix(got, strings.Repeat("x", outputLimit-1)+"… (") {
		t.Errorf("cut inside a rune: %q", got[outputLimit-8:])
	}
	// Bytes that start no rune at all (not UTF-8) are cut without a crash.
	if got := cut(strings.Repeat("\x80", outputLimit+10)).(string); !strings.HasPrefix(got, "… (") {
		t.Errorf("continuation bytes: %q", got[:min(len(got), 20)])
	}
	nested := cut(map[string]any{"l": []any{exact + "y"}}).(map[string]any)
	if s := nested["l"].([]any)[0].(string); !strings.HasSuffix(s, "(4097 bytes in all)") {
		t.Errorf("nested values are cut too: …%s", s[len(s)-30:])
	}
}

func TestFromAttempt(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	running := FromAttempt("a", "cli", 0, 1, run.Running, t0, time.Time{}, 5, "", "", "", "", nil)
	if running.DurationMS != nil || running.Error != nil || running.EndedAt != "" {
		t.Errorf("a running attempt has no end, duration or error: %+v", running)
	}
	skipped := FromAttempt("b", "cli", 0, 0, run.Skipped, time.Time{}, t0, 0, "", "", "not reached", "", nil)
	if skipped.DurationMS != nil || skipped.Reason != "not reached" {
		t.Errorf("a node that did not run has no duration: %+v", skipped)
	}
	failed := FromAttempt("c", "cli", 2, 1, run.Failed, t0, t0.Add(time.Second), 7, "EXIT_CODE", "boom", "", "", nil)
	if failed.Error == nil || failed.Error.Code != "EXIT_CODE" || *failed.DurationMS != 1000 || failed.Iteration != 2 {
		t.Errorf("failed: %+v", failed)
	}
	if src := string(failed.render()); !strings.Contains(src, "    iteration: 2\n") || !strings.Contains(src, "    error: \"boom\"\n    x-error-code: EXIT_CODE\n") {
		t.Errorf("rendered:\n%s", src)
	}
	if src := string(running.render()); strings.Contains(src, "iteration") || strings.Contains(src, "error") {
		t.Errorf("iteration 0 and no error are left out:\n%s", src)
	}
}

// TestSummaryAndAction: a failed run's summary names what failed; an
// attempt's end keeps what its start said it ran.
func TestSummaryAndAction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.osoplog.yaml")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l, err := Open(path, Header{RunID: "r", WorkflowID: "w", Started: t0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.Record(run.Event{Kind: run.NodeStarted, Node: "a", Type: "cli", Attempt: 1, Time: t0, Action: "make"})
	l.Record(run.Event{Kind: run.NodeFinished, Node: "a", Type: "cli", Attempt: 1, Status: run.Failed, Code: "EXIT_CODE", Message: "boom", Time: t0.Add(time.Second)})
	l.Record(run.Event{Kind: run.RunFinished, Status: run.Failed, Time: t0.Add(time.Second), Message: "FAILED", Extra: map[string]string{"failures": "a: boom"}})
	l.Record(run.Event{Kind: run.RunFinished, Status: run.Completed, Time: t0.Add(2 * time.Second), Message: "COMPLETED", Extra: map[string]string{"failures": "ignored"}})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(path)
	for _, want := range []string{"    action: make\n", "result_summary: \"failed: a: boom; completed\"\n"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("record lacks %q:\n%s", want, src)
		}
	}
}

// TestWriteFailureIsReported: Close says when the record could not be
// written, by the last write or by an earlier one.
func TestWriteFailureIsReported(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "runs")
	l, err := Open(filepath.Join(dir, "r.osoplog.yaml"), Header{RunID: "r", WorkflowID: "w", Started: time.Now()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	l.Record(run.Event{Kind: run.NodeStarted, Node: "a", Attempt: 1, Time: time.Now()})
	var pe *os.PathError
	if err := l.Close(); err == nil || !errors.As(err, &pe) {
		t.Errorf("Close = %v, want the write's error", err)
	}

	// An earlier write failed, the last one works: Close still says so.
	path := filepath.Join(dir, "r2.osoplog.yaml")
	must(t, os.MkdirAll(dir, 0o755))
	l, err = Open(path, Header{RunID: "r2", WorkflowID: "w", Started: time.Now()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.RemoveAll(dir))
	l.Record(run.Event{Kind: run.NodeStarted, Node: "a", Attempt: 1, Time: time.Now()})
	deadline := time.Now().Add(time.Minute)
	for {
		l.mu.Lock()
		failed := l.err != nil
		l.mu.Unlock()
		if failed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the record's writer did not try to write within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	must(t, os.MkdirAll(dir, 0o755))
	if err := l.Close(); err == nil {
		t.Error("Close = nil after a write failed")
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the last write: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
