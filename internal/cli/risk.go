package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/risk"
)

// RiskOptions are the settings of `osop risk`.
type RiskOptions struct {
	IO     *IOStreams
	Limits parse.Limits
	Files  []string
	Output string // text or json
	Accept []string
}

func newRiskCmd(f *Factory, runF func(*RiskOptions) error) *cobra.Command {
	opts := &RiskOptions{IO: f.IO, Limits: f.Limits}
	cmd := &cobra.Command{
		Use:   "risk FILE...",
		Short: "Judge how much harm a workflow can do, before running it",
		Long: fmt.Sprintf(`Read each workflow for risks, without running anything: destructive
commands (rm -rf on a broad path, terraform destroy, kubectl delete,
DROP/TRUNCATE, git push --force, mkfs, dd to a device), downloads run by a
shell, secrets written in the file, production changes and agent shells
nobody approves, loops without a bound, plain-HTTP calls, and the OSOP
editor's RISK-001…RISK-008. Each finding has a rule id (osop rules) and a
position; the findings add up to a score out of 100.

osop run refuses a workflow whose score reaches %d unless --accept-risk
names the findings that take it there (RULE, or RULE:NODE for one step).

Exit codes: 0 below the threshold, 1 at or above it, 2 usage error or a
file that cannot be read or does not parse.`, risk.Threshold),
		Example: `  osop risk deploy.osop.yaml
  osop risk --output json deploy.osop.yaml | jq '.[0].findings[].rule'
  osop risk --accept-risk RISK-003:teardown cleanup.osop.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(opts)
			}
			return riskRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Output, "output", "text", "text, or json: one report per file")
	cmd.Flags().StringSliceVar(&opts.Accept, "accept-risk", nil, "findings to accept, RULE or RULE:NODE (repeatable, or comma-separated)")
	addLimitFlags(cmd, &opts.Limits)
	return cmd
}

func riskRun(opts *RiskOptions) error {
	if opts.Output != "text" && opts.Output != "json" {
		return exitf(ExitUsage, "--output %q: want text or json", opts.Output)
	}
	var reports []*risk.Report
	dangerous := 0
	for _, file := range opts.Files {
		doc, _, err := loadWorkflow(opts.IO, opts.Limits, file)
		if err != nil {
			return err
		}
		r := risk.Assess(doc.Workflow, doc.Source)
		if unknown := r.Accept(opts.Accept); len(unknown) > 0 && len(opts.Files) == 1 {
			return exitf(ExitUsage, "--accept-risk %s: %s has no such finding (%s)", strings.Join(unknown, ", "), file, findingKeys(r))
		}
		if r.Dangerous() {
			dangerous++
		}
		reports = append(reports, r)
		if opts.Output == "text" {
			printRisk(opts.IO, doc, r)
			fmt.Fprintf(opts.IO.Out, "%s: %s\n", file, r.Summary())
		}
	}
	if opts.Output == "json" {
		if err := writeJSON(opts.IO.Out, reports); err != nil {
			return err
		}
	}
	if dangerous > 0 {
		return &ExitError{Code: ExitFailed}
	}
	return nil
}

// printRisk prints the findings with their source lines; a secret written
// in the file is masked in the line shown.
func printRisk(io *IOStreams, doc *ast.Document, r *risk.Report) {
	src := r.MaskSource(doc.Source)
	_ = diag.WriteText(io.ErrOut, r.Diagnostics(), diag.TextOptions{Sources: map[string][]byte{doc.File: src}, Color: io.Color})
}

// findingKeys lists the names --accept-risk takes for r's findings.
func findingKeys(r *risk.Report) string {
	var keys []string
	for _, f := range r.Findings {
		if !slices.Contains(keys, f.Key()) {
			keys = append(keys, f.Key())
		}
	}
	if len(keys) == 0 {
		return "it has no findings"
	}
	return "its findings: " + strings.Join(keys, ", ")
}

// checkRisk judges the workflow before a real run: it prints what it
// found at high or above, and refuses (exit 2) a dangerous workflow whose
// findings --accept-risk does not accept. It returns the accepted keys,
// for the run's record.
func checkRisk(io *IOStreams, p *prepared, accept []string) ([]string, error) {
	r := risk.Assess(p.w, p.doc.Source)
	if unknown := r.Accept(accept); len(unknown) > 0 {
		return nil, exitf(ExitUsage, "--accept-risk %s: %s has no such finding (%s); nothing was run", strings.Join(unknown, ", "), p.doc.File, findingKeys(r))
	}
	var shown risk.Report = *r
	shown.Findings = nil
	for _, f := range r.Findings {
		if f.Severity >= risk.High || f.Accepted {
			shown.Findings = append(shown.Findings, f)
		}
	}
	if len(shown.Findings) > 0 {
		printRisk(io, p.doc, &shown)
	}
	if !r.Dangerous() {
		return acceptedKeys(r), nil
	}
	var keys []string
	for _, f := range r.Refusing() {
		if f.Severity >= risk.High && !slices.Contains(keys, f.Key()) {
			keys = append(keys, f.Key())
		}
	}
	return nil, exitf(ExitUsage, "%s: %s; nothing was run\n  review the findings (osop risk %s), then accept them by name to run anyway: --accept-risk %s",
		p.doc.File, r.Summary(), p.doc.File, strings.Join(keys, ","))
}

func acceptedKeys(r *risk.Report) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Accepted && !slices.Contains(out, f.Key()) {
			out = append(out, f.Key())
		}
	}
	return out
}
