package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/executor"
	nodeproc "github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/store"
)

// ApproveOptions are the settings of `osop approve`.
type ApproveOptions struct {
	IO        *IOStreams
	Limits    parse.Limits
	RunID     string
	Node      string
	Reject    bool
	Choice    string
	Comment   string
	Outputs   []string // NAME=VALUE
	Iteration int      // which iteration's wait, when several are open; -1: the only one
	// Wait is how long to wait for the node to ask, when it takes a
	// decision but does not wait for one yet; 0 refuses at once.
	Wait time.Duration
	// By names who decides; empty means the user running osop.
	By string
	// OutputsArg says how the caller passes an output's value, for the
	// refusals: "--output NAME=…" by default; the MCP approve tool's
	// "outputs: {NAME: …}".
	OutputsArg func(name string) string
}

func (o *ApproveOptions) outputsArg(name string) string {
	if o.OutputsArg != nil {
		return o.OutputsArg(name)
	}
	return "--output " + name + "=…"
}

func newApproveCmd(f *Factory) *cobra.Command {
	var sf storeFlags
	opts := &ApproveOptions{IO: f.IO, Limits: f.Limits}
	cmd := &cobra.Command{
		Use:   "approve RUN NODE",
		Short: "Approve (or --reject) a human node a run is waiting on",
		Long: `Answer a human node (or a node with an approval gate) that a running run
waits on. The decision answers that wait, the node's current attempt, and
nothing else: it is refused, with the reason, when the run has no such
node, the node takes no decision, it is not waiting now, or the run has
finished. Outputs the node declares are given with --output NAME=VALUE.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.RunID, opts.Node = args[0], args[1]
			sf.awaitRun(cmd.Context(), opts.RunID, opts.Wait)
			return sf.withRun(cmd.Context(), opts.RunID, func(st *store.Store, r *store.Run) error {
				_, err := approveRun(cmd.Context(), st, r, opts)
				return err
			})
		},
	}
	sf.add(cmd)
	cmd.Flags().BoolVar(&opts.Reject, "reject", false, "reject instead of approving")
	cmd.Flags().StringVar(&opts.Comment, "comment", "", "a comment recorded with the decision")
	cmd.Flags().StringVar(&opts.Choice, "choice", "", "one of the node's options, when it has more than approve/reject")
	cmd.Flags().StringArrayVar(&opts.Outputs, "output", nil, "a value for an output the node declares, NAME=VALUE (repeatable)")
	cmd.Flags().IntVar(&opts.Iteration, "iteration", -1, "the loop iteration to answer, when several wait")
	cmd.Flags().DurationVar(&opts.Wait, "wait", 0, "wait this long for the node to ask, if it does not wait yet (for scripts)")
	addLimitFlags(cmd, &opts.Limits)
	return cmd
}

// awaitRun gives a run just started in the background up to d to appear
// in the store; withRun then says what it finds.
func (s *storeFlags) awaitRun(ctx context.Context, id string, d time.Duration) {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if st, err := s.open(); err == nil {
			_, err := st.GetRun(ctx, id)
			st.Close()
			if err == nil {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// approveRun answers the wait of opts.Node in run r, checked against what
// it asks; osop approve and the MCP approve tool both use it.
func approveRun(ctx context.Context, st *store.Store, r *store.Run, opts *ApproveOptions) (store.Decision, error) {
	w, err := findWait(ctx, st, r, opts)
	if err != nil {
		return store.Decision{}, err
	}
	d, err := decisionFor(w, opts)
	if err != nil {
		return d, err
	}
	if err := checkGivenOutputs(r, opts.Limits, w.NodeID, d.Outputs, opts.outputsArg); err != nil {
		return d, err
	}
	if err := st.Decide(ctx, w.ID, d); errors.Is(err, store.ErrNotWaiting) {
		return d, exitf(ExitUsage, "node %q of run %s stopped waiting before the decision arrived", w.NodeID, r.ID)
	} else if err != nil {
		return d, &ExitError{Code: ExitFailed, Err: err}
	}
	fmt.Fprintf(opts.IO.Out, "%s: %s recorded for %s (attempt %d%s)\n", r.ID, d.Decision, w.NodeID, w.Attempt, iterationNote(w.Iteration))
	return d, nil
}

// findWait finds the open wait to answer. With --wait, a node that takes
// a decision but does not wait yet, in a run that is not running yet or
// any more (a resume or retry may be starting), is given that long to
// ask; the other refusals are at once.
func findWait(ctx context.Context, st *store.Store, r *store.Run, opts *ApproveOptions) (store.Wait, error) {
	deadline := time.Now().Add(opts.Wait)
	for {
		w, err := openWaitFor(ctx, st, r, opts)
		var nw *notWaitingError
		if !errors.As(err, &nw) || !nw.later || time.Now().After(deadline) {
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

// openWaitFor is the open wait a decision for opts.Node answers now.
func openWaitFor(ctx context.Context, st *store.Store, r *store.Run, opts *ApproveOptions) (store.Wait, error) {
	if err := reachable(r); err != nil {
		return store.Wait{}, &notWaitingError{ExitError: err, later: true}
	}
	ws, err := st.Waiting(ctx, r.ID)
	if err != nil {
		return store.Wait{}, &ExitError{Code: ExitFailed, Err: err}
	}
	return pickWait(r, ws, opts)
}

// notWaitingError says why no wait answers a decision; later is set when
// the node takes decisions and may yet ask.
type notWaitingError struct {
	*ExitError
	later bool
}

// Unwrap lets Main find the exit code.
func (e *notWaitingError) Unwrap() error { return e.ExitError }

func iterationNote(i int) string {
	if i == 0 {
		return ""
	}
	return fmt.Sprintf(", iteration %d", i)
}

// reachable refuses a run that no decision or signal can reach: one that
// has finished, or whose process stopped without finishing it.
func reachable(r *store.Run) *ExitError {
	switch {
	case r.Status.Done():
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("run %s has finished (%s): nothing in it waits any more (osop retry %s --from NODE runs part of it again)",
			r.ID, r.Status, r.ID)}
	case !processAlive(r.PID):
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("run %s is not running: its process %d stopped; osop resume %s continues it and asks again", r.ID, r.PID, r.ID)}
	}
	return nil
}

func processAlive(pid int) bool { return nodeproc.Alive(pid) }

// pickWait finds the open wait a decision for opts.Node answers, or says
// why there is none.
func pickWait(r *store.Run, ws []store.Wait, opts *ApproveOptions) (store.Wait, error) {
	var mine []store.Wait
	for _, w := range ws {
		if w.NodeID == opts.Node && (opts.Iteration < 0 || w.Iteration == opts.Iteration) {
			if w.Kind == store.WaitManual {
				return store.Wait{}, exitf(ExitUsage, "node %q is a manual step, which takes no decision: osop complete %s %s [--failed REASON | --skip] answers it",
					opts.Node, r.ID, opts.Node)
			}
			mine = append(mine, w)
		}
	}
	switch len(mine) {
	case 1:
		return mine[0], nil
	case 0:
		return store.Wait{}, notWaiting(r, opts)
	}
	its := make([]string, len(mine))
	for i, w := range mine {
		its[i] = fmt.Sprint(w.Iteration)
	}
	return store.Wait{}, exitf(ExitUsage, "node %q waits in iterations %s: pass --iteration N", opts.Node, strings.Join(its, ", "))
}

// notWaiting explains, from the run's workflow, why nothing waits for a
// decision on a node.
func notWaiting(r *store.Run, opts *ApproveOptions) error {
	refuse := func(later bool, format string, args ...any) error {
		return &notWaitingError{ExitError: &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...)}, later: later}
	}
	w, err := runWorkflow(r, opts.Limits)
	if err != nil {
		return refuse(true, "node %q of run %s is not waiting for a decision", opts.Node, r.ID)
	}
	var askers []string
	var node *ast.Node
	for _, n := range w.Nodes {
		if takesDecision(n) {
			askers = append(askers, n.ID.V)
		}
		if n.ID.V == opts.Node && node == nil {
			node = n
		}
	}
	which := "none of its nodes does"
	if len(askers) > 0 {
		which = "nodes that take one: " + strings.Join(askers, ", ")
	}
	switch {
	case node == nil:
		return refuse(false, "run %s has no node %q (%s)", r.ID, opts.Node, which)
	case !takesDecision(node):
		return refuse(false, "node %q is a %s node without an approval gate: it takes no decision (%s)", opts.Node, node.Type.V, which)
	}
	return refuse(true, "node %q of run %s is not waiting for a decision now: it has not started, it was answered, or it asks on the run's own terminal (--wait DURATION waits for it to ask)", opts.Node, r.ID)
}

func takesDecision(n *ast.Node) bool {
	return n.Type.V == "human" || (n.Approval != nil && n.Approval.Required)
}

// runWorkflow reads the workflow a run runs, with the run's --set
// overrides.
func runWorkflow(r *store.Run, lim parse.Limits) (*ast.Workflow, error) {
	doc, _, err := parse.File(r.WorkflowFile, lim)
	if err != nil {
		return nil, err
	}
	if doc.Root == nil || doc.Workflow == nil {
		return nil, fmt.Errorf("%s does not load", r.WorkflowFile)
	}
	if len(r.Params.Sets) == 0 {
		return doc.Workflow, nil
	}
	root := doc.Root
	for _, s := range r.Params.Sets {
		path, value, _ := strings.Cut(s, "=")
		if root, err = parse.Set(root, path, value); err != nil {
			return nil, err
		}
	}
	w, _ := parse.Workflow(doc.File, root)
	return w, nil
}

// decisionFor checks the answer against what the wait asks: one of its
// options, and a value for each output it wants unless it is a rejection.
func decisionFor(w store.Wait, opts *ApproveOptions) (store.Decision, error) {
	options := w.Options
	if len(options) == 0 {
		options = executor.DefaultApprovalOptions
	}
	choice, err := chosen(w.NodeID, options, opts)
	if err != nil {
		return store.Decision{}, err
	}
	d := store.Decision{Decision: choice, Comment: opts.Comment, By: firstNonEmpty(opts.By, currentUser())}
	given, err := keyValues("--output", opts.Outputs)
	if err != nil {
		return d, &ExitError{Code: ExitUsage, Err: err}
	}
	for k := range given {
		if !slices.Contains(w.Outputs, k) {
			return d, exitf(ExitUsage, "%s: node %q asks for %s", strings.TrimSuffix(opts.outputsArg(k), "=…"), w.NodeID, outputsPhrase(w.Outputs))
		}
	}
	if !(executor.Decision{Choice: choice}).Rejected() {
		for _, o := range w.Outputs {
			if _, ok := given[o]; !ok {
				return d, exitf(ExitUsage, "node %q asks its approver for %s: pass %s", w.NodeID, outputsPhrase(w.Outputs), opts.outputsArg(o))
			}
		}
	}
	if len(given) > 0 {
		d.Outputs = given
	}
	return d, nil
}

func outputsPhrase(outs []string) string {
	if len(outs) == 0 {
		return "no outputs"
	}
	return "the outputs " + strings.Join(outs, ", ")
}

// chosen is the option the flags pick: --choice, --reject, or approve.
func chosen(node string, options []string, opts *ApproveOptions) (string, error) {
	want := opts.Choice
	switch {
	case opts.Reject && want != "":
		return "", exitf(ExitUsage, "--reject and --choice %s: pass one", want)
	case opts.Reject:
		for _, o := range options {
			if (executor.Decision{Choice: o}).Rejected() {
				return o, nil
			}
		}
		return "", exitf(ExitUsage, "node %q offers %s, none of which rejects: pass --choice", node, strings.Join(options, ", "))
	case want == "" && isApproveReject(options):
		return "approve", nil
	case want == "":
		return "", exitf(ExitUsage, "node %q asks for one of %s: pass --choice", node, strings.Join(options, ", "))
	}
	for _, o := range options {
		if strings.EqualFold(o, want) {
			return o, nil
		}
	}
	return "", exitf(ExitUsage, "--choice %s: node %q asks for one of %s", want, node, strings.Join(options, ", "))
}

func newSignalCmd(f *Factory) *cobra.Command {
	var sf storeFlags
	var data string
	cmd := &cobra.Command{
		Use:   "signal RUN NAME",
		Short: "Deliver a signal to a run waiting on an event edge or event node",
		Long: `Deliver a signal to a running run. Only the signals its workflow waits
for (its event edges and event nodes) are taken; a signal the run would
never read, or one sent to a run that has finished, is refused.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			payload := map[string]any{}
			if data != "" {
				if err := json.Unmarshal([]byte(data), &payload); err != nil {
					return exitf(ExitUsage, "--data must be a JSON object: %v", err)
				}
			}
			return sf.withRun(cmd.Context(), args[0], func(st *store.Store, r *store.Run) error {
				return signalRun(cmd.Context(), f.IO, st, r, args[1], payload)
			})
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&data, "data", "", "JSON object delivered with the signal (event.data in conditions)")
	return cmd
}

func signalRun(ctx context.Context, io *IOStreams, st *store.Store, r *store.Run, name string, payload map[string]any) error {
	if err := reachable(r); err != nil {
		return err
	}
	names, err := st.Accepts(ctx, r.ID)
	if err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	if !slices.Contains(names, name) {
		takes := "it waits for no signal (no event edge or event node)"
		if len(names) > 0 {
			takes = "it waits for " + strings.Join(quoteAll(names), ", ")
		}
		return exitf(ExitUsage, "run %s never reads a signal %q: %s", r.ID, name, takes)
	}
	if err := st.SendSignal(ctx, r.ID, name, payload); err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	fmt.Fprintf(io.Out, "%s: signal %q sent\n", r.ID, name)
	return nil
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}
