package lsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// Options are what the server needs from the rest of osop.
type Options struct {
	// Check loads and validates a document's text exactly as `osop
	// validate` does (parse diagnostics first, then the validator's),
	// returning the document and every diagnostic, sorted. Required.
	Check func(file string, src []byte) (*ast.Document, diag.Diagnostics)
	// Actions says what each node runs, by node id, as `osop run
	// --dry-run` describes it; nil shows no actions in hovers.
	Actions func(doc *ast.Document) map[string]string
	// Render returns the SVG of a workflow, as `osop render -f svg` draws
	// it; nil disables the osop.render command.
	Render func(ctx context.Context, doc *ast.Document) ([]byte, error)
	// Debounce is how long after the last change a document is checked;
	// 0 means 50 ms.
	Debounce time.Duration
	// Version is reported to the client in serverInfo.
	Version string
	// Published, when set, is called after each publishDiagnostics
	// notification is written (tests and benchmarks).
	Published func(uri string, version int)
}

// ErrExitWithoutShutdown is returned by [Serve] when the client sent exit
// without shutdown first: the specification's exit code 1.
var ErrExitWithoutShutdown = errors.New("exit without shutdown")

// server holds the open documents. mu guards docs and shutdown; a
// document's fields are guarded by mu too.
type server struct {
	opts Options
	conn jsonrpc2.Conn

	mu       sync.Mutex
	docs     map[string]*document
	shutdown bool

	exit    chan struct{}
	exitNow sync.Once

	pubMu sync.Mutex // serialises publishing, so a stale result never follows a fresh one
}

// document is one open text document.
type document struct {
	uri     string
	file    string
	src     []byte
	version int
	timer   *time.Timer
	view    *view // the analysis of the current version, built on demand
}

// Serve runs the server over rwc (stdin and stdout, for `osop lsp`) until
// the client sends exit or closes the stream.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	if opts.Check == nil {
		return errors.New("lsp: Options.Check is required")
	}
	if opts.Debounce <= 0 {
		opts.Debounce = 50 * time.Millisecond
	}
	s := &server{opts: opts, docs: map[string]*document{}, exit: make(chan struct{})}
	s.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(rwc))
	s.conn.Go(ctx, s.handle)
	select {
	case <-s.conn.Done():
	case <-s.exit:
	case <-ctx.Done():
	}
	s.stopTimers()
	// Close waits for the reader; a reader blocked on a terminal's or a
	// pipe's read may never return, and the process is ending anyway.
	closed := make(chan error, 1)
	go func() { closed <- s.conn.Close() }()
	var err error
	select {
	case err = <-closed:
	case <-time.After(time.Second):
	}
	s.mu.Lock()
	clean := s.shutdown
	s.mu.Unlock()
	select {
	case <-s.exit:
		if !clean {
			return ErrExitWithoutShutdown
		}
		return nil
	default:
	}
	if ctx.Err() != nil {
		return nil
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
		return fmt.Errorf("lsp connection: %w", err)
	}
	return nil
}

func (s *server) stopTimers() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.docs {
		if d.timer != nil {
			d.timer.Stop()
		}
	}
}

// handle dispatches one request or notification. It runs on the read
// goroutine: everything here is quick, and validation after a change runs
// on a timer's goroutine, so a slow check never delays reading.
func (s *server) handle(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	p := req.Params()
	switch req.Method() {
	case "initialize":
		return s.initialize(), nil
	case "initialized", "$/setTrace", "$/cancelRequest", "workspace/didChangeConfiguration", "textDocument/didSave":
		return nil, nil
	case "shutdown":
		s.mu.Lock()
		s.shutdown = true
		s.mu.Unlock()
		return nil, nil
	case "exit":
		s.exitNow.Do(func() { close(s.exit) })
		return nil, nil
	case "textDocument/didOpen":
		return notify(p, s.didOpen)
	case "textDocument/didChange":
		return notify(p, s.didChange)
	case "textDocument/didClose":
		return notify(p, s.didClose)
	}
	if r, err, ok := s.feature(ctx, req.Method(), p); ok {
		return r, err
	}
	if !req.IsCall() {
		// Unknown notifications are ignored, as the specification asks.
		return nil, nil
	}
	return nil, jsonrpc2.ErrMethodNotFound
}

func decode[P any](raw jsonrpc2.RawMessage) (P, error) {
	var p P
	if err := jsonrpc2.DefaultCodec.Unmarshal(raw, &p); err != nil {
		return p, jsonrpc2.NewError(jsonrpc2.InvalidParams, err.Error())
	}
	return p, nil
}

func notify[P any](raw jsonrpc2.RawMessage, fn func(P)) (any, error) {
	p, err := decode[P](raw)
	if err != nil {
		return nil, err
	}
	fn(p)
	return nil, nil
}

