package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/store"
)

// Shell completion (osop completion bash|zsh|fish|powershell) completes
// workflow files, run ids from the store, the node ids and signal names
// of a run, and the values of --format and the other enumerated flags.

// workflowExts are the file name endings offered for a workflow argument.
var workflowExts = []string{"osop", "yaml", "yml", "json", "sop", "osoplog"}

// completeWorkflowFiles offers OSOP files (and directories) for the
// first n arguments.
func completeWorkflowFiles(n int) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if n >= 0 && len(args) >= n {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return workflowExts, cobra.ShellCompDirectiveFilterFileExt
	}
}

// completeValues offers fixed values for a flag.
func completeValues(values ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
}

// completeRun offers run ids for the first argument and, with more,
// calls next with the run for the second.
func completeRun(next func(st *store.Store, r *store.Run, cmd *cobra.Command) []cobra.Completion) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		st, err := completionStore(cmd)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer st.Close()
		switch {
		case len(args) == 0:
			return runCompletions(cmd, st, toComplete), cobra.ShellCompDirectiveNoFileComp
		case len(args) == 1 && next != nil:
			r, err := st.GetRun(cmd.Context(), args[0])
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return next(st, r, cmd), cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

// completionStore opens the store the command's --workdir/--store name.
func completionStore(cmd *cobra.Command) (*store.Store, error) {
	var sf storeFlags
	sf.workdir, _ = cmd.Flags().GetString("workdir") // absent flags read as ""
	sf.store, _ = cmd.Flags().GetString("store")
	return sf.open()
}

func runCompletions(cmd *cobra.Command, st *store.Store, prefix string) []cobra.Completion {
	runs, err := st.ListRuns(cmd.Context(), store.Filter{Limit: 200})
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, r := range runs {
		if strings.HasPrefix(string(r.ID), prefix) {
			out = append(out, cobra.CompletionWithDesc(string(r.ID), r.WorkflowID+" "+strings.ToLower(string(r.Status))))
		}
	}
	return out
}

// nodeCompletions offers the nodes of a run's workflow.
func nodeCompletions(st *store.Store, r *store.Run, cmd *cobra.Command) []cobra.Completion {
	lim := parseLimits(cmd)
	w, err := runWorkflow(r, lim)
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, n := range w.Nodes {
		out = append(out, cobra.CompletionWithDesc(n.ID.V, n.Type.V))
	}
	return out
}

// waitingCompletions offers the nodes waiting for a decision, else the
// nodes that take one.
// A run that has ended, or whose process is gone, has nothing to offer:
// approve would refuse every node.
func waitingCompletions(st *store.Store, r *store.Run, cmd *cobra.Command) []cobra.Completion {
	if reachable(r) != nil {
		return nil
	}
	if out, err := waitingNodes(cmd.Context(), st, r); err != nil || len(out) > 0 {
		return out
	}
	var out []cobra.Completion
	if w, err := runWorkflow(r, parseLimits(cmd)); err == nil {
		for _, n := range w.Nodes {
			if takesDecision(n) {
				out = append(out, n.ID.V)
			}
		}
	}
	return out
}

// signalCompletions offers the signals a run reads.
func signalCompletions(st *store.Store, r *store.Run, cmd *cobra.Command) []cobra.Completion {
	if r.Status.Done() {
		return nil // signal refuses a finished run
	}
	names, _ := st.Accepts(cmd.Context(), r.ID) // nothing to offer on error
	return names
}

// completeFromNode offers, for retry --from, the nodes of the run named
// by the first argument.
func completeFromNode(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	st, err := completionStore(cmd)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer st.Close()
	r, err := st.GetRun(cmd.Context(), args[0])
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return nodeCompletions(st, r, cmd), cobra.ShellCompDirectiveNoFileComp
}

func statusNames() []string {
	out := make([]string, len(runStatuses))
	for i, s := range runStatuses {
		out[i] = strings.ToLower(string(s))
	}
	return out
}

// registerCompletions wires completion into the command tree.
func registerCompletions(root *cobra.Command) {
	files := map[string]int{"validate": -1, "fmt": -1, "render": 1, "run": 1, "convert": 1}
	runs := map[string]func(*store.Store, *store.Run, *cobra.Command) []cobra.Completion{
		"logs": nodeCompletions, "approve": waitingCompletions, "complete": waitingCompletions, "signal": signalCompletions, "resume": nil, "retry": nil,
	}
	flags := map[string]map[string][]string{
		"validate": {"format": {"text", "json", "sarif"}, "schema": {"osop", "core", "full"}},
		"render":   {"format": RenderFormats},
		"run":      {"output": {"text", "json"}, "manual": {"ask", "wait", "fail"}},
		"resume":   {"output": {"text", "json"}},
		"retry":    {"output": {"text", "json"}},
		"convert":  {"to": {"json", "yaml"}},
		"runs":     {"output": {"text", "json"}, "status": statusNames()},
		"show":     {"output": {"text", "json"}},
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		name := c.Name()
		if n, ok := files[name]; ok && c.Parent() == root {
			c.ValidArgsFunction = completeWorkflowFiles(n)
		}
		if next, ok := runs[name]; ok {
			c.ValidArgsFunction = completeRun(next)
		}
		if name == "show" && c.Parent().Name() == "runs" {
			c.ValidArgsFunction = completeRun(nil)
		}
		for flag, values := range flags[name] {
			_ = c.RegisterFlagCompletionFunc(flag, completeValues(values...)) // the flag exists: cannot fail
		}
		if name == "retry" {
			_ = c.RegisterFlagCompletionFunc("from", completeFromNode)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// parseLimits are the default limits, with the command's --max-file-size.
func parseLimits(cmd *cobra.Command) parse.Limits {
	lim := parse.DefaultLimits
	if f := cmd.Flags().Lookup("max-file-size"); f != nil && f.Changed {
		if n, err := parseByteSize(f.Value.String()); err == nil {
			lim.MaxBytes = n
		}
	}
	return lim
}
