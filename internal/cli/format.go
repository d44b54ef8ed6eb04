package cli

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/format"
	"github.com/osopdev/osop/internal/parse"
)

// FmtOptions are the settings of `osop fmt`.
type FmtOptions struct {
	IO     *IOStreams
	Limits parse.Limits
	Files  []string
	Check  bool
}

func newFmtCmd(f *Factory, runF func(*FmtOptions) error) *cobra.Command {
	opts := &FmtOptions{IO: f.IO, Limits: f.Limits}
	cmd := &cobra.Command{
		Use:   "fmt FILE|DIR...",
		Short: "Rewrite workflows in the canonical layout, keeping comments",
		Long: `Rewrite each file in osop's canonical layout: the standard key order for
the workflow, its nodes and its edges; two-space indentation; quotes only
where YAML needs them. Comments stay where they were. JSON files are
rewritten as indented JSON in the same key order.

With --check nothing is written: the files that would change are listed
and the exit code is 1 if there are any (for CI).`,
		Example: `  osop fmt deploy.osop.yaml
  osop fmt --check workflows/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(opts)
			}
			return fmtRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Check, "check", false, "list files that are not formatted and exit 1 if any; write nothing")
	addLimitFlags(cmd, &opts.Limits)
	return cmd
}

func fmtRun(opts *FmtOptions) error {
	files, err := expandFiles(opts.Files)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	changed, failed := 0, false
	for _, name := range files {
		doc, ds, err := parse.File(name, opts.Limits)
		if err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "osop: %v\n", err)
			failed = true
			continue
		}
		if unformattable(doc, ds) {
			printDiags(opts.IO, doc, ds.Filter(diag.Error))
			fmt.Fprintf(opts.IO.ErrOut, "osop: %s: not formatted: fix the error(s) above first\n", name)
			failed = true
			continue
		}
		out, err := formatted(doc)
		if err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "osop: %s: %v\n", name, err)
			failed = true
			continue
		}
		if bytes.Equal(out, doc.Source) {
			continue
		}
		changed++
		if opts.Check {
			fmt.Fprintln(opts.IO.Out, name)
			continue
		}
		if err := writeFileAtomic(name, out); err != nil {
			return exitf(ExitUsage, "write %s: %v", name, err)
		}
		fmt.Fprintf(opts.IO.ErrOut, "formatted %s\n", name)
	}
	switch {
	case failed:
		return &ExitError{Code: ExitUsage}
	case opts.Check && changed > 0:
		return &ExitError{Code: ExitFailed}
	}
	return nil
}

// unformattable reports whether a file cannot be laid out again without
// guessing: it did not parse, or its YAML is malformed in a way the
// parser forgave (a key twice: which value would stay?). A workflow that
// parses but is invalid (validate's errors) formats fine.
func unformattable(doc *ast.Document, ds diag.Diagnostics) bool {
	return doc.Root == nil || ds.HasErrors()
}

func formatted(doc *ast.Document) ([]byte, error) {
	if isJSONFile(doc.File) {
		return format.JSON(doc.Root)
	}
	return format.YAML(doc.Source)
}

func isJSONFile(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".json") }

// ConvertOptions are the settings of `osop convert`.
type ConvertOptions struct {
	IO     *IOStreams
	Limits parse.Limits
	File   string
	To     string
	Output string
}

func newConvertCmd(f *Factory, runF func(*ConvertOptions) error) *cobra.Command {
	opts := &ConvertOptions{IO: f.IO, Limits: f.Limits}
	cmd := &cobra.Command{
		Use:   "convert FILE --to json|yaml",
		Short: "Convert a workflow between YAML and JSON",
		Long: `Convert a workflow (or record, or SOP) between YAML and JSON, keeping key
order. YAML comments have no JSON form and are dropped.`,
		Example: `  osop convert deploy.osop.yaml --to json -o deploy.osop.json
  osop convert deploy.osop.json --to yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return convertRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.To, "to", "", "target format: json or yaml (required)")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write to this file instead of stdout")
	_ = cmd.MarkFlagRequired("to") // the flag exists: cannot fail
	addLimitFlags(cmd, &opts.Limits)
	return cmd
}

func convertRun(opts *ConvertOptions) error {
	if opts.To != "json" && opts.To != "yaml" {
		return exitf(ExitUsage, "--to %q: want json or yaml", opts.To)
	}
	doc, ds, err := parse.File(opts.File, opts.Limits)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if unformattable(doc, ds) {
		printDiags(opts.IO, doc, ds.Filter(diag.Error))
		return exitf(ExitUsage, "%s: cannot convert a file that does not parse: fix the error(s) above first", opts.File)
	}
	var out []byte
	if opts.To == "json" {
		out, err = format.JSON(doc.Root)
	} else {
		out, err = format.ToYAML(doc.Source)
	}
	if err != nil {
		return exitf(ExitFailed, "convert %s: %v", opts.File, err)
	}
	if opts.Output != "" && filepath.Clean(opts.Output) == filepath.Clean(opts.File) {
		return exitf(ExitUsage, "-o names the input file; write the conversion elsewhere")
	}
	return writeOutput(opts.IO, opts.Output, out)
}
