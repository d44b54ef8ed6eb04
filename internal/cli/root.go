package cli

import (
	"github.com/spf13/cobra"
	"strings"
)

const rootLong = `osop validates, visualizes and runs OSOP workflows: YAML or JSON files
that describe a process as a graph of typed nodes joined by edges.

Files: .osop, .osop.yaml, .osop.yml, .osop.json (workflows),
.osoplog(.yaml|.json) (execution records), .sop (collections).
Both field dialects (schema: purpose, retry_policy, timeout_sec, {{VAR}};
prose: name, retry, timeout: "10m", ${inputs.x}) and the visual editor's
fields are read; 'osop validate --verbose' shows how each alias was read.

Exit codes:
  0    ok: validate found the files valid; run completed
  1    validate found errors (or warnings with --strict); run failed
  2    usage error, a file that cannot be read or does not parse, or a workflow refused before anything ran
  3    run completed only because a fallback/error/timeout edge handled a failure
  130  interrupted`

func newRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:           "osop",
		Short:         "Validate, visualize and run OSOP workflows",
		Long:          rootLong,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &ExitError{Code: ExitUsage, Err: err}
	})
	root.AddCommand(
		newValidateCmd(f, nil),
		newRenderCmd(f, nil),
		newFmtCmd(f, nil),
		newConvertCmd(f, nil),
		newRunCmd(f, nil),
		newRunsCmd(f),
		newLogsCmd(f),
		newResumeCmd(f),
		newRetryCmd(f),
		newApproveCmd(f),
		newCompleteCmd(f),
		newSignalCmd(f),
		newSchemaCmd(f),
		newRulesCmd(f),
		newRiskCmd(f, nil),
		newMCPCmd(f, nil),
		newLSPCmd(f, nil),
	)
	registerCompletions(root)
	strictCompletionCmd(root)
	return root
}

// strictCompletionCmd makes `osop completion SHELL` refuse a shell it has
// no script for (exit 2, as every usage error) instead of printing its
// help and succeeding, which cobra's default command does.
func strictCompletionCmd(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, sub := range c.Commands() {
			shells = append(shells, sub.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return exitf(ExitUsage, "name a shell: osop completion %s", strings.Join(shells, "|"))
			}
			return exitf(ExitUsage, "no completion script for %q: want %s", args[0], strings.Join(shells, ", "))
		}
	}
}
