// Package lsptest drives an osop language server from tests: a real
// JSON-RPC client (the jsonrpc2 library's own connection) over operating
// system pipes, recording what the server publishes.
package lsptest

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/osopdev/osop/internal/lsp"
)

// Published is one publishDiagnostics notification.
type Published struct {
	URI         string           `json:"uri"`
	Version     int              `json:"version"`
	Diagnostics []lsp.Diagnostic `json:"diagnostics"`
}

// Client is the client side of a running server.
type Client struct {
	t    testing.TB
	conn jsonrpc2.Conn

	mu      sync.Mutex
	latest  map[string]Published // guarded by mu
	count   int                  // notifications received; guarded by mu
	changed chan struct{}        // closed and replaced on each notification; guarded by mu

	served chan error
}

// Start runs lsp.Serve with opts on one end of two pipes and connects a
// client to the other end, initialized. The server is shut down when the
// test ends.
func Start(t testing.TB, opts lsp.Options) *Client {
	t.Helper()
	sr, cw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cr, sw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{t: t, latest: map[string]Published{}, changed: make(chan struct{}), served: make(chan error, 1)}
	ctx := context.Background()
	go func() { c.served <- lsp.Serve(ctx, pipe{sr, sw}, opts) }()
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(pipe{cr, cw}))
	c.conn.Go(ctx, c.handle)
	var init map[string]any
	c.Call("initialize", map[string]any{"processId": os.Getpid(), "capabilities": map[string]any{}}, &init)
	c.Notify("initialized", map[string]any{})
	t.Cleanup(c.stop)
	return c
}

func (c *Client) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.conn.Call(ctx, "shutdown", nil, nil); err != nil {
		c.t.Errorf("shutdown: %v", err)
	}
	if err := c.conn.Notify(ctx, "exit", nil); err != nil {
		c.t.Errorf("exit: %v", err)
	}
	select {
	case err := <-c.served:
		if err != nil {
			c.t.Errorf("Serve: %v", err)
		}
	case <-ctx.Done():
		c.t.Errorf("the server did not stop after exit")
	}
	_ = c.conn.Close() // the server has gone; its end is closed
}

func (c *Client) handle(_ context.Context, req *jsonrpc2.Request) (any, error) {
	if req.Method() != "textDocument/publishDiagnostics" {
		return nil, nil
	}
	var p Published
	if err := jsonrpc2.DefaultCodec.Unmarshal(req.Params(), &p); err != nil {
		c.t.Errorf("publishDiagnostics: %v", err)
		return nil, nil
	}
	c.mu.Lock()
	c.latest[p.URI] = p
	c.count++
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	return nil, nil
}

// Call sends a request and decodes its result into result, failing the
// test on an error response.
func (c *Client) Call(method string, params, result any) {
	c.t.Helper()
	if err := c.TryCall(method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// TryCall sends a request and returns the error response, if any.
func (c *Client) TryCall(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.conn.Call(ctx, method, params, result)
	return err
}

// Notify sends a notification.
func (c *Client) Notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// Open sends didOpen for a document at version 1.
func (c *Client) Open(uri, text string) {
	c.t.Helper()
	c.Notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
}

// Replace sends a full-text didChange.
func (c *Client) Replace(uri string, version int, text string) {
	c.t.Helper()
	c.Notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": []map[string]any{{"text": text}}})
}

// Edit sends an incremental didChange replacing r with text.
func (c *Client) Edit(uri string, version int, r lsp.Range, text string) {
	c.t.Helper()
	c.Notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": version},
		"contentChanges": []map[string]any{{"range": r, "text": text}}})
}

// Diagnostics waits until diagnostics for at least version of uri are
// published, and returns them.
func (c *Client) Diagnostics(uri string, version int) Published {
	c.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		p, ok := c.latest[uri]
		ch := c.changed
		c.mu.Unlock()
		if ok && p.Version >= version {
			return p
		}
		select {
		case <-ch:
		case <-deadline:
			c.t.Fatalf("no diagnostics for %s version %d within 10s (latest %+v)", uri, version, p)
		}
	}
}

// Count returns how many publishDiagnostics notifications arrived.
func (c *Client) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

// pipe is one direction read, the other written.
type pipe struct {
	r *os.File
	w *os.File
}

func (p pipe) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p pipe) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p pipe) Close() error {
	errR, errW := p.r.Close(), p.w.Close()
	if errR != nil {
		return errR
	}
	return errW
}
