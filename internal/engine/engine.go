package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/secret"
)

// Options configure a run.
type Options struct {
	Workflow *ast.Workflow
	Registry *executor.Registry
	RunID    run.ID
	// Vars fill {{NAME}} templates (osop run --var).
	Vars map[string]string
	// Inputs are the workflow inputs, typed, defaults applied.
	Inputs map[string]any
	// Secrets fill ${secrets.NAME}; their values are masked everywhere.
	Secrets map[string]string
	// Env is the environment the run sees (${env.X}, and the base of every
	// process's environment).
	Env map[string]string
	// Builtins are validate.Builtins: GIT_SHA, GIT_SHA_SHORT, GIT_BRANCH, RUN_ID, TIMESTAMP, WORKFLOW_ID.
	Builtins map[string]string
	Workdir  string
	// TempDir is where the run keeps scratch files; empty means a fresh
	// directory (on /dev/shm when there is one), removed at the end.
	TempDir string
	// ArtifactDir is where nodes keep files that outlive the run.
	ArtifactDir string
	// MaxParallel bounds the nodes running at once; 0 means CPUs × 4.
	MaxParallel int
	// FailFast cancels running nodes when a failure is not handled.
	FailFast bool
	// MaxIterations bounds every loop that sets no max_iterations of its
	// own; 0 means the machine's defaults (10 for a rework loop, 100 for
	// a while loop).
	MaxIterations int
	Approver      executor.Approver
	// Signals delivers signals for event edges and event nodes.
	Signals SignalSource
	// Stream, when set, returns a writer that receives a node's output
	// live (stderr says which stream), or nil for none.
	Stream func(node string, stderr bool) io.Writer
	// Sink receives every event, in order, from the engine's goroutine,
	// before anything that depends on the event happens (Journal, not
	// Sink, is what keeps the run safe from a crash). Secrets are already
	// masked.
	Sink func(run.Event)
	// Masker hides secret values; the engine adds Secrets to it.
	Masker *secret.Masker
	// Resume holds what an earlier run of the same workflow finished:
	// those nodes are not run again and their outputs are reused. Replay,
	// when there is a recorded history, is exact and preferred.
	Resume map[string]Prior
	// Journal, when set, keeps the run's history as it happens, so that
	// a crashed, killed or failed run can continue (see Replay).
	Journal Journal
	// Replay is the history of an earlier part of this run, the steps
	// Journal received, in order. The engine replays it, running
	// nothing, and then resumes the run: attempts that were running are
	// recorded as interrupted and run again, as does every node that had
	// not completed; completed nodes never run again.
	Replay [][]byte
	// RetryFrom, with Replay, runs that node and everything after it
	// again instead of resuming; nothing before it runs.
	RetryFrom string
	// Interrupted, with Replay, gives the start and end of an attempt
	// that was running when the process running it died (resume decides
	// the end: see store.Interrupted), so the record of its interruption
	// carries that end and duration rather than the moment of resume.
	Interrupted func(node string, iteration, attempt int) (started, ended time.Time, ok bool)
	// Seed feeds the jitter of retry delays; 0 picks one at random.
	Seed uint64
	// AllowPrompt says whether a person can answer prompts on a terminal.
	AllowPrompt bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NoWaits makes retries go ahead without their backoff (a simulated
	// run, in which attempts take no time): the machine decides and
	// records the same delays, only the wall clock is spared. Each signal
	// then comes once: an event edge whose when does not hold for it is
	// not taken.
	NoWaits bool
}

// Prior is a node's result from an earlier run, for resume.
type Prior struct {
	Status   run.Status
	Outputs  map[string]any
	Attempts int
}

// Journal keeps a run's history durably. Its methods may be called from
// several goroutines.
type Journal interface {
	// Step records one step of the run before the engine acts on it: the
	// decision machine's event, encoded (what Options.Replay gives back),
	// and the record events it caused, masked and in order (a journal
	// keeps those of nodes). It must be durable when it returns.
	Step(step []byte, events []run.Event)
	// Group records a process group an attempt started or (Running
	// false) that ended, so that resume can end one a crash left running.
	Group(g run.ProcessGroup)
}

// SignalSource delivers named signals to a run.
type SignalSource interface {
	// Wait blocks until a signal of that name arrives for the run, and
	// returns its data.
	Wait(ctx context.Context, runID run.ID, name string) (map[string]any, error)
}

// Result is how a run ended.
type Result struct {
	Status run.Status // Completed, Failed, TimedOut or Cancelled
	// Recovered is set when the run completed only because a fallback,
	// error or timeout edge handled a failure.
	Recovered bool
	// Failures names the failures nothing handled.
	Failures []string
	Nodes    map[string]NodeResult
	Started  time.Time
	Ended    time.Time
}

// NodeResult is a node's final state.
type NodeResult struct {
	Status   run.Status
	Reason   string
	Attempts int
	Outputs  map[string]any
}

// ErrInvalidOptions reports a run that cannot start.
var ErrInvalidOptions = errors.New("invalid run options")

// Run executes the workflow and returns how it ended. It returns an error
// only when the run cannot start; node failures are in the Result.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Workflow == nil || opts.Registry == nil {
		return nil, fmt.Errorf("%w: a workflow and a registry are required", ErrInvalidOptions)
	}
	if opts.MaxParallel <= 0 {
		opts.MaxParallel = runtime.NumCPU() * 4
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.TempDir == "" {
		dir, err := scratchDir()
		if err != nil {
			return nil, fmt.Errorf("scratch directory: %w", err)
		}
		defer os.RemoveAll(dir)
		opts.TempDir = dir
	}
	d, err := newDriver(opts)
	if err != nil {
		return nil, err
	}
	return d.run(ctx)
}

// scratchDir makes a private directory for a run's scratch files, in
// memory when the system offers it: a run creates one file per command.
func scratchDir() (string, error) {
	base := os.Getenv("OSOP_TMPDIR")
	if base == "" {
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			base = "/dev/shm"
		}
	}
	dir, err := os.MkdirTemp(base, "osop-run-")
	if err != nil && base != "" {
		dir, err = os.MkdirTemp("", "osop-run-")
	}
	return dir, err
}
