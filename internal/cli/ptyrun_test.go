package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/creack/pty"
)

// ptyRun is osop run on a real terminal (a pty), as the prompt tests
// drive it: screen is what the terminal shows, out osop's stdout, done
// its exit code.
type ptyRun struct {
	ptmx   *os.File
	screen syncBuffer
	out    bytes.Buffer
	done   chan int
}

// startPTY writes src to dir/name and starts osop run ARGS FILE on a pty;
// it skips the test where no pty can be opened.
func startPTY(t *testing.T, dir, name, src string, args ...string) *ptyRun {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &ptyRun{ptmx: ptmx, done: make(chan int, 1)}
	go func() { _, _ = io.Copy(&p.screen, ptmx) }() // ends when ptmx is closed
	go func() {
		ios := &IOStreams{In: tty, Out: &p.out, ErrOut: tty, InTTY: true, ErrTTY: true}
		p.done <- Main(context.Background(), append(append([]string{"run", "--workdir", dir}, args...), file), ios)
	}()
	return p
}
