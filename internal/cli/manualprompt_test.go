package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPrompt_manualStep answers manual steps on a real terminal (a pty):
// the operator is shown the step (purpose, explain, success criteria,
// inputs, the outputs it must give) with the live view held, answers
// done and types the output, then fails the next step with a reason; the
// answers, who gave them (--operator) and the failure path are recorded.
func TestPrompt_manualStep(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `osop_version: "2.0"
id: rb
name: Runbook
nodes:
  - id: count
    type: cli
    runtime: {command: "echo expected=3 >> $OSOP_OUTPUT"}
    outputs: [expected]
  - id: pick
    type: human
    purpose: Pick the items from the shelves
    role: warehouse_associate
    explain: Follow the route printed on the pick list.
    success_criteria: [every item is in the tote]
    inputs: [expected]
    outputs: [{name: picked, type: integer, description: how many items}]
  - id: other
    type: cli
    runtime: {command: "sleep 0.3; touch other-done"}
  - id: label
    type: cli
    purpose: Print the label
  - id: after
    type: cli
    runtime: {command: "echo {{picked}} > picked.txt"}
  - id: recover
    type: cli
    runtime: {command: "touch recovered"}
edges:
  - {from: count, to: pick}
  - {from: pick, to: after}
  - {from: after, to: label}
  - {from: label, to: recover, mode: fallback}
`
	p := startPTY(t, dir, "rb.osop.yaml", src, "--run-id", "m", "--operator", "dana")
	ptmx, screen, out, done := p.ptmx, &p.screen, &p.out, p.done
	prompt := "? pick: done, failed or skip? [done/failed/skip] (node pick): "
	waitUntil(t, "the manual step", func() bool { return strings.Contains(screen.String(), prompt) })
	shown := screen.String()
	for _, want := range []string{"── manual step pick ──", "Pick the items from the shelves", "who: warehouse_associate",
		"Follow the route printed on the pick list.", "done when: every item is in the tote", "input expected = 3",
		"gives picked (integer; how many items)"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the step does not show %q:\n%s", want, shown)
		}
	}
	waitUntil(t, "the other node to finish", func() bool {
		_, err := os.Stat(filepath.Join(dir, "other-done"))
		return err == nil
	})
	time.Sleep(300 * time.Millisecond) // three ticks of the live view
	s := screen.String()
	if after := s[strings.LastIndex(s, prompt)+len(prompt):]; after != "" {
		t.Fatalf("drawn into the prompt: %q\nscreen:\n%s", after, s)
	}
	answer := func(line string) {
		t.Helper()
		if _, err := ptmx.WriteString(line + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	answer("maybe")
	waitUntil(t, "the hint", func() bool { return strings.Contains(screen.String(), "answer done, failed (with a reason) or skip") })
	answer("done")
	waitUntil(t, "the question for the output", func() bool { return strings.Contains(screen.String(), "  picked: ") })
	answer("abc") // not an integer: asked again, nothing taken
	waitUntil(t, "the type hint", func() bool {
		return strings.Contains(screen.String(), `output picked: "abc" is not an integer: give an integer`)
	})
	answer("3")
	waitUntil(t, "the second step", func() bool { return strings.Contains(screen.String(), "(node label): ") })
	answer("failed")
	waitUntil(t, "the question for a reason", func() bool { return strings.Contains(screen.String(), "  reason: ") })
	answer("the printer is jammed")
	select {
	case code := <-done:
		if code != ExitRecovered {
			t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitRecovered, out.String(), screen.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the run did not end\n%s", screen.String())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "picked.txt")); strings.TrimSpace(string(b)) != "3" {
		t.Errorf("picked.txt: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "recovered")); err != nil {
		t.Errorf("the failure path did not run: %v", err)
	}
	rec, err := os.ReadFile(filepath.Join(dir, ".osop", "runs", "m.osoplog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"picked":3`, `"answered_by":"dana"`, `"answer":"done"`, `"answered_at":"20`,
		`label failed, says dana: the printer is jammed`, `code: MANUAL_FAILED`} {
		if !strings.Contains(string(rec), want) {
			t.Errorf("the record lacks %s:\n%s", want, rec)
		}
	}
}
