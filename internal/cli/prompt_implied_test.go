package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPrompt_impliedNames: at a terminal, osop run asks for a name the
// workflow's conditions read and nothing gives, and routes by the answer.
func TestPrompt_impliedNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `osop_version: "2.0"
id: chain
name: Chain
nodes:
  - {id: request, type: cli, runtime: {command: "true"}}
  - {id: manager, type: cli, runtime: {command: "echo manager > routed"}}
  - {id: director, type: cli, runtime: {command: "echo director > routed"}}
edges:
  - {from: request, to: manager, mode: conditional, when: "amount < 1000"}
  - {from: request, to: director, mode: conditional, when: "amount >= 1000"}
`
	p := startPTY(t, dir, "chain.osop.yaml", src)
	ptmx, screen, out, done := p.ptmx, &p.screen, &p.out, p.done
	prompt := "amount (read by the condition of request → manager, line 9; nothing in the workflow gives it): "
	waitUntil(t, "the question", func() bool { return strings.Contains(screen.String(), prompt) })
	if _, err := ptmx.WriteString("lots\n"); err != nil { // not a number: asked again
		t.Fatal(err)
	}
	waitUntil(t, "the type hint", func() bool {
		return strings.Contains(screen.String(), "amount is compared with a number") && strings.Count(screen.String(), prompt) == 2
	})
	if _, err := ptmx.WriteString("2500\n"); err != nil {
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
	if b, _ := os.ReadFile(filepath.Join(dir, "routed")); strings.TrimSpace(string(b)) != "director" {
		t.Errorf("routed: %q, want director", b)
	}
}
