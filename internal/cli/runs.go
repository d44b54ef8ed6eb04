package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/jsonout"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/store"
)

// storeFlags are the flags every command that reads the store has.
type storeFlags struct {
	workdir string
	store   string
}

func (s *storeFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.workdir, "workdir", "", "directory whose .osop/osop.db holds the runs (default: current)")
	cmd.Flags().StringVar(&s.store, "store", "", "run database (default WORKDIR/.osop/osop.db)")
}

func (s *storeFlags) open() (*store.Store, error) {
	path := s.store
	if path == "" {
		dir, err := filepath.Abs(firstNonEmpty(s.workdir, "."))
		if err != nil {
			return nil, err
		}
		path = filepath.Join(dir, ".osop", "osop.db")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, exitf(ExitUsage, "no runs here: %s does not exist (run a workflow first, or pass --workdir/--store)", path)
	}
	st, err := store.Open(path)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return st, nil
}

// withRun opens the store, finds the run by id (or unique prefix) and
// calls fn with both; the store is closed afterwards.
func (s *storeFlags) withRun(ctx context.Context, id string, fn func(*store.Store, *store.Run) error) error {
	st, err := s.open()
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := getRun(ctx, st, id)
	if err != nil {
		return err
	}
	return fn(st, r)
}

func getRun(ctx context.Context, st *store.Store, id string) (*store.Run, error) {
	r, err := st.GetRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, exitf(ExitUsage, "%v: see osop runs", err)
	}
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return r, nil
}

