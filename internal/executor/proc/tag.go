package proc

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
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
func carriers(token string, since uint64) []int {
	if len(token) != tokenLen {
		return nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	needle := []byte("\x00" + TokenVar + "=" + token + "\x00")
	self := os.Getpid()
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(append(append([]byte{0}, env...), 0), needle) {
			continue
		}
		if t, err := StartTime(pid); err != nil || t < since {
			continue // gone, or older than the attempt: not its descendant
		}
		out = append(out, pid)
	}
	return out
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
