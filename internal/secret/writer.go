package secret

import (
	"io"
	"sync"
)

// Writer masks what is written through it before passing it on. A secret
// may arrive split across writes (a process writes when it likes), so the
// end of a write that could be the start of a secret is held back until a
// later write shows whether it is one; what goes out is exactly what
// [Masker.Mask] makes of everything written. [Writer.Flush] writes what is
// held back, when no more is coming.
type Writer struct {
	m  *Masker
	w  io.Writer
	mu sync.Mutex
	// held is written but not passed on: the start of a possible secret.
	held []byte
}

// NewWriter returns a Writer that masks m's secrets on the way to w.
func NewWriter(m *Masker, w io.Writer) *Writer {
	return &Writer{m: m, w: w}
}

// Write masks p, with what earlier writes held back, and passes on all
// of it but a possible secret's start at its end.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.pass(p, false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush passes on what is held back, masked as it stands.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pass(nil, true)
}

func (w *Writer) pass(p []byte, final bool) error {
	mt := w.m.matcher()
	if mt == nil || mt.empty() {
		out := append(w.held, p...)
		w.held = nil
		if len(out) == 0 {
			return nil
		}
		_, err := w.w.Write(out)
		return err
	}
	w.held = append(w.held, p...)
	out, n, _ := mt.scan(nil, string(w.held), final)
	w.held = w.held[:copy(w.held, w.held[n:])]
	if len(out) == 0 {
		return nil
	}
	_, err := w.w.Write(out)
	return err
}
