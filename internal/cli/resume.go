package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/engine"
	nodeproc "github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/store"
)

// ResumeOptions are the settings of `osop resume` and `osop retry`.
type ResumeOptions struct {
	RunOptions
	RunID string
	From  string // retry: the node to run again, with everything after it
	Force bool
}

func newResumeCmd(f *Factory) *cobra.Command {
	opts := &ResumeOptions{RunOptions: RunOptions{IO: f.IO, Output: "text", Limits: f.Limits}}
	cmd := &cobra.Command{
		Use:   "resume RUN",
		Short: "Continue a run that crashed, was killed or failed",
		Long: `Continue a run that crashed, was killed (even with kill -9) or failed. Nodes
that completed are not run again: their recorded outputs are reused. The
rest runs as the workflow says, recorded in the same run and the same
.osoplog. Secrets are never stored: each is read again where it came
from (the same --secrets-file, the environment); one given with --secret
must be given again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RunID = args[0]
			return resumeRun(cmd.Context(), f, opts)
		},
	}
	addResumeFlags(cmd, opts)
	return cmd
}

func newRetryCmd(f *Factory) *cobra.Command {
	opts := &ResumeOptions{RunOptions: RunOptions{IO: f.IO, Output: "text", Limits: f.Limits}}
	cmd := &cobra.Command{
		Use:   "retry RUN --from NODE",
		Short: "Run a recorded run again from a chosen node",
		Long: `Run NODE and everything after it again, in the same run, reusing the
recorded outputs of everything before it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RunID = args[0]
			if opts.From == "" {
				return exitf(ExitUsage, "retry needs --from NODE")
			}
			return resumeRun(cmd.Context(), f, opts)
		},
	}
	addResumeFlags(cmd, opts)
	cmd.Flags().StringVar(&opts.From, "from", "", "the node to run again (required)")
	return cmd
}

func addResumeFlags(cmd *cobra.Command, opts *ResumeOptions) {
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Secrets, "secret", nil, "secret NAME=VALUE (repeatable); those the run was given with --secret must be given again")
	fl.StringVar(&opts.SecretsFile, "secrets-file", "", "file of NAME=VALUE secret lines")
	fl.StringVar(&opts.Workdir, "workdir", "", "directory the run was started in (default: current)")
	fl.BoolVar(&opts.Force, "force", false, "resume even though the workflow file changed since the run")
	addExecutionFlags(cmd, &opts.RunOptions)
}

func resumeRun(ctx context.Context, f *Factory, opts *ResumeOptions) error {
	if err := checkExecution(&opts.RunOptions); err != nil {
		return err
	}
	sf := storeFlags{workdir: opts.Workdir, store: opts.Store}
	st, err := sf.open()
	if err != nil {
		return err
	}
	r, err := getRun(ctx, st, opts.RunID)
	if err != nil {
		st.Close()
		return err
	}
	if r.Status == run.Running && r.PID > 0 && r.PID != os.Getpid() && processAlive(r.PID) {
		st.Close()
		return exitf(ExitUsage, "run %s is still running (process %d)", r.ID, r.PID)
	}
	past, err := recall(ctx, st, r.ID, opts.IO.ErrOut)
	st.Close()
	if err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	attempts, history := past.attempts, past.history
	if r.Status == run.Completed && opts.From == "" {
		fmt.Fprintf(opts.IO.Out, "run %s already completed; nothing to resume (osop retry %s --from NODE runs part of it again)\n", r.ID, r.ID)
		return nil
	}
	ro := opts.RunOptions
	ro.File, ro.Workdir = r.WorkflowFile, r.Workdir
	if ro.MaxParallel == 0 { // not given: as the run was started
		ro.MaxParallel = r.Params.MaxParallel
	}
	ro.MaxIterations = r.Params.MaxIterations
	ro.AutoApprove = ro.AutoApprove || r.Params.AutoApprove
	ro.Simulate, ro.Scenario = r.Params.Simulated, r.Params.Scenario // a simulation goes on simulated
	ro.delegateFlags.resumed(r.Params)
	env := environ()
	secrets, err := rereadSecrets(string(r.ID), r.Params, ro.Secrets, ro.SecretsFile, env)
	if err != nil {
		return err
	}
	if ro.Sets, err = restoredSets(r.Params, secrets.values); err != nil {
		return err
	}
	p, err := prepareMasked(f, &ro, secrets)
	if err != nil {
		return err
	}
	if p.hash != r.WorkflowHash && !opts.Force {
		again := fmt.Sprintf("osop resume %s --force", r.ID)
		if opts.From != "" {
			again = fmt.Sprintf("osop retry %s --from %s --force", r.ID, opts.From)
		}
		return exitf(ExitUsage, "%s changed since run %s started (hash %s, was %s): %s goes on with the new file", r.WorkflowFile, r.ID, p.hash, r.WorkflowHash, again)
	}
	vars, inputs, builtins, err := restoredValues(r.Params, p.w, secrets.values)
	if err != nil {
		return maskErr(err, secrets.masker())
	}
	if opts.From != "" && p.w.Node(opts.From) == nil {
		return exitf(ExitUsage, "--from %q: the workflow has no such node", opts.From)
	}
	var prior map[string]engine.Prior
	if len(history) == 0 {
		// Recorded before runs kept their history: rebuild what each node
		// last did from its attempts.
		if prior, err = priorState(p, attempts, opts.From); err != nil {
			return err
		}
	}
	eopts := engine.Options{
		Workflow: p.w, RunID: r.ID, Vars: vars, Inputs: inputs, Secrets: secrets.values,
		Env: env, Builtins: builtins, Workdir: r.Workdir, MaxParallel: ro.MaxParallel, FailFast: ro.FailFast, Masker: secrets.masker(),
		MaxIterations: r.Params.MaxIterations,
		Replay:        history, RetryFrom: opts.From, Interrupted: interruptedEnds(attempts),
	}
	if eopts.Registry, err = runRegistry(f, &ro); err != nil {
		return err
	}
	if ro.Simulate {
		if err := simulation(f, &ro, p, &eopts); err != nil {
			return err
		}
	}
	ex := &execution{f: f, opts: &ro, p: p, eopts: eopts, params: r.Params, existing: r, earlier: attempts}
	return ex.run(ctx, prior, past.seq)
}

