package cli

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/lsp"
	"github.com/osopdev/osop/internal/parse"
)

// LSPOptions are the settings of `osop lsp`.
type LSPOptions struct {
	IO       *IOStreams
	Limits   parse.Limits
	Schema   string
	Vars     []string
	registry *executor.Registry
}

func newLSPCmd(f *Factory, runF func(*LSPOptions) error) *cobra.Command {
	opts := &LSPOptions{IO: f.IO, Limits: f.Limits}
	cmd := &cobra.Command{
		Use:   "lsp",
		Short: "Serve osop's checks to editors over the Language Server Protocol",
		Long: `Speak the Language Server Protocol on stdin and stdout, for any editor:
diagnostics exactly as osop validate reports them (while you type),
completion, hover, go to definition, references, rename, the outline,
quick fixes, and the osop.render command, which returns the SVG of the
open document. See the README for VS Code, Neovim and Helix settings.`,
		Example: `  osop lsp`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.registry = f.registry()
			if runF != nil {
				return runF(opts)
			}
			return lspRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Schema, "schema", "osop", "schema profile: osop (every dialect), core or full")
	fl.StringSliceVar(&opts.Vars, "var", nil, "template variables you will pass at run time (names, or NAME=VALUE)")
	addLimitFlags(cmd, &opts.Limits)
	return cmd
}

func lspRun(ctx context.Context, opts *LSPOptions) error {
	sopts, err := lspOptions(opts)
	if err != nil {
		return err
	}
	err = lsp.Serve(ctx, stdio{opts.IO.In, opts.IO.Out}, sopts)
	if errors.Is(err, lsp.ErrExitWithoutShutdown) {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	return nil
}

// lspOptions gives the server osop validate's checks, the dry run's
// descriptions and osop render's SVG.
func lspOptions(opts *LSPOptions) (lsp.Options, error) {
	vo := &ValidateOptions{Schema: opts.Schema, Vars: opts.Vars}
	vopts, err := vo.validateOptions()
	if err != nil {
		return lsp.Options{}, err
	}
	reg := opts.registry
	check := func(file string, src []byte) (*ast.Document, diag.Diagnostics) {
		doc, ds := parse.Bytes(file, src, opts.Limits)
		vopts := vopts
		vopts.Runtime = checkerFor(reg, doc, true)
		return doc, checkDocument(doc, ds, vopts, false).Diagnostics
	}
	return lsp.Options{
		Check:   check,
		Version: version(),
		Actions: func(doc *ast.Document) map[string]string { return nodeActions(reg, doc) },
		Render: func(ctx context.Context, doc *ast.Document) ([]byte, error) {
			return renderWorkflow(ctx, &IOStreams{ErrOut: io.Discard}, reg, doc.Workflow, "svg", false, 1)
		},
	}, nil
}

// nodeActions is what each node runs, as a dry run describes it.
func nodeActions(reg *executor.Registry, doc *ast.Document) map[string]string {
	if doc == nil || doc.Workflow == nil {
		return nil
	}
	acts, err := runbookActions(reg, doc.Workflow, ".")
	if err != nil {
		return nil // a workflow the engine refuses has diagnostics saying why
	}
	out := map[string]string{}
	for id, a := range acts {
		out[id] = a.Text
		if a.Err != "" {
			out[id] = "cannot be shown: " + a.Err
		}
	}
	return out
}

// stdio joins the process's standard input and output into the stream
// the server reads and writes. Closing it closes standard input, which
// ends the read loop.
type stdio struct {
	io.Reader
	io.Writer
}

func (s stdio) Close() error {
	if c, ok := s.Reader.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
