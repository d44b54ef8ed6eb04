package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/mcpserver"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/store"
	"github.com/osopdev/osop/internal/validate"
)

// mcpOps does what the MCP tools ask with the commands' own functions:
// validateFiles, renderWorkflow, engineOptions and runRun, the store
// helpers of osop runs, logs and approve, schemaSource and ruleIDs.
type mcpOps struct {
	f       *Factory
	workdir string
	sf      storeFlags
}

var _ mcpserver.Ops = (*mcpOps)(nil)

func newMCPOps(f *Factory, workdir, storePath string) *mcpOps {
	f.registry() // built once here, then shared read-only by concurrent calls
	return &mcpOps{f: f, workdir: workdir, sf: storeFlags{workdir: workdir, store: storePath}}
}

// quiet returns streams whose stderr is kept, for what a command prints
// before it fails (diagnostics with their source lines).
func quiet() (*IOStreams, *bytes.Buffer) {
	var errb bytes.Buffer
	return &IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &errb}, &errb
}

// toolError is err with what the command printed before it failed.
func toolError(err error, printed *bytes.Buffer) error {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if s := strings.TrimSpace(printed.String()); s != "" {
		msg = strings.TrimSpace(s + "\n" + msg)
	}
	if msg == "" {
		msg = "failed"
	}
	return errors.New(msg)
}

func (o *mcpOps) Validate(_ context.Context, in mcpserver.ValidateInput) (*mcpserver.ValidateOutput, error) {
	io, printed := quiet()
	opts := &ValidateOptions{IO: io, Limits: o.f.Limits, Files: in.Files, Schema: firstNonEmpty(in.Schema, "osop"),
		Strict: in.Strict, Verbose: in.Verbose, registry: o.f.registry()}
	var results []*fileResult
	if in.Content != "" {
		vopts, err := opts.validateOptions()
		if err != nil {
			return nil, err
		}
		doc, ds := parse.Bytes(firstNonEmpty(in.Name, "inline.osop.yaml"), []byte(in.Content), o.f.Limits)
		results = append(results, checkDocument(doc, ds, vopts, in.Strict))
	} else {
		rs, unreadable, err := validateFiles(opts)
		if err != nil {
			return nil, toolError(err, printed)
		}
		if len(unreadable) > 0 {
			return nil, errors.Join(unreadable...)
		}
		results = rs
	}
	out := validationJSON(results, in.Verbose)
	return &out, nil
}

func (o *mcpOps) Render(ctx context.Context, in mcpserver.RenderInput) (*mcpserver.RenderOutput, error) {
	if in.Format == "png" || !slices.Contains(RenderFormats, in.Format) {
		return nil, fmt.Errorf("unknown format %q: want mermaid, svg, ascii, story, agent, dot or html (png is binary: use svg)", in.Format)
	}
	io, printed := quiet()
	var doc *ast.Document
	var ds diag.Diagnostics
	var err error
	if in.Content != "" {
		d, dds := parse.Bytes("inline.osop.yaml", []byte(in.Content), o.f.Limits)
		doc, ds, err = checkWorkflow(io, d, dds, "the content")
	} else {
		doc, ds, err = loadWorkflow(io, o.f.Limits, in.File)
	}
	if err != nil {
		return nil, toolError(err, printed)
	}
	out := &mcpserver.RenderOutput{Format: in.Format}
	ds = append(ds, validate.Document(doc, validate.Options{})...)
	if n := ds.Count(diag.Error); n > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("the workflow has %d error(s); the drawing shows what could be read (see validate)", n))
	}
	b, err := renderWorkflow(ctx, io, o.f.registry(), doc.Workflow, in.Format, false, 2)
	if err != nil {
		return nil, err
	}
	out.Text = string(b)
	return out, nil
}

func (o *mcpOps) Schema(_ context.Context, in mcpserver.SchemaInput) (*mcpserver.SchemaOutput, error) {
	src, err := schemaSource(in.Name, true)
	if err != nil {
		return nil, err
	}
	out := &mcpserver.SchemaOutput{Name: firstNonEmpty(in.Name, "osop")}
	if err := json.Unmarshal(src, &out.Schema); err != nil {
		return nil, fmt.Errorf("schema %s: %w", out.Name, err)
	}
	return out, nil
}

func (o *mcpOps) Rules(context.Context) (*mcpserver.RulesOutput, error) {
	out := &mcpserver.RulesOutput{}
	for _, id := range ruleIDs() {
		out.Rules = append(out.Rules, mcpserver.Rule{ID: id, Summary: validate.Rules[id]})
	}
	return out, nil
}

func (o *mcpOps) Record(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	err := o.sf.withRun(ctx, id, func(_ *store.Store, r *store.Run) error {
		var err error
		data, err = os.ReadFile(r.LogPath)
		return err
	})
	return data, err
}