// interruptedEnds gives the engine the end Heal gave each attempt its
// osop's death interrupted, so that the run's records agree on it.
func interruptedEnds(attempts []*store.Attempt) func(string, int, int) (time.Time, time.Time, bool) {
	type key struct {
		node            string
		iteration, what int
	}
	ends := map[key]*store.Attempt{}
	for _, a := range attempts {
		if a.ErrorCode == run.CodeInterrupted && !a.StartedAt.IsZero() {
			ends[key{a.NodeID, a.Iteration, a.Attempt}] = a
		}
	}
	return func(node string, iteration, attempt int) (time.Time, time.Time, bool) {
		a, ok := ends[key{node, iteration, attempt}]
		if !ok {
			return time.Time{}, time.Time{}, false
		}
		return a.StartedAt, a.EndedAt, true
	}
}

// past is what the store remembers of a run, for resume.
type past struct {
	attempts []*store.Attempt
	history  [][]byte // the engine's steps, to replay
	seq      int64    // where the run's attempts go on numbering
}

// recall ends what a crashed run left running, folds its journal into the
// database, and reads what the run did.
func recall(ctx context.Context, st *store.Store, id run.ID, errOut io.Writer) (*past, error) {
	lastAlive := st.LastWrite(id) // before anything below writes the journal
	if err := endLeftovers(ctx, st, id, errOut); err != nil {
		return nil, err
	}
	if err := st.Heal(ctx, id, lastAlive); err != nil {
		return nil, err
	}
	var p past
	var err error
	if p.attempts, err = st.Attempts(ctx, id); err != nil {
		return nil, err
	}
	if p.history, err = st.History(ctx, id); err != nil {
		return nil, err
	}
	if p.seq, err = st.NextSeq(ctx, id); err != nil {
		return nil, err
	}
	return &p, nil
}

// endLeftovers ends the process groups a crashed run's nodes left
// running (when its supervisor could not), before anything runs again.
func endLeftovers(ctx context.Context, st *store.Store, id run.ID, errOut io.Writer) error {
	groups, err := st.RunningGroups(ctx, id)
	if err != nil {
		return err
	}
	for _, g := range groups {
		ended, err := nodeproc.EndGroup(g.PGID, g.Start, g.Token)
		if err != nil {
			return fmt.Errorf("ending process group %d of node %s: %w", g.PGID, g.Node, err)
		}
		if ended {
			fmt.Fprintf(errOut, "osop: ended process group %d, left running by node %s (attempt %d)\n", g.PGID, g.Node, g.Attempt)
		}
		if err := st.GroupEnded(id, g); err != nil {
			return err
		}
	}
	return nil
}

// priorState reads what each node last did. Completed nodes are reused;
// the others keep their attempt count so new attempts number on from it.
// With from, that node and everything after it run again.
func priorState(p *prepared, attempts []*store.Attempt, from string) (map[string]engine.Prior, error) {
	prior := map[string]engine.Prior{}
	for _, a := range attempts {
		if a.Attempt == 0 {
			continue // a record of a node that did not run
		}
		pr := prior[a.NodeID]
		pr.Attempts = max(pr.Attempts, a.Attempt)
		pr.Status, pr.Outputs = a.Status, a.Outputs
		prior[a.NodeID] = pr
	}
	if from == "" {
		return prior, nil
	}
	g := graph.New(p.w)
	i, ok := g.Index(from)
	if !ok {
		return nil, exitf(ExitUsage, "--from %q: the workflow has no such node", from)
	}
	again := map[int]bool{i: true}
	stack := []int{i}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, a := range g.Out(x) {
			if !again[a.To] && !a.IsLoop() {
				again[a.To] = true
				stack = append(stack, a.To)
			}
		}
	}
	for x := range again {
		id := g.Nodes[x].ID.V
		pr := prior[id]
		pr.Status = run.Pending
		prior[id] = pr
	}
	return prior, nil
}
