package cli

import (
	"bytes"
	"io"
	"sync"

	"github.com/osopdev/osop/internal/secret"
)

// streamLineLimit bounds a line held for its prefix: output with no
// newline (a progress bar) is shown in pieces of this size.
const streamLineLimit = 64 << 10

// streamer shows each node's output as it runs (--stream), each line
// prefixed with the node's id. Secrets are masked by a [secret.Writer]
// per stream, so a secret a command writes in pieces is masked too; what
// a writer holds back is flushed when the node's attempt ends, before the
// line that says so.
type streamer struct {
	w io.Writer
	m *secret.Masker

	mu   sync.Mutex // guards w and open
	open map[string][]*nodeStream
}

type nodeStream struct {
	mask  *secret.Writer
	lines *lineWriter
}

func newStreamer(w io.Writer, m *secret.Masker) *streamer {
	return &streamer{w: w, m: m, open: map[string][]*nodeStream{}}
}

// writer is engine.Options.Stream: where one stream of a node's attempt
// goes.
func (s *streamer) writer(node string, stderr bool) io.Writer {
	lw := &lineWriter{s: s, prefix: []byte(node + " │ ")}
	ns := &nodeStream{mask: secret.NewWriter(s.m, lw), lines: lw}
	s.mu.Lock()
	s.open[node] = append(s.open[node], ns)
	s.mu.Unlock()
	return ns.mask
}

// end flushes a node's streams: its attempt has ended, and the engine
// writes nothing more to them.
func (s *streamer) end(node string) {
	s.mu.Lock()
	streams := s.open[node]
	delete(s.open, node)
	s.mu.Unlock()
	for _, ns := range streams {
		_ = ns.mask.Flush() // only the terminal can fail here, with nowhere to say so
		ns.lines.flush()
	}
}

// close flushes every stream; nil-safe.
func (s *streamer) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	nodes := make([]string, 0, len(s.open))
	for n := range s.open {
		nodes = append(nodes, n)
	}
	s.mu.Unlock()
	for _, n := range nodes {
		s.end(n)
	}
}

// lineWriter writes whole lines, each with its prefix.
type lineWriter struct {
	s      *streamer
	prefix []byte
	mu     sync.Mutex
	buf    []byte
}

func (l *lineWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 && len(l.buf) < streamLineLimit {
			break
		}
		if i < 0 {
			i = len(l.buf) - 1
		}
		l.emit(l.buf[:i+1])
		l.buf = l.buf[i+1:]
	}
	return len(b), nil
}

// flush writes a last line that has no newline.
func (l *lineWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(l.buf)
		l.buf = nil
	}
}

func (l *lineWriter) emit(line []byte) {
	out := append(append([]byte{}, l.prefix...), line...)
	if out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	_, _ = l.s.w.Write(out) // as above: the terminal is the only place to say so
}