func call[P, R any](raw jsonrpc2.RawMessage, fn func(P) (R, error)) (any, error) {
	p, err := decode[P](raw)
	if err != nil {
		return nil, err
	}
	return fn(p)
}

// RenderCommand is the workspace/executeCommand that returns the SVG of
// the document whose URI is its one argument.
const RenderCommand = "osop.render"

func (s *server) initialize() any {
	return map[string]any{
		"capabilities": map[string]any{
			"positionEncoding": "utf-16",
			"textDocumentSync": map[string]any{"openClose": true, "change": 2},
			"completionProvider": map[string]any{
				"triggerCharacters": []string{":", " ", "{", ".", "$", "("},
			},
			"hoverProvider":          true,
			"definitionProvider":     true,
			"referencesProvider":     true,
			"renameProvider":         map[string]any{"prepareProvider": true},
			"documentSymbolProvider": true,
			"codeActionProvider":     map[string]any{"codeActionKinds": []string{"quickfix"}},
			"executeCommandProvider": map[string]any{"commands": []string{RenderCommand}},
		},
		"serverInfo": map[string]any{"name": "osop", "version": s.opts.Version},
	}
}

// fileOf turns a document URI into the file name diagnostics and the
// parser's kind detection use; a URI of another scheme keeps its path.
func fileOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Path == "" {
		return uri
	}
	return filepath.FromSlash(u.Path)
}

func (s *server) didOpen(p didOpenParams) {
	d := &document{uri: p.TextDocument.URI, file: fileOf(p.TextDocument.URI),
		src: []byte(p.TextDocument.Text), version: p.TextDocument.Version}
	s.mu.Lock()
	if old := s.docs[d.uri]; old != nil && old.timer != nil {
		old.timer.Stop()
	}
	s.docs[d.uri] = d
	s.schedule(d, 0)
	s.mu.Unlock()
}

func (s *server) didChange(p didChangeParams) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[p.TextDocument.URI]
	if d == nil {
		return // a change to a document never opened: nothing to apply it to
	}
	for _, c := range p.ContentChanges {
		d.src = applyChange(d.src, c)
	}
	d.version = p.TextDocument.Version
	d.view = nil
	s.schedule(d, s.opts.Debounce)
}

func (s *server) didClose(p didCloseParams) {
	s.mu.Lock()
	d := s.docs[p.TextDocument.URI]
	delete(s.docs, p.TextDocument.URI)
	if d != nil && d.timer != nil {
		d.timer.Stop()
	}
	s.mu.Unlock()
	// Clear what was published: a closed file's problems leave the list.
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	_ = s.conn.Notify(context.Background(), "textDocument/publishDiagnostics",
		publishParams{URI: p.TextDocument.URI, Diagnostics: []Diagnostic{}}) // the client is gone if this fails
}

// schedule (re)starts d's debounce timer; s.mu is held.
func (s *server) schedule(d *document, after time.Duration) {
	if d.timer != nil {
		d.timer.Stop()
	}
	uri, version := d.uri, d.version
	d.timer = time.AfterFunc(after, func() { s.check(uri, version) })
}

// check validates one version of a document and publishes the result,
// unless a newer version arrived meanwhile.
func (s *server) check(uri string, version int) {
	s.mu.Lock()
	d := s.docs[uri]
	if d == nil || d.version != version {
		s.mu.Unlock()
		return
	}
	file, src := d.file, d.src
	s.mu.Unlock()

	doc, ds := s.opts.Check(file, src)
	v := newView(doc, src, ds)
	diags := v.diags

	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	s.mu.Lock()
	current := s.docs[uri] != nil && s.docs[uri].version == version
	if current && s.docs[uri].view == nil {
		s.docs[uri].view = v
	}
	s.mu.Unlock()
	if !current {
		return
	}
	ver := version
	if err := s.conn.Notify(context.Background(), "textDocument/publishDiagnostics",
		publishParams{URI: uri, Version: &ver, Diagnostics: diags}); err != nil {
		return // the connection is closing; Serve reports why
	}
	if s.opts.Published != nil {
		s.opts.Published(uri, version)
	}
}

// current returns the analysis of a document's current text, checking it
// now if the debounced check has not run yet; nil for an unknown URI.
func (s *server) current(uri string) *view {
	s.mu.Lock()
	d := s.docs[uri]
	if d == nil {
		s.mu.Unlock()
		return nil
	}
	if v := d.view; v != nil {
		s.mu.Unlock()
		return v
	}
	file, src, version := d.file, d.src, d.version
	s.mu.Unlock()
	doc, ds := s.opts.Check(file, src)
	v := newView(doc, src, ds)
	s.mu.Lock()
	if d := s.docs[uri]; d != nil && d.version == version {
		d.view = v
	}
	s.mu.Unlock()
	return v
}
