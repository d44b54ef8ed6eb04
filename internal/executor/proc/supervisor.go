package proc

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// The supervisor is a second copy of this program, started once per
// process that runs nodes, whose only job is to end their process groups
// when that process dies, however it dies: kill -9 included. It learns of
// each group over a pipe ("+PGID START" when one starts, "-PGID" when it
// is gone) and, when the pipe reaches end of file (the kernel closes it
// when the last thread of this process exits, whatever killed it), kills
// every group still listed whose leader is the process it was told of.
//
// PR_SET_PDEATHSIG on the node's own process is not enough: it reaches
// only that process (not what it started in its group), and it fires when
// the thread that forked it exits, which under Go's scheduler is not the
// process's death. End of file on a pipe is.
const supervisorEnv = "OSOP_PROC_SUPERVISOR"

// supervisorName is the supervisor's argv[0]: with the variable, it tells
// a supervisor from a normal run of the same program.
const supervisorName = "osop-supervisor"

// init turns this process into the supervisor when it was started as
// one. It is an init, not a call from main, because every binary that
// starts nodes (osop, and any test that runs the engine) must answer to
// it, before anything else of the program runs.
func init() {
	if os.Getenv(supervisorEnv) == "1" && len(os.Args) == 1 && os.Args[0] == supervisorName {
		supervise()
		os.Exit(0)
	}
}

func supervise() {
	// A Ctrl-C at the terminal is for osop, which stops its nodes
	// gracefully; the supervisor waits for osop to go.
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGPIPE)
	groups := map[int]uint64{}
	var order []int
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "-"); ok {
			if pgid, err := strconv.Atoi(rest); err == nil {
				delete(groups, pgid)
			}
			continue
		}
		var pgid int
		var start uint64
		if _, err := fmt.Sscanf(line, "+%d %d", &pgid, &start); err == nil {
			if _, known := groups[pgid]; !known {
				order = append(order, pgid)
			}
			groups[pgid] = start
		}
	}
	for _, pgid := range order {
		if start, ok := groups[pgid]; ok {
			_, _ = EndGroup(pgid, start) // nobody is left to tell
		}
	}
}

// supervisor is this process's link to its supervisor.
var supervisor struct {
	mu    sync.Mutex
	w     *os.File
	tried bool
	live  map[int]uint64 // groups registered and not yet gone
}

// startSupervisor starts the supervisor; the caller holds supervisor.mu.
func startSupervisor() {
	r, w, err := os.Pipe()
	if err != nil {
		return
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{supervisorName}
	cmd.Env = []string{supervisorEnv + "=1"}
	cmd.Stdin, cmd.Dir = r, "/"
	// Its own process group: a signal to osop's group (a terminal's
	// Ctrl-C, kill -9 -PGID) does not take it along.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return
	}
	go func() { _ = cmd.Wait() }() // reap it if it ever ends first
	supervisor.w = w
	for pgid, start := range supervisor.live { // order-free: each line stands alone
		fmt.Fprintf(w, "+%d %d\n", pgid, start)
	}
}

// watch tells the supervisor about a process group (running) or that it
// is gone.
func watch(pgid int, start uint64, running bool) {
	supervisor.mu.Lock()
	defer supervisor.mu.Unlock()
	if supervisor.live == nil {
		supervisor.live = map[int]uint64{}
	}
	if running {
		supervisor.live[pgid] = start
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
	line := fmt.Sprintf("-%d\n", pgid)
	if running {
		line = fmt.Sprintf("+%d %d\n", pgid, start)
	}
	if _, err := supervisor.w.WriteString(line); err != nil {
		// It died: start another, which learns every live group.
		supervisor.w.Close()
		supervisor.w = nil
		startSupervisor()
	}
}
