package proc

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StartTime returns when process pid started, in clock ticks since boot
// (field 22 of /proc/PID/stat): with the pid, it names one process, never
// a later one that reuses the number.
func StartTime(pid int) (uint64, error) {
	fields, err := stat(pid)
	if err != nil {
		return 0, err
	}
	if len(fields) < 20 {
		return 0, errors.New("short /proc stat")
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

// stat returns the fields of /proc/PID/stat after the command name: the
// state first.
func stat(pid int) ([]string, error) {
	b, err := readRaw("/proc/"+strconv.Itoa(pid)+"/stat", make([]byte, 0, 512))
	if err != nil {
		return nil, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, errors.New("malformed /proc stat")
	}
	return strings.Fields(s[i+1:]), nil
}

// EndGroup kills process group pgid, whose leader started at start, and
// every process carrying token (what the group's processes started and
// took out of the group: see tag.go), and waits (up to Grace) until none
// of them is left alive. It reports false when it found nothing to kill.
// It kills no group whose number now belongs to another process: a
// leader that exists with another start time is not ours, and while any
// member of our group lives, the kernel does not give its number to
// anyone else.
func EndGroup(pgid int, start uint64, token string) (bool, error) {
	ended, err := endGroup(pgid, start)
	if token != "" && endTagged(token, start) {
		ended = true
	}
	if err == nil && token != "" && len(carriers(token, start)) > 0 {
		err = errors.New("processes of group " + strconv.Itoa(pgid) + " that left it are still alive after SIGKILL")
	}
	return ended, err
}

func endGroup(pgid int, start uint64) (bool, error) {
	if pgid <= 1 {
		return false, nil
	}
	if t, err := StartTime(pgid); err == nil && t != start {
		return false, nil
	}
	if !groupAlive(pgid) {
		return false, nil
	}
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return false, nil
		}
		return false, err
	}
	for deadline := time.Now().Add(Grace); groupAlive(pgid); {
		if time.Now().After(deadline) {
			return true, errors.New("process group " + strconv.Itoa(pgid) + " still has processes after SIGKILL")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true, nil
}

// groupAlive reports whether a process of group pgid is alive (a zombie,
// dead but not yet reaped by whoever inherited it, does not count).
func groupAlive(pgid int) bool {
	if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return true
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f, err := stat(pid)
		if err != nil || len(f) < 3 {
			continue
		}
		if f[2] == strconv.Itoa(pgid) && f[0] != "Z" && f[0] != "X" {
			return true
		}
	}
	return false
}

// Alive reports whether process pid lives. A zombie does not: it has
// ended, and whoever inherited it (in a container, a pid 1 that may
// never reap) decides when its number goes away.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	f, err := stat(pid)
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	return len(f) == 0 || (f[0] != "Z" && f[0] != "X")
}
