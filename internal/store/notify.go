package store

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// idleInterval is how often a waiting run looks for an answer when the
// kernel tells it of every write to the database (inotify): only in case
// a write escapes it (another machine's, on a network file system). With
// no inotify, a waiting run looks every pollInterval.
var idleInterval = 10 * time.Second

// notifier tells waiters that a file of the database's directory was
// written (by this process or another: an `osop approve`, `osop complete`
// or `osop signal` writes the database's WAL), so that a run waiting for
// an answer uses no CPU until one may have come. One inotify instance
// serves every waiter of a store: there are only 128 a user by default.
type notifier struct {
	once   sync.Once
	mu     sync.Mutex
	f      *os.File
	ch     chan struct{} // closed at the next write, then replaced
	failed bool
}

// changed returns a channel that is closed at the next write to the
// database, and how long to wait for it before looking anyway. Taken
// before a look at the database, it misses no write made after the look
// began.
func (s *Store) changed() (<-chan struct{}, time.Duration) {
	n := &s.notify
	n.once.Do(func() { n.start(filepath.Dir(s.path)) })
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.failed {
		return nil, pollInterval
	}
	return n.ch, idleInterval
}

func (n *notifier) start(dir string) {
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err == nil {
		_, err = syscall.InotifyAddWatch(fd, dir, syscall.IN_MODIFY|syscall.IN_CLOSE_WRITE|syscall.IN_CREATE|syscall.IN_MOVED_TO)
		if err != nil {
			syscall.Close(fd)
		}
	}
	if err != nil {
		n.failed = true
		return
	}
	// Non-blocking, so the runtime's poller waits for it and Close ends a
	// pending read.
	n.mu.Lock()
	n.f, n.ch = os.NewFile(uintptr(fd), "inotify:"+dir), make(chan struct{})
	n.mu.Unlock()
	go n.loop()
}

func (n *notifier) loop() {
	buf := make([]byte, 64<<10) // events only say that something changed
	for {
		_, err := n.f.Read(buf)
		n.mu.Lock()
		close(n.ch)
		n.ch = make(chan struct{})
		if err != nil {
			n.failed = true // closed, or broken: waiters look every pollInterval
			n.mu.Unlock()
			return
		}
		n.mu.Unlock()
	}
}

func (n *notifier) close() {
	n.once.Do(func() { n.failed = true }) // never started: nor will it be
	n.mu.Lock()
	f := n.f
	n.mu.Unlock()
	if f != nil {
		f.Close()
	}
}
