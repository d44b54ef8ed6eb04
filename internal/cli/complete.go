package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/store"
)

// CompleteOptions are the settings of `osop complete`.
type CompleteOptions struct {
	IO        *IOStreams
	Limits    parse.Limits
	Registry  *executor.Registry
	RunID     string
	Node      string
	Failed    string // the reason, when the step failed
	Skip      bool
	Reason    string // why it was skipped
	Outputs   []string
	Iteration int
	Wait      time.Duration
	By        string
	// OutputsArg says how the caller passes an output's value, for the
	// hints of errors; default --output NAME=….
	OutputsArg func(name string) string
}

func (o *CompleteOptions) outputsArg(name string) string {
	if o.OutputsArg != nil {
		return o.OutputsArg(name)
	}
	return "--output " + name + "=…"
}

func newCompleteCmd(f *Factory) *cobra.Command {
	var sf storeFlags
	opts := &CompleteOptions{IO: f.IO, Limits: f.Limits}
	cmd := &cobra.Command{
		Use:   "complete RUN NODE",
		Short: "Answer a manual step a run waits on: done, --failed REASON, or --skip",
		Long: `Say how a manual step went, from another shell, for a run started with
--manual=wait. The answer is for the step's current attempt (and loop
iteration) and nothing else: it is refused, with the reason, when the run
has no such node, the node is not a manual step, it is not waiting now, or
the run has finished. Done gives the outputs the step declares, with
--output NAME=VALUE; --failed fails the node (failure paths then apply);
--skip passes it by, and the run goes on.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RunID, opts.Node = args[0], args[1]
			opts.Registry = f.registry()
			sf.awaitRun(cmd.Context(), opts.RunID, opts.Wait)
			return sf.withRun(cmd.Context(), opts.RunID, func(st *store.Store, r *store.Run) error {
				return answerManualStep(cmd.Context(), st, r, opts)
			})
		},
	}
	sf.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&opts.Failed, "failed", "", "the step failed, for this reason")
	fl.BoolVar(&opts.Skip, "skip", false, "the step was not done; the run goes on past it")
	fl.StringVar(&opts.Reason, "reason", "", "why the step was skipped (with --skip)")
	fl.StringArrayVar(&opts.Outputs, "output", nil, "a value for an output the step declares, NAME=VALUE (repeatable)")
	fl.IntVar(&opts.Iteration, "iteration", -1, "the loop iteration to answer, when several wait")
	fl.DurationVar(&opts.Wait, "wait", 0, "wait this long for the step to ask, if it does not wait yet (for scripts)")
	fl.StringVar(&opts.By, "operator", "", "who did the step (default $USER)")
	addLimitFlags(cmd, &opts.Limits)
	return cmd
}

// answerManualStep answers the manual step opts.Node of run r.
func answerManualStep(ctx context.Context, st *store.Store, r *store.Run, opts *CompleteOptions) error {
	d, err := completion(opts)
	if err != nil {
		return err
	}
	w, err := findManualWait(ctx, st, r, opts)
	if err != nil {
		return err
	}
	given, err := keyValues("--output", opts.Outputs)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	for k := range given {
		if !containsName(w.Outputs, k) {
			return exitf(ExitUsage, "--output %s: step %q gives %s", k, w.NodeID, outputsPhrase(w.Outputs))
		}
	}
	if d.Decision == executor.AnswerDone {
		for _, o := range w.Outputs {
			if _, ok := given[o]; !ok {
				return exitf(ExitUsage, "step %q must give %s: pass --output %s=… (or --failed REASON, --skip)", w.NodeID, outputsPhrase(w.Outputs), o)
			}
		}
	}
	if err := checkGivenOutputs(r, opts.Limits, w.NodeID, given, opts.outputsArg); err != nil {
		return err
	}
	if len(given) > 0 {
		d.Outputs = given
	}
	if err := st.Decide(ctx, w.ID, d); errors.Is(err, store.ErrNotWaiting) {
		return exitf(ExitUsage, "step %q of run %s stopped waiting before the answer arrived", w.NodeID, r.ID)
	} else if err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	fmt.Fprintf(opts.IO.Out, "%s: %s recorded for %s by %s (attempt %d%s)\n", r.ID, d.Decision, w.NodeID, d.By, w.Attempt, iterationNote(w.Iteration))
	return nil
}

// completion is the answer the flags give.
func completion(opts *CompleteOptions) (store.Decision, error) {
	by := opts.By
	if by == "" {
		by = manualFlags{}.operator()
	}
	d := store.Decision{Decision: executor.AnswerDone, By: by}
	switch {
	case opts.Failed != "" && opts.Skip:
		return d, exitf(ExitUsage, "--failed and --skip: pass one")
	case opts.Failed != "":
		d.Decision, d.Comment = executor.AnswerFailed, opts.Failed
	case opts.Skip:
		d.Decision, d.Comment = executor.AnswerSkip, opts.Reason
	case opts.Reason != "":
		return d, exitf(ExitUsage, "--reason is for --skip (a failure's reason is --failed REASON)")
	}
	if d.Decision != executor.AnswerDone && len(opts.Outputs) > 0 {
		return d, exitf(ExitUsage, "--output is for a step that was done, not with --%s", map[string]string{executor.AnswerFailed: "failed", executor.AnswerSkip: "skip"}[d.Decision])
	}
	return d, nil
}

func containsName(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// findManualWait finds the open wait of a manual step, giving a step that
// may yet ask up to opts.Wait, or says why there is none.
func findManualWait(ctx context.Context, st *store.Store, r *store.Run, opts *CompleteOptions) (store.Wait, error) {
	deadline := time.Now().Add(opts.Wait)
	for {
		w, later, err := openManualWait(ctx, st, r, opts)
		if err == nil || !later || time.Now().After(deadline) {
			return w, err
		}
		select {
		case <-ctx.Done():
			return store.Wait{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if r, err = st.GetRun(ctx, string(r.ID)); err != nil {
			return store.Wait{}, &ExitError{Code: ExitFailed, Err: err}
		}
	}
}

// openManualWait is the open wait an answer for opts.Node is for now;
// later says the step may yet ask.
func openManualWait(ctx context.Context, st *store.Store, r *store.Run, opts *CompleteOptions) (store.Wait, bool, error) {
	if err := reachable(r); err != nil {
		return store.Wait{}, true, err
	}
	ws, err := st.Waiting(ctx, r.ID)
	if err != nil {
		return store.Wait{}, false, &ExitError{Code: ExitFailed, Err: err}
	}
	var mine []store.Wait
	for _, w := range ws {
		if w.NodeID == opts.Node && w.Kind == store.WaitManual && (opts.Iteration < 0 || w.Iteration == opts.Iteration) {
			mine = append(mine, w)
		}
	}
	switch len(mine) {
	case 1:
		return mine[0], false, nil
	case 0:
		later, err := notManualWaiting(r, opts)
		return store.Wait{}, later, err
	}
	its := make([]string, len(mine))
	for i, w := range mine {
		its[i] = fmt.Sprint(w.Iteration)
	}
	return store.Wait{}, false, exitf(ExitUsage, "step %q waits in iterations %s: pass --iteration N", opts.Node, strings.Join(its, ", "))
}

// notManualWaiting explains, from the run's workflow, why nothing waits
// for an answer to opts.Node.
func notManualWaiting(r *store.Run, opts *CompleteOptions) (bool, error) {
	w, err := runWorkflow(r, opts.Limits)
	if err != nil {
		return true, exitf(ExitUsage, "node %q of run %s is not waiting for a person", opts.Node, r.ID)
	}
	steps := manualSteps(w, opts.Registry)
	which := "it has no manual steps"
	if len(steps) > 0 {
		which = "its manual steps: " + strings.Join(steps, ", ")
	}
	n := w.Node(opts.Node)
	switch {
	case n == nil:
		return false, exitf(ExitUsage, "run %s has no node %q (%s)", r.ID, opts.Node, which)
	case !containsName(steps, opts.Node):
		hint := ""
		if takesDecision(n) {
			hint = "; it takes a decision: osop approve " + string(r.ID) + " " + opts.Node
		}
		return false, exitf(ExitUsage, "node %q is a %s node that osop runs, not a manual step (%s)%s", opts.Node, n.Type.V, which, hint)
	}
	return true, exitf(ExitUsage, "step %q of run %s is not waiting for a person now: it has not started, it was answered, "+
		"or the run asks on its own terminal or from --answers (only a run started with --manual=wait waits for osop complete; --wait DURATION waits for it to ask)",
		opts.Node, r.ID)
}

// manualSteps lists the workflow's manual steps, in file order.
func manualSteps(w *ast.Workflow, reg *executor.Registry) []string {
	if reg == nil {
		return nil
	}
	var out []string
	config := engine.NodeConfigs(w)
	for _, n := range w.Nodes {
		if reg.Manual(config(n)) {
			out = append(out, n.ID.V)
		}
	}
	return out
}
