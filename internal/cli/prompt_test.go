package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitUntil polls cond for up to 30 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestPrompt_terminal runs a workflow on a real terminal (a pty): the
// approval prompt has the terminal to itself, though the live view is
// running and another node finishes while the prompt is open; the node's
// declared outputs are asked for after the choice and reach the nodes
// after it.
func TestPrompt_terminal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `osop_version: "2.0"
id: ask
name: Ask
nodes:
  - {id: ask, type: human, purpose: "Release it?", outputs: [ticket]}
  - {id: other, type: cli, runtime: {command: "sleep 0.3; touch other-done"}}
  - {id: after, type: cli, runtime: {command: "echo {{ticket}} > ticket.txt"}}
edges: [{from: ask, to: after}]
`
	p := startPTY(t, dir, "ask.osop.yaml", src, "--run-id", "p")
	ptmx, screen, out, done := p.ptmx, &p.screen, &p.out, p.done
	prompt := "? Release it? [approve/reject] (node ask): "
	waitUntil(t, "the prompt", func() bool { return strings.Contains(screen.String(), prompt) })
	// The other node finishes while the prompt is open: the journal has
	// its record before the live view hears of it.
	waitUntil(t, "the other node to finish", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, ".osop", "journal", "p.jsonl"))
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, `"other"`) && strings.Contains(l, "COMPLETED") {
				return true
			}
		}
		return false
	})
	time.Sleep(300 * time.Millisecond) // three ticks of the live view
	s := screen.String()
	if after := s[strings.LastIndex(s, prompt)+len(prompt):]; after != "" {
		t.Fatalf("drawn into the prompt: %q\nscreen:\n%s", after, s)
	}
	if _, err := ptmx.WriteString("approve ok by me\n"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the question for the output", func() bool { return strings.Contains(screen.String(), "  ticket: ") })
	if _, err := ptmx.WriteString("T-42\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out.String(), screen.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the run did not end\n%s", screen.String())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "ticket.txt")); strings.TrimSpace(string(b)) != "T-42" {
		t.Errorf("ticket.txt: %q", b)
	}
	if s := screen.String(); !strings.Contains(s[strings.Index(s, "ticket: T-42"):], "✓ other") {
		t.Errorf("what happened during the prompt is not shown after it:\n%s", s)
	}
}