func newRunsCmd(f *Factory) *cobra.Command {
	var sf storeFlags
	var filter store.Filter
	var output string
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List recorded runs (osop runs show RUN for one)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkStatus(filter.Status); err != nil {
				return err
			}
			st, err := sf.open()
			if err != nil {
				return err
			}
			defer st.Close()
			runs, err := st.ListRuns(cmd.Context(), filter)
			if err != nil {
				return &ExitError{Code: ExitFailed, Err: err}
			}
			var gone []*store.Run
			for _, r := range runs {
				if settle(r) {
					gone = append(gone, r)
				}
			}
			if output == "json" {
				return writeJSON(f.IO.Out, runsJSON(runs))
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tWORKFLOW\tSTATUS\tEXIT\tSTARTED\tDURATION")
			for _, r := range runs {
				exit, dur := "-", "-"
				if r.ExitCode != nil {
					exit = fmt.Sprint(*r.ExitCode)
				}
				if !r.EndedAt.IsZero() {
					dur = r.EndedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
				}
				status := string(r.Status)
				if r.Params.Simulated {
					status += " (simulated)"
				}
				if slices.Contains(gone, r) {
					status += " (interrupted)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.WorkflowID, status, exit, r.StartedAt.Local().Format("2006-01-02 15:04:05"), dur)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, r := range gone {
				fmt.Fprintf(f.IO.Out, "%s: %s\n", r.ID, interruptedHint(r))
			}
			return nil
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&filter.WorkflowID, "workflow", "", "only runs of this workflow id")
	cmd.Flags().StringVar(&filter.Status, "status", "", "only runs with this status (completed, failed, running, …)")
	cmd.Flags().IntVar(&filter.Limit, "limit", 50, "at most this many runs")
	cmd.Flags().StringVar(&output, "output", "text", "text or json")
	cmd.AddCommand(newRunsShowCmd(f))
	return cmd
}

// runStatuses are the statuses a run can end up with, for --status.
var runStatuses = []run.Status{run.Running, run.Completed, run.Failed, run.TimedOut, run.Cancelled}

func checkStatus(s string) error {
	if s == "" {
		return nil
	}
	names := make([]string, len(runStatuses))
	for i, st := range runStatuses {
		if strings.EqualFold(s, string(st)) {
			return nil
		}
		names[i] = strings.ToLower(string(st))
	}
	return exitf(ExitUsage, "unknown --status %q: want one of %s", s, strings.Join(names, ", "))
}

// runsJSON is the list osop runs --output json prints and the MCP runs
// tool answers.
func runsJSON(runs []*store.Run) []jsonout.Run {
	out := make([]jsonout.Run, len(runs))
	for i, r := range runs {
		out[i] = toRunJSON(r)
	}
	return out
}

// runShow is what osop runs show --output json prints and the MCP
// run_status tool answers: the run, its attempts, and the nodes waiting
// for a decision now (none when the run has ended or its process is
// gone: nothing could take the answer).
func runShow(ctx context.Context, st *store.Store, r *store.Run, attempts []*store.Attempt) (jsonout.RunShow, error) {
	out := jsonout.RunShow{Run: toRunJSON(r), Attempts: make([]jsonout.Attempt, len(attempts)), Waiting: []string{}}
	for i, a := range attempts {
		out.Attempts[i] = toAttemptJSON(a)
	}
	w, err := waitingNodes(ctx, st, r)
	out.Waiting = append(out.Waiting, w...)
	return out, err
}

// waitingNodes are the nodes of r that wait for a decision now, sorted:
// what osop approve (and the approve tool) can answer.
func waitingNodes(ctx context.Context, st *store.Store, r *store.Run) ([]string, error) {
	if reachable(r) != nil {
		return nil, nil
	}
	ws, err := st.Waiting(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, w := range ws {
		if !slices.Contains(out, w.NodeID) {
			out = append(out, w.NodeID)
		}
	}
	slices.Sort(out)
	return out, nil

}

// settle shows a run as it is: one recorded as RUNNING whose osop
// process has ended (killed with -9, the machine restarted) runs in no
// process, so its pid becomes 0, as docs/json.md says. It reports whether
// the run was such an interrupted one.
func settle(r *store.Run) bool {
	if r.Status != run.Running || (r.PID > 0 && (r.PID == os.Getpid() || processAlive(r.PID))) {
		return false
	}
	r.PID = 0
	return true
}

// interruptedHint says what became of an interrupted run and how to go on.
func interruptedHint(r *store.Run) string {
	return fmt.Sprintf("interrupted: the osop process running it is gone; osop resume %s continues it", r.ID)
}

func newRunsShowCmd(f *Factory) *cobra.Command {
	var sf storeFlags
	var output string
	cmd := &cobra.Command{
		Use:   "show RUN",
		Short: "Show one run: its nodes, attempts, outputs and errors",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return sf.withRun(cmd.Context(), args[0], func(st *store.Store, r *store.Run) error {
				attempts, err := st.Attempts(cmd.Context(), r.ID)
				if err != nil {
					return &ExitError{Code: ExitFailed, Err: err}
				}
				gone := settle(r)
				if output == "json" {
					out, err := runShow(cmd.Context(), st, r, attempts)
					if err != nil {
						return &ExitError{Code: ExitFailed, Err: err}
					}
					return writeJSON(f.IO.Out, out)
				}
				w := f.IO.Out
				fmt.Fprintf(w, "run       %s\nworkflow  %s (%s)\nfile      %s\nstatus    %s", r.ID, r.WorkflowID, r.WorkflowName, r.WorkflowFile, r.Status)
				if r.ExitCode != nil {
					fmt.Fprintf(w, " (exit %d)", *r.ExitCode)
				}
				if r.Params.Simulated {
					fmt.Fprintf(w, " · simulated: nothing real ran")
				}
				if gone {
					fmt.Fprintf(w, " (%s)", interruptedHint(r))
				}
				fmt.Fprintf(w, "\nstarted   %s\n", r.StartedAt.Local().Format(time.RFC3339))
				if !r.EndedAt.IsZero() {
					fmt.Fprintf(w, "ended     %s (%s)\n", r.EndedAt.Local().Format(time.RFC3339), r.EndedAt.Sub(r.StartedAt).Round(time.Millisecond))
				}
				if r.Summary != "" {
					fmt.Fprintf(w, "summary   %s\n", diag.Printable(r.Summary))
				}
				if len(r.Params.AcceptedRisks) > 0 {
					fmt.Fprintf(w, "accepted  risks %s (--accept-risk)\n", strings.Join(r.Params.AcceptedRisks, ", "))
				}
				fmt.Fprintf(w, "record    %s\n\n", r.LogPath)
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NODE\tTRY\tSTATUS\tDURATION\tDETAIL")
				for _, a := range attempts {
					try := "-"
					if a.Attempt > 0 {
						try = fmt.Sprint(a.Attempt)
						if a.Iteration > 0 { // counted from 1, as the live view counts them
							try += fmt.Sprintf(" (iteration %d)", a.Iteration+1)
						}
					}
					detail := a.Reason
					if a.ErrorMessage != "" {
						detail = a.ErrorMessage
						if a.ErrorCode != "" {
							detail = a.ErrorCode + ": " + detail
						}
					} else if len(a.Outputs) > 0 {
						b, _ := json.Marshal(a.Outputs)
						detail = "outputs " + string(b)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.NodeID, try, a.Status, time.Duration(a.DurationMS)*time.Millisecond, truncate(diag.Printable(detail), 120))
				}
				return tw.Flush()
			})
		},
	}
	sf.add(cmd)
	cmd.Flags().StringVar(&output, "output", "text", "text or json")
	return cmd
}

func newLogsCmd(f *Factory) *cobra.Command {
	var sf storeFlags
	cmd := &cobra.Command{
		Use:   "logs RUN [NODE]",
		Short: "Print what a run's nodes printed (stdout and stderr, masked)",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return sf.withRun(cmd.Context(), args[0], func(st *store.Store, r *store.Run) error {
				attempts, err := st.Attempts(cmd.Context(), r.ID)
				if err != nil {
					return &ExitError{Code: ExitFailed, Err: err}
				}
				node := ""
				if len(args) == 2 {
					node = args[1]
				}
				attempts, err = nodeAttempts(r, attempts, node)
				if err != nil {
					return err
				}
				for _, a := range attempts {
					if a.Attempt == 0 {
						continue
					}
					fmt.Fprintf(f.IO.Out, "── %s · attempt %d · %s\n", a.NodeID, a.Attempt, a.Status)
					if a.Action != "" {
						fmt.Fprintf(f.IO.Out, "$ %s\n", a.Action)
					}
					for _, part := range []string{a.Stdout, a.Stderr} {
						if part = strings.TrimRight(part, "\n"); part != "" {
							fmt.Fprintln(f.IO.Out, part)
						}
					}
					if a.ErrorMessage != "" {
						fmt.Fprintf(f.IO.Out, "error: %s: %s\n", a.ErrorCode, a.ErrorMessage)
					}
				}
				return nil
			})
		},
	}
	sf.add(cmd)
	return cmd
}

// nodeAttempts keeps the attempts of node ("" keeps all), failing when
// the run has no such node; osop logs and the MCP logs tool use it.
func nodeAttempts(r *store.Run, attempts []*store.Attempt, node string) ([]*store.Attempt, error) {
	if node == "" {
		return attempts, nil
	}
	var out []*store.Attempt
	for _, a := range attempts {
		if a.NodeID == node {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, exitf(ExitUsage, "run %s has no node %q", r.ID, node)
	}
	return out, nil
}
