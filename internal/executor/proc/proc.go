// Package proc starts the programs nodes run, each in a process group of
// its own and tagged with a token in its environment (see tag.go), so
// that a timeout or a cancellation stops the whole group (SIGTERM, then
// SIGKILL after a grace period) and nothing a node started outlives it,
// not what left the group (setsid, a double-forked daemon), and not even
// when osop itself is killed: a supervisor process (see supervisor.go)
// ends the groups and tokens of an osop that dies. Each group is reported
// to the context's executor.GroupWatcher, so that the engine can record
// it and resume can end one a crash left behind ([EndGroup]).
// Executors for cli, docker, kubectl, helm and terraform use it.
//
// It imports only the standard library (and executor's error codes).
package proc

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// Grace is how long a cancelled process group has between SIGTERM and
// SIGKILL.
var Grace = 5 * time.Second

// Spec is a program to run.
type Spec struct {
	Argv   []string
	Dir    string
	Env    []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Run runs the program until it exits or ctx ends, and returns its exit
// code. A context that ends kills the process group and returns an error
// wrapping the context's cause (a timeout or a cancellation); a program
// that cannot start is a CONFIG error.
func Run(ctx context.Context, s Spec) (int, error) {
	if len(s.Argv) == 0 {
		return -1, executor.Errorf(run.CodeConfig, false, "nothing to run: the command is empty")
	}
	cmd := exec.Command(s.Argv[0], s.Argv[1:]...)
	token := newToken()
	cmd.Dir, cmd.Env = s.Dir, tagged(s.Env, token)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s.Stdin, direct(s.Stdout), direct(s.Stderr)
	// Its own process group, so signals reach everything it starts. The
	// supervisor ends the group if osop dies; the death signal covers the
	// instant between this fork and the supervisor hearing of the group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	ensureSupervisor()
	created := forks()
	if err := cmd.Start(); err != nil {
		code := run.CodeConfig
		if errors.Is(err, exec.ErrNotFound) {
			return -1, executor.Errorf(code, false, "cannot run %s: not found on PATH", s.Argv[0])
		}
		return -1, executor.Errorf(code, false, "cannot run %s: %v", s.Argv[0], err)
	}
	pgid := cmd.Process.Pid
	start, _ := StartTime(pgid) // 0 if it is gone already: nothing to end later
	watch(pgid, start, token, true)
	executor.WatchGroup(ctx, pgid, start, token, true)
	done := make(chan struct{})
	stopped := stopOnCancel(ctx, pgid, start, token, done)
	err := cmd.Wait()
	close(done)
	<-stopped
	// Whatever the program left running, in its group (a `sleep &`) or
	// out of it (setsid, a daemon), goes with it.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	if now := forks(); created == 0 || now-created > 1 {
		endTagged(token, start) // something besides the leader was created: look for carriers
	}
	watch(pgid, start, token, false)
	executor.WatchGroup(ctx, pgid, start, token, false)
	if ctx.Err() != nil {
		code, retry := executor.Stopped(ctx)
		return -1, &executor.Error{Code: code, Message: "stopped: " + executor.StopReason(ctx), Retryable: retry, Err: context.Cause(ctx)}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return -1, executor.Errorf(run.CodeUnclassified, true, "%s: %v", s.Argv[0], err)
	}
	return 0, nil
}

// stopOnCancel stops group pgid when ctx ends before done closes:
// SIGTERM to it and to what carries its token, then SIGKILL after Grace.
// The channel it returns closes when it is through.
func stopOnCancel(ctx context.Context, pgid int, start uint64, token string, done <-chan struct{}) <-chan struct{} {
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-done:
		case <-ctx.Done():
			_ = syscall.Kill(-pgid, syscall.SIGTERM) // the group may be gone already
			signalTagged(token, start, syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(Grace):
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
			}
		}
	}()
	return stopped
}

// direct returns the file behind a writer that offers one (the engine's
// capture files), so the process writes to it with no pipe in between.
func direct(w io.Writer) io.Writer {
	if fw, ok := w.(interface{ File() (*os.File, error) }); ok {
		if f, err := fw.File(); err == nil {
			return f
		}
	}
	return w
}
