package proc

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// TokenVar is the environment variable that tags every process an
// attempt starts. A process group holds only what stays in it: a
// descendant that calls setsid or setpgid, or a daemon that forks twice,
// leaves the group, but it inherits its environment, and so the token,
// which names the attempt's processes wherever they went. Ending an
// attempt ends its group and every live process that carries its token
// and started after the group's leader. A process that throws its
// environment away (env -i, execve with a fresh one) escapes: nothing
// short of a cgroup or a PID namespace follows it.
const TokenVar = "OSOP_PROC_TOKEN"

// tokenLen is the length of a token: 32 hex digits, fixed, so that one
// token is never the start of another.
const tokenLen = 32

// newToken returns a token no other attempt has.
func newToken() string {
	b := make([]byte, tokenLen/2)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

// tagged returns env (the parent's environment when nil) with the
// token set, replacing one inherited from an osop that runs this one.
func tagged(env []string, token string) []string {
	if env == nil {
		env = os.Environ()
	}
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, TokenVar+"=") {
			out = append(out, kv)
		}
	}
	return append(out, TokenVar+"="+token)
}

// carriers returns the live processes, other than this one, whose
// environment holds token and that started at or after since (the
// group leader's start time; 0: any). Zombies have no environment left
// and are not listed.
//
// It reads each process's environment with plain system calls into one
// buffer: os.ReadFile costs eleven calls a file (it makes the descriptor
// non-blocking and offers it to the poller, which refuses a /proc file),
// and a node's end scans every process on the machine.
func carriers(token string, since uint64) []int {
	if len(token) != tokenLen {
		return nil
	}
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil && len(names) == 0 {
		return nil
	}
	needle := []byte("\x00" + TokenVar + "=" + token + "\x00")
	self := os.Getpid()
	bp := envBuf.Get().(*[]byte)
	defer envBuf.Put(bp)
	var out []int
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid == self {
			continue
		}
		env, ok := environ(name, *bp)
		*bp = env[:0]
		if !ok || !bytes.Contains(env, needle) {
			continue
		}
		if t, err := StartTime(pid); err != nil || t < since {
			continue // gone, or older than the attempt: not its descendant
		}
		out = append(out, pid)
	}
	return out
}

// envBuf holds the buffers carriers reads environments into.
var envBuf = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// environ reads the environment of process pid into buf, between NUL
// bytes ("\x00A=1\x00B=2\x00"), so that a search for "\x00NAME=VALUE\x00"
// finds only a whole entry. It reports false when the file cannot be
// read (the process is gone, or is another user's).
func environ(pid string, buf []byte) ([]byte, bool) {
	b, err := readRaw("/proc/"+pid+"/environ", append(buf[:0], 0))
	return append(b, 0), err == nil
}

// forks returns how many processes and threads the kernel has created
// since it booted (the processes line of /proc/stat), or 0 when it
// cannot tell. Read before an attempt's leader starts and after it ends,
// a difference of one says that nothing but the leader was created on
// the whole machine meanwhile: then nothing carries the attempt's token
// and the scan of every process is not needed. A fork is counted before
// its child can run, so no descendant escapes the count.
func forks() uint64 {
	bp := envBuf.Get().(*[]byte)
	defer envBuf.Put(bp)
	b, err := readRaw("/proc/stat", (*bp)[:0])
	*bp = b[:0]
	if err != nil {
		return 0
	}
	const key = "\nprocesses "
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return 0
	}
	rest := b[i+len(key):]
	if j := bytes.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	n, err := strconv.ParseUint(string(rest), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// readRaw reads a whole /proc file with plain system calls, appending
// it to buf.
func readRaw(path string, buf []byte) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return buf, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(cap(buf), 4096))
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return buf, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// signalTagged sends sig to every process carrying token; it reports
// how many it reached.
func signalTagged(token string, since uint64, sig syscall.Signal) int {
	n := 0
	for _, pid := range carriers(token, since) {
		if syscall.Kill(pid, sig) == nil {
			n++
		}
	}
	return n
}

// endTagged kills every process carrying token until none is left: one
// may fork between the scan and the kill, so it scans again, a few
// times, and then waits (up to Grace) for the last to die. It reports
// whether it killed any.
func endTagged(token string, since uint64) bool {
	killed := false
	for round := 0; round < 10; round++ {
		if signalTagged(token, since, syscall.SIGKILL) == 0 {
			break
		}
		killed = true
	}
	for deadline := time.Now().Add(Grace); killed && len(carriers(token, since)) > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	return killed
}
