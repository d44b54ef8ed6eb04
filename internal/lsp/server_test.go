package lsp_test

import (
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/lsp"
	"github.com/osopdev/osop/internal/lsp/lsptest"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/validate"
)

// check is `osop validate` without the executors' runtime checks.
func check(file string, src []byte) (*ast.Document, diag.Diagnostics) {
	doc, ds := parse.Bytes(file, src, parse.DefaultLimits)
	ds = append(ds, validate.Document(doc, validate.Options{})...)
	ds.Sort()
	return doc, ds
}

const broken = `osop_version: "2.0"
id: demo
name: "建置與部署 🚀"
nodes:
  - {name: "建置🚀", id: build, type: cli, purpse: x}
  - id: ship
    type: dokcer
edges:
  - {from: build, to: shipp}
`

func TestServer_diagnosticsOnOpen(t *testing.T) {
	t.Parallel()
	c := lsptest.Start(t, lsp.Options{Check: check})
	uri := "file:///tmp/demo.osop.yaml"
	c.Open(uri, broken)
	p := c.Diagnostics(uri, 1)
	want := map[string]lsp.Range{
		// Line 5: `  - {name: "建置🚀", id: build, type: cli, ` is 40 characters,
		// 41 UTF-16 units (the rocket takes two).
		"unknown-field":     {Start: lsp.Position{Line: 4, Character: 41}, End: lsp.Position{Line: 4, Character: 47}},
		"unknown-node-type": {Start: lsp.Position{Line: 6, Character: 10}, End: lsp.Position{Line: 6, Character: 16}},
		"unknown-node":      {Start: lsp.Position{Line: 8, Character: 22}, End: lsp.Position{Line: 8, Character: 27}},
	}
	got := map[string]lsp.Diagnostic{}
	for _, d := range p.Diagnostics {
		got[d.Code] = d
	}
	for code, r := range want {
		d, ok := got[code]
		if !ok {
			t.Errorf("no %s diagnostic; got %+v", code, p.Diagnostics)
			continue
		}
		if d.Range != r {
			t.Errorf("%s range = %+v, want %+v", code, d.Range, r)
		}
		if d.Source != "osop" || d.Severity == 0 {
			t.Errorf("%s: source %q severity %d", code, d.Source, d.Severity)
		}
	}
	if d := got["unknown-node-type"]; !strings.Contains(d.Message, `did you mean "docker"?`) {
		t.Errorf("unknown-node-type message %q lacks the suggestion", d.Message)
	}
}

func TestServer_changes(t *testing.T) {
	t.Parallel()
	c := lsptest.Start(t, lsp.Options{Check: check})
	uri := "file:///tmp/demo.osop"
	c.Open(uri, broken)
	if p := c.Diagnostics(uri, 1); len(p.Diagnostics) == 0 {
		t.Fatal("no diagnostics for the broken file")
	}
	// Incremental: fix the edge's target (line 8, "shipp" → "ship").
	c.Edit(uri, 2, lsp.Range{Start: lsp.Position{Line: 8, Character: 26}, End: lsp.Position{Line: 8, Character: 27}}, "")
	p := c.Diagnostics(uri, 2)
	for _, d := range p.Diagnostics {
		if d.Code == "unknown-node" {
			t.Errorf("unknown-node still reported after the fix: %+v", d)
		}
	}
	// A full replacement with a valid workflow clears everything.
	valid := strings.NewReplacer("purpse", "purpose", "dokcer", "docker", "shipp", "ship").Replace(broken)
	c.Replace(uri, 3, valid)
	if p := c.Diagnostics(uri, 3); len(p.Diagnostics) != 0 {
		t.Errorf("valid file: %+v", p.Diagnostics)
	}
	// Closing clears the list.
	n := c.Count()
	c.Notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
	deadline := time.Now().Add(5 * time.Second)
	for c.Count() == n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if c.Count() == n {
		t.Error("no diagnostics published on close")
	}
}

// Ten changes inside the debounce window are checked once, at the last
// version.
func TestServer_debounce(t *testing.T) {
	t.Parallel()
	var checks atomic.Int32
	counting := func(file string, src []byte) (*ast.Document, diag.Diagnostics) {
		checks.Add(1)
		return check(file, src)
	}
	c := lsptest.Start(t, lsp.Options{Check: counting, Debounce: 200 * time.Millisecond})
	uri := "file:///tmp/d.osop.yaml"
	c.Open(uri, broken)
	c.Diagnostics(uri, 1)
	before := checks.Load()
	for v := 2; v <= 11; v++ {
		c.Replace(uri, v, broken)
	}
	if p := c.Diagnostics(uri, 11); p.Version != 11 {
		t.Errorf("published version %d, want 11", p.Version)
	}
	if n := checks.Load() - before; n != 1 {
		t.Errorf("%d checks for 10 quick changes, want 1", n)
	}
}

// A slow check does not stop the server from reading: requests are
// answered while it runs.
func TestServer_slowCheckDoesNotBlock(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := func(file string, src []byte) (*ast.Document, diag.Diagnostics) {
		if strings.Contains(string(src), "slow") {
			<-release
		}
		return check(file, src)
	}
	c := lsptest.Start(t, lsp.Options{Check: slow, Debounce: time.Millisecond})
	c.Open("file:///tmp/slow.osop", "# slow\n"+broken)
	time.Sleep(20 * time.Millisecond) // the check is now waiting
	start := time.Now()
	c.Open("file:///tmp/fast.osop", broken)
	c.Diagnostics("file:///tmp/fast.osop", 1)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a second document waited %v behind a slow check", d)
	}
	close(release)
	c.Diagnostics("file:///tmp/slow.osop", 1)
}

func TestServer_unknownMethod(t *testing.T) {
	t.Parallel()
	c := lsptest.Start(t, lsp.Options{Check: check})
	if err := c.TryCall("osop/nothing", map[string]any{}, nil); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown method: err = %v, want method not found", err)
	}
}

// exit without shutdown ends the server with ErrExitWithoutShutdown
// (osop lsp's exit code 1), as the specification asks.
func TestServe_exitWithoutShutdown(t *testing.T) {
	t.Parallel()
	sr, cw, _ := os.Pipe()
	cr, sw, _ := os.Pipe()
	done := make(chan error, 1)
	go func() { done <- lsp.Serve(t.Context(), rw{sr, sw}, lsp.Options{Check: check}) }()
	conn := jsonrpc2.NewConn(jsonrpc2.NewStream(rw{cr, cw}))
	conn.Go(t.Context(), jsonrpc2.MethodNotFoundHandler)
	defer conn.Close()
	if _, err := conn.Call(t.Context(), "initialize", map[string]any{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Notify(t.Context(), "exit", nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, lsp.ErrExitWithoutShutdown) {
			t.Errorf("Serve = %v, want ErrExitWithoutShutdown", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after exit")
	}
}

type rw struct{ r, w *os.File }

func (p rw) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p rw) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p rw) Close() error                { return errors.Join(p.r.Close(), p.w.Close()) }
