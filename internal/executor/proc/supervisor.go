package proc

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
)

// The supervisor is a small process, started once per process that runs
// nodes, whose only job is to end their process groups when that process
// dies, however it dies: kill -9 included. It learns of each group over a
// pipe ("+ PGID START TOKEN" when one starts, "- PGID" when it is gone)
// and, when the pipe reaches end of file (the kernel closes it when the
// last thread of this process exits, whatever killed it), kills every
// group still listed whose leader, if it still exists, started when it
// was told, and every process that carries the group's token in its
// environment and started after its leader (what left the group: see
// tag.go). That scan is the one thing the script does not do with
// builtins: grep reads /proc/*/environ, whose entries end in NUL bytes
// a shell cannot hold.
//
// PR_SET_PDEATHSIG on the node's own process is not enough: it reaches
// only that process (not what it started in its group), and it fires when
// the thread that forked it exits, which under Go's scheduler is not the
// process's death. End of file on a pipe is.
//
// It is a POSIX shell script, using only the shell's builtins: starting
// it costs a millisecond, where a second copy of osop would spend a tenth
// of a second on its own initialisation. A Ctrl-C at the terminal is for
// osop, which stops its nodes gracefully: the script ignores it, and runs
// in a process group of its own so that a signal to osop's group does not
// reach it.
const supervisorScript = `trap '' INT HUP QUIT PIPE
groups=""
while read -r op pgid start token; do
  case "$op" in
  +) groups="$groups $pgid:$start:$token" ;;
  -) left=""
     for g in $groups; do
       case "$g" in "$pgid":*) ;; *) left="$left $g" ;; esac
     done
     groups=$left ;;
  esac
done
for g in $groups; do
  pgid=${g%%:*}; rest=${g#*:}; start=${rest%%:*}; token=${rest#*:}
  mine=yes
  if read -r line 2>/dev/null <"/proc/$pgid/stat"; then
    set -- ${line##*) }
    [ "${20}" = "$start" ] || mine=no
  fi
  [ $mine = yes ] && kill -s KILL -- "-$pgid" 2>/dev/null
  [ -n "$token" ] || continue
  round=0
  while [ $round -lt 10 ]; do
    round=$((round + 1)); hit=no
    for f in $(grep -lsF "OSOP_PROC_TOKEN=$token" /proc/[0-9]*/environ 2>/dev/null); do
      p=${f#/proc/}; p=${p%/environ}
      read -r line 2>/dev/null <"/proc/$p/stat" || continue
      set -- ${line##*) }
      [ "${20}" -ge "$start" ] 2>/dev/null || continue
      kill -s KILL "$p" 2>/dev/null && hit=yes
    done
    [ $hit = yes ] || break
  done
done
`

// supervisorName is the supervisor's argv[0], which ps shows.
const supervisorName = "osop-supervisor"

// group is what the supervisor knows of a live process group.
type group struct {
	start uint64
	token string
}

// supervisor is this process's link to its supervisor.
var supervisor struct {
	mu    sync.Mutex
	w     *os.File
	tried bool
	live  map[int]group // groups registered and not yet gone
}

// startSupervisor starts the supervisor and tells it of every live
// group; the caller holds supervisor.mu.
func startSupervisor() {
	w, err := launchSupervisor()
	if err != nil {
		return // the death signal on each node's process is all there is
	}
	supervisor.w = w
	for pgid, g := range supervisor.live { // order-free: each line stands alone
		fmt.Fprintf(w, "+ %d %d %s\n", pgid, g.start, g.token)
	}
}

// launchSupervisor starts a supervisor and returns the pipe it reads.
func launchSupervisor() (*os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/bin/sh")
	cmd.Args = []string{supervisorName, "-c", supervisorScript}
	// Nothing of osop's environment but where grep is: not the token of
	// an osop that runs this one, which would end the supervisor too.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH") + ":/usr/bin:/bin"}
	cmd.Stdin, cmd.Dir = r, "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return nil, err
	}
	go func() { _ = cmd.Wait() }() // reap it when it ends
	return w, nil
}

// ensureSupervisor starts the supervisor, once, before the first process:
// then a group is listed within microseconds of its fork, long before the
// program it runs (a shell starting up) can start anything of its own.
func ensureSupervisor() {
	supervisor.mu.Lock()
	defer supervisor.mu.Unlock()
	if supervisor.w == nil && !supervisor.tried {
		supervisor.tried = true
		startSupervisor()
	}
}

// watch tells the supervisor about a process group (running) or that it
// is gone.
func watch(pgid int, start uint64, token string, running bool) {
	supervisor.mu.Lock()
	defer supervisor.mu.Unlock()
	if supervisor.live == nil {
		supervisor.live = map[int]group{}
	}
	if running {
		supervisor.live[pgid] = group{start, token}
	} else {
		delete(supervisor.live, pgid)
	}
	if supervisor.w == nil && !supervisor.tried {
		supervisor.tried = true
		startSupervisor()
	}
	if supervisor.w == nil {
		return
	}
	line := fmt.Sprintf("- %d\n", pgid)
	if running {
		line = fmt.Sprintf("+ %d %d %s\n", pgid, start, token)
	}
	if _, err := supervisor.w.WriteString(line); err != nil {
		// It died: start another, which learns every live group.
		supervisor.w.Close()
		supervisor.w = nil
		startSupervisor()
	}
}
