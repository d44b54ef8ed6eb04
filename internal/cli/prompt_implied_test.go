package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestPrompt_impliedNames: at a terminal, osop run asks for a name the
// workflow's conditions read and nothing gives, and routes by the answer.
func TestPrompt_impliedNames(t *testing.T) {
	t.Parallel()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "chain.osop.yaml")
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
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var screen syncBuffer
	go func() { _, _ = io.Copy(&screen, ptmx) }() // ends when ptmx is closed
	var out bytes.Buffer
	done := make(chan int, 1)
	go func() {
		ios := &IOStreams{In: tty, Out: &out, ErrOut: tty, InTTY: true, ErrTTY: true}
		done <- Main(context.Background(), []string{"run", "--workdir", dir, file}, ios)
	}()
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
