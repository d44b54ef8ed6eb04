package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/jsonout"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/schema"
	"github.com/osopdev/osop/internal/validate"
)

// ValidateOptions are the settings of `osop validate`.
type ValidateOptions struct {
	IO      *IOStreams
	Limits  parse.Limits
	Files   []string
	Format  string // text, json, sarif
	Schema  string
	Strict  bool
	Verbose bool
	Vars    []string

	registry *executor.Registry
}

func newValidateCmd(f *Factory, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{IO: f.IO, Limits: f.Limits}
	cmd := &cobra.Command{
		Use:   "validate FILE|DIR...",
		Short: "Check workflows, execution records and SOP documents",
		Long: `Check each file's structure against osop's embedded JSON Schemas and its
meaning against osop's rules (node ids, edges, types and modes, unknown
fields, CEL conditions, template references, data flow, cycles,
reachability, timeouts and retries), and infer its conformance level.

A directory is searched for OSOP files. Problems print as
FILE:LINE:COL: error|warning: message [rule-id], with the source line.

Exit codes: 0 valid, 1 invalid (or warnings with --strict), 2 usage error,
or a file that cannot be read or does not parse.`,
		Example: `  osop validate deploy.osop.yaml
  osop validate --schema core --strict workflows/
  osop validate --format sarif . > osop.sarif`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			opts.registry = f.registry()
			if runF != nil {
				return runF(opts)
			}
			return validateRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "text", "output format: text, json or sarif")
	fl.StringVar(&opts.Schema, "schema", "osop", "schema profile: osop (every dialect), core or full (the published schemas' verdicts)")
	fl.BoolVar(&opts.Strict, "strict", false, "fail on warnings too")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "also show info notes, such as how dialect aliases were read")
	fl.StringSliceVar(&opts.Vars, "var", nil, "template variables you will pass at run time (names, or NAME=VALUE)")
	addLimitFlags(cmd, &opts.Limits)
	return cmd
}

// fileResult is what validate learned of one file: the report osop
// validate --format json prints (and the MCP validate tool answers), and
// the document, for the text output's source lines.
type fileResult struct {
	jsonout.FileReport
	doc *ast.Document
}

func validateRun(opts *ValidateOptions) error {
	if opts.Format != "text" && opts.Format != "json" && opts.Format != "sarif" {
		return exitf(ExitUsage, "unknown --format %q: want text, json or sarif", opts.Format)
	}
	results, unreadable, err := validateFiles(opts)
	if err != nil {
		return err
	}
	for _, err := range unreadable {
		fmt.Fprintf(opts.IO.ErrOut, "osop: %v\n", err)
	}
	if err := writeResults(opts, results); err != nil {
		return err
	}
	switch {
	case len(unreadable) > 0 || anyUnparsed(results):
		return &ExitError{Code: ExitUsage}
	case !allValid(results):
		return &ExitError{Code: ExitFailed}
	}
	return nil
}

// validateFiles checks opts.Files (directories searched); files that
// cannot be read are returned apart. osop validate and the MCP validate
// tool both use it.
// anyUnparsed reports whether a file did not parse: unreadable, as for
// every command (exit 2).
func anyUnparsed(rs []*fileResult) bool {
	for _, r := range rs {
		if r.doc.Root == nil {
			return true
		}
	}
	return false
}

func validateFiles(opts *ValidateOptions) (results []*fileResult, unreadable []error, err error) {
	vopts, err := opts.validateOptions()
	if err != nil {
		return nil, nil, err
	}
	files, err := expandFiles(opts.Files)
	if err != nil {
		return nil, nil, &ExitError{Code: ExitUsage, Err: err}
	}
	for _, name := range files {
		doc, ds, err := parse.File(name, opts.Limits)
		if err != nil {
			unreadable = append(unreadable, err)
			continue
		}
		vopts.Runtime = checkerFor(opts.registry, doc, true)
		results = append(results, checkDocument(doc, ds, vopts, opts.Strict))
	}
	return results, unreadable, nil
}

func (opts *ValidateOptions) validateOptions() (validate.Options, error) {
	profile, err := schema.ParseProfile(opts.Schema)
	if err != nil {
		return validate.Options{}, &ExitError{Code: ExitUsage, Err: err}
	}
	return validate.Options{Profile: profile, Vars: varNames(opts.Vars)}, nil
}

// checkDocument validates a loaded document and sums up the verdict.
func checkDocument(doc *ast.Document, ds diag.Diagnostics, vopts validate.Options, strict bool) *fileResult {
	ds = append(ds, validate.Document(doc, vopts)...)
	ds.Sort()
	return summarize(doc, ds, strict)
}

func varNames(vars []string) []string {
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i], _, _ = strings.Cut(v, "=")
	}
	return out
}

func allValid(rs []*fileResult) bool {
	for _, r := range rs {
		if !r.Valid {
			return false
		}
	}
	return true
}

