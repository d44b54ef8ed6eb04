package engine

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// captureLimit bounds the stdout and stderr kept per attempt (the tail).
const captureLimit = 64 << 10

// capture keeps what an attempt printed on one stream.
type capture interface {
	Writer() io.Writer
	String() string // the tail
	Close()
}

// capture returns where an attempt's stream goes. When nobody watches
// output live, it is a file in the run's scratch directory, created on
// first use: a process then writes to it directly (no pipe, no copying
// goroutine) and the tail is read back afterwards. Otherwise it is kept
// in memory and copied to the live stream too.
func (d *driver) capture(j *job, stream string, stderr bool) capture {
	if d.opts.Stream == nil && d.opts.TempDir != "" {
		return &fileCapture{path: filepath.Join(d.opts.TempDir, fmt.Sprintf("%s.%d.%d.%s", j.node.ID.V, j.iteration, j.attempt, stream))}
	}
	t := &tail{n: captureLimit}
	if d.opts.Stream != nil {
		if w := d.opts.Stream(j.node.ID.V, stderr); w != nil {
			return &teeCapture{tail: t, w: io.MultiWriter(t, w)}
		}
	}
	return &teeCapture{tail: t, w: t}
}

type teeCapture struct {
	tail *tail
	w    io.Writer
}

func (c *teeCapture) Writer() io.Writer { return c.w }
func (c *teeCapture) String() string    { return c.tail.String() }
func (c *teeCapture) Close()            {}

// fileCapture is a capture file, made only when something writes.
type fileCapture struct {
	mu   sync.Mutex
	path string
	f    *os.File
	err  error
}

func (c *fileCapture) Writer() io.Writer { return c }

// File opens the capture file; proc hands it to a process as is.
func (c *fileCapture) File() (*os.File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil && c.err == nil {
		c.f, c.err = os.OpenFile(c.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	}
	return c.f, c.err
}

func (c *fileCapture) Write(p []byte) (int, error) {
	f, err := c.File()
	if err != nil {
		return 0, err
	}
	return f.Write(p)
}

func (c *fileCapture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f == nil {
		return ""
	}
	st, err := c.f.Stat()
	if err != nil || st.Size() == 0 {
		return ""
	}
	off := max(st.Size()-captureLimit, 0)
	buf := make([]byte, st.Size()-off)
	n, _ := c.f.ReadAt(buf, off) // a short read keeps what was read
	if off > 0 {
		return "…" + string(buf[:n])
	}
	return string(buf[:n])
}

func (c *fileCapture) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f != nil {
		c.f.Close()
		os.Remove(c.path)
	}
}

// tail keeps the last n bytes written to it; safe for the concurrent
// writes of a process's stdout and stderr copiers.
type tail struct {
	mu  sync.Mutex
	buf bytes.Buffer
	n   int
	cut bool
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.n; over > 0 {
		t.buf.Next(over)
		t.cut = true
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cut {
		return "…" + t.buf.String()
	}
	return t.buf.String()
}
