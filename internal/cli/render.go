package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/layered"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/render"
	"github.com/osopdev/osop/internal/render/picture"
	"github.com/osopdev/osop/internal/validate"
)

// RenderFormats are the formats of `osop render`.
var RenderFormats = []string{"ascii", "story", "agent", "mermaid", "dot", "svg", "png", "html"}

// RenderOptions are the settings of `osop render`.
type RenderOptions struct {
	IO     *IOStreams
	Limits parse.Limits
	File   string
	Format string
	Output string
	ASCII  bool
	// Scale is the PNG's pixels per SVG pixel.
	Scale float64
}

func newRenderCmd(f *Factory, runF func(*RenderOptions) error) *cobra.Command {
	opts := &RenderOptions{IO: f.IO, Limits: f.Limits}
	cmd := &cobra.Command{
		Use:   "render FILE",
		Short: "Draw a workflow: terminal picture, story, agent instructions, Mermaid, DOT, SVG, PNG, HTML",
		Long: `Draw a workflow.

Formats:
  ascii    a picture in the terminal (default; Unicode box drawing, --ascii for plain ASCII)
  story    Markdown: numbered steps in plain language, the document a person follows by hand
  agent    Markdown: ordered instructions an AI agent can follow
  mermaid  a Mermaid flowchart
  dot      Graphviz source
  svg      a laid-out picture (no Graphviz install needed)
  png      the same as an image (refuses to print to a terminal: use -o)
  html     one self-contained page: the picture, and each node's details on hover or click

Failure paths (fallback, error, timeout) are dashed and red, conditions
label their edges, parallel fan-out is bold, loops are dotted.`,
		Example: `  osop render deploy.osop.yaml
  osop render deploy.osop.yaml --format story -o RUNBOOK.md
  osop render deploy.osop.yaml --format html -o deploy.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return renderRun(cmd.Context(), f, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Format, "format", "f", "ascii", "one of "+strings.Join(RenderFormats, ", "))
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write to this file instead of stdout")
	cmd.Flags().BoolVar(&opts.ASCII, "ascii", false, "terminal picture in plain ASCII instead of Unicode box drawing")
	cmd.Flags().Float64Var(&opts.Scale, "scale", 2, "png: pixels per SVG pixel (2 suits high-density screens and print)")
	addLimitFlags(cmd, &opts.Limits)
	return cmd
}

// renderWorkflow draws w in one of [RenderFormats] (png at scale);
// osop render and the MCP render tool both use it. The story and the
// agent instructions show what reg's executors say each step runs.
func renderWorkflow(ctx context.Context, io *IOStreams, reg *executor.Registry, w *ast.Workflow, format string, ascii bool, scale float64) ([]byte, error) {
	g := graph.New(w)
	switch format {
	case "ascii":
		return []byte(render.Terminal(w, g, ascii)), nil
	case "story", "agent":
		acts, err := runbookActions(reg, w, ".")
		if err != nil {
			fmt.Fprintf(io.ErrOut, "osop: warning: %v; the steps are shown without their actions\n", err)
		}
		if format == "story" {
			return []byte(render.StoryOf(w, g, acts)), nil
		}
		return []byte(render.AgentOf(w, g, acts)), nil
	case "mermaid":
		return []byte(render.Mermaid(w, g)), nil
	case "dot":
		return []byte(render.DOT(w, g)), nil
	case "svg":
		return render.SVG(w, g, picture.SystemFonts(ctx))
	case "png":
		fonts := picture.SystemFonts(ctx)
		out, err := render.PNG(w, g, fonts, scale)
		if err == nil {
			warnMissingGlyphs(io, fonts)
		}
		return out, err
	case "html":
		svg, err := render.SVG(w, g, picture.SystemFonts(ctx))
		if err != nil {
			return nil, err
		}
		page, err := render.HTML(w, g, svg)
		return []byte(page), err
	}
	return nil, fmt.Errorf("unknown format %q: want one of %s", format, strings.Join(RenderFormats, ", "))
}

func renderRun(ctx context.Context, f *Factory, opts *RenderOptions) error {
	if !slices.Contains(RenderFormats, opts.Format) {
		return exitf(ExitUsage, "unknown --format %q: want one of %s", opts.Format, strings.Join(RenderFormats, ", "))
	}
	if !(opts.Scale > 0 && opts.Scale <= 16) {
		return exitf(ExitUsage, "--scale %v: want a number above 0 and at most 16", opts.Scale)
	}
	if opts.Format == "png" && (opts.Output == "" || opts.Output == "-") && opts.IO.OutTTY {
		return exitf(ExitUsage, "png is binary and stdout is a terminal: write it with -o FILE, or redirect stdout")
	}
	doc, ds, err := loadWorkflow(opts.IO, opts.Limits, opts.File)
	if err != nil {
		return err
	}
	ds = append(ds, validate.Document(doc, validate.Options{})...)
	if n := ds.Count(diag.Error); n > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "osop: warning: %s has %d error(s); the picture shows what could be read (see osop validate)\n", opts.File, n)
	}
	out, err := renderWorkflow(ctx, opts.IO, f.registry(), doc.Workflow, opts.Format, opts.ASCII, opts.Scale)
	var tooLarge *layered.TooLargeError
	if errors.As(err, &tooLarge) {
		return exitf(ExitFailed, "render %s: %v; -f dot or -f mermaid write it as text for a tool that lays it out differently", opts.File, err)
	}
	if err != nil {
		return exitf(ExitFailed, "render %s: %v", opts.File, err)
	}
	return writeOutput(opts.IO, opts.Output, out)
}

// warnMissingGlyphs says which characters a PNG shows as boxes because no
// installed font has them.
func warnMissingGlyphs(io *IOStreams, fonts *picture.Fonts) {
	missing := fonts.Missing()
	if len(missing) == 0 {
		return
	}
	fmt.Fprintf(io.ErrOut, "osop: warning: no font found for %s; the PNG shows them as boxes. Looked in %s. Install a font that has them (for Chinese, Japanese and Korean, e.g. Debian's fonts-noto-cjk)\n",
		picture.MissingText(missing), fonts.Source)
}