func summarize(doc *ast.Document, ds diag.Diagnostics, strict bool) *fileResult {
	r := &fileResult{FileReport: jsonout.FileReport{File: doc.File, Kind: doc.Kind.String(), Diagnostics: ds,
		Errors: ds.Count(diag.Error), Warnings: ds.Count(diag.Warning)}, doc: doc}
	if r.Diagnostics == nil {
		r.Diagnostics = diag.Diagnostics{}
	}
	r.Valid = r.Errors == 0 && (!strict || r.Warnings == 0)
	if w := doc.Workflow; w != nil {
		r.ID, r.Name = w.ID.V, w.Name.V
		r.Nodes, r.Edges = len(w.Nodes), len(w.Edges)
		lvl := validate.InferLevel(w)
		r.Level = &lvl
	}
	return r
}

// expandFiles turns directories into the OSOP files under them, sorted.
func expandFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			out = append(out, a) // unreadable files are reported when read
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != a && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if !d.IsDir() && parse.HasExtension(d.Name()) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no OSOP files under %s (looked for %s)", a, strings.Join(parse.Extensions, ", "))
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// validationJSON is osop validate --format json, also the MCP validate
// tool's answer: info notes only when verbose.
func validationJSON(rs []*fileResult, verbose bool) jsonout.Validation {
	out := jsonout.Validation{Valid: allValid(rs), Files: make([]jsonout.FileReport, len(rs))}
	for i, r := range rs {
		out.Files[i] = r.FileReport
		out.Files[i].Diagnostics = shownDiags(r.Diagnostics, verbose)
		if out.Files[i].Diagnostics == nil {
			out.Files[i].Diagnostics = diag.Diagnostics{} // [] rather than null: every key has one shape
		}
	}
	return out
}

func writeResults(opts *ValidateOptions, rs []*fileResult) error {
	switch opts.Format {
	case "json":
		return writeJSON(opts.IO.Out, validationJSON(rs, opts.Verbose))
	case "sarif":
		var all diag.Diagnostics
		for _, r := range rs {
			all = append(all, r.Diagnostics.Filter(diag.Warning)...)
		}
		return diag.WriteSARIF(opts.IO.Out, all, diag.SARIFOptions{
			ToolName: "osop", ToolVersion: version(), InfoURI: "https://github.com/osopdev/osop", Rules: validate.Rules,
		})
	}
	for _, r := range rs {
		shown := shownDiags(r.Diagnostics, opts.Verbose)
		topts := diag.TextOptions{Sources: map[string][]byte{r.File: r.doc.Source}, Color: opts.IO.Color}
		if err := diag.WriteText(opts.IO.ErrOut, shown, topts); err != nil {
			return err
		}
		writeSummary(opts.IO.Out, r)
	}
	return nil
}

// writeSummary prints one line per file:
//
//	deploy.osop.yaml: valid · kubernetes-deploy · 7 nodes · 6 edges · L2 executable
func writeSummary(w io.Writer, r *fileResult) {
	parts := []string{"valid"}
	if !r.Valid {
		parts[0] = "invalid"
	}
	if n := r.Errors + r.Warnings; n > 0 {
		parts = append(parts, plural(r.Errors, "error")+", "+plural(r.Warnings, "warning"))
	}
	doc := r.doc
	switch doc.Kind {
	case ast.KindLog:
		if doc.Log != nil {
			parts = append(parts, "execution record", "run "+doc.Log.RunID.V, plural(len(doc.Log.Records), "node record"))
		}
	case ast.KindSOP:
		if doc.SOP != nil {
			refs := 0
			for _, s := range doc.SOP.Sections {
				refs += len(s.Refs)
			}
			parts = append(parts, "SOP document", plural(len(doc.SOP.Sections), "section"), plural(refs, "workflow"))
		}
	default:
		if title := workflowTitle(r.ID, r.Name); title != "" {
			parts = append(parts, title)
		}
		parts = append(parts, plural(r.Nodes, "node"), plural(r.Edges, "edge"))
		if r.Level != nil {
			parts = append(parts, r.Level.String())
		}
	}
	fmt.Fprintf(w, "%s: %s\n", diag.Printable(r.File), diag.Printable(strings.Join(parts, " · ")))
}

// workflowTitle names a workflow by its name and id, "Deploy (deploy)",
// or by the one it has when the other is missing or the same.
func workflowTitle(id, name string) string {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "" || name == id:
		return id
	case id == "":
		return name
	}
	return name + " (" + id + ")"
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// shownDiags is what osop validate prints: errors and warnings, and the
// notes that say how osop will run the file (validate.ShownNotes: its
// loops, the conditions it rewrites to CEL); -v shows every note.
func shownDiags(ds diag.Diagnostics, verbose bool) diag.Diagnostics {
	if verbose {
		return ds
	}
	var out diag.Diagnostics
	for _, d := range ds {
		if d.Severity != diag.Info || validate.ShownNotes[d.Code] {
			out = append(out, d)
		}
	}
	return out
}
