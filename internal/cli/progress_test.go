package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/run"
)

// TestProgress_holdKeepsThePromptAlone: while a prompt holds the live
// view nothing is written, events included; they are shown on release.
func TestProgress_holdKeepsThePromptAlone(t *testing.T) {
	t.Parallel()
	doc, _ := parse.Bytes("w.osop.yaml", []byte("osop_version: \"2.0\"\nid: w\nname: W\nnodes: [{id: a, type: cli}, {id: b, type: human}]\n"), parse.DefaultLimits)
	for _, mode := range []string{"live", "lines"} {
		var out bytes.Buffer
		p := newProgress(&out, mode, false, doc.Workflow)
		p.Event(run.Event{Kind: run.NodeStarted, Node: "a", Attempt: 1, Time: time.Now()})
		release := p.hold()
		before := out.Len()
		p.Event(run.Event{Kind: run.NodeFinished, Node: "a", Status: run.Completed})
		p.Event(run.Event{Kind: run.NodeStarted, Node: "b", Attempt: 1, Action: "ask", Time: time.Now()})
		p.mu.Lock()
		p.redraw()
		p.mu.Unlock()
		if out.Len() != before {
			t.Errorf("%s: written while a prompt holds the view: %q", mode, out.String()[before:])
		}
		release()
		p.Close()
		if got := out.String()[before:]; !strings.Contains(got, "✓ a") || !strings.Contains(got, "▶ b") {
			t.Errorf("%s: the held lines are not shown on release: %q", mode, got)
		}
	}
}

func TestTruncate_lineBreaks(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"echo a\necho b", 80, "echo a ⏎ echo b"},
		{"  if true\n  then  x\n\n  fi\n", 80, "if true ⏎ then x ⏎ fi"},
		{"echo a b c", 6, "echo …"},
	} {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
