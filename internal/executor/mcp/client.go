package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// ConnectOptions are what a connection needs from the node.
type ConnectOptions struct {
	Dir    string    // working directory of a stdio server
	Env    []string  // its environment, before the server's own env
	Stderr io.Writer // where its stderr goes: the node's log
	// Version is osop's, sent as the client's implementation version.
	Version string
}

// Session is a connection to one MCP server.
type Session struct {
	cs   *sdk.ClientSession
	cmd  *exec.Cmd
	name string
}

// Connect starts or reaches the server and initialises the session. A
// stdio server runs in a process group of its own, ended with the
// session.
func Connect(ctx context.Context, s Server, o ConnectOptions) (*Session, error) {
	client := sdk.NewClient(&sdk.Implementation{Name: "osop", Version: o.Version}, nil)
	var t sdk.Transport
	var cmd *exec.Cmd
	if s.URL != "" {
		t = &sdk.StreamableClientTransport{Endpoint: s.URL, HTTPClient: &http.Client{Transport: headers{s.Headers}},
			DisableStandaloneSSE: true, MaxRetries: -1}
	} else {
		cmd = exec.Command(s.Command[0], s.Command[1:]...)
		cmd.Dir = o.Dir
		cmd.Env = append(append([]string{}, o.Env...), envList(s.Env)...)
		cmd.Stderr = o.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		t = &sdk.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}
	}
	cs, err := client.Connect(ctx, t, nil)
	if err != nil {
		if cmd != nil && cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("connecting to MCP server %s: %w", s, err)
	}
	return &Session{cs: cs, cmd: cmd, name: s.String()}, nil
}

func envList(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

// headers adds a server's declared headers (an Authorization bearer
// token, say) to every request.
type headers struct{ h map[string]string }

func (h headers) RoundTrip(r *http.Request) (*http.Response, error) {
	if len(h.h) > 0 {
		r = r.Clone(r.Context())
		for k, v := range h.h {
			r.Header.Set(k, v)
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// ToolInfo is a tool a server offers.
type ToolInfo struct {
	Name        string
	Description string
	InputSchema map[string]any
}

// Tools lists the server's tools.
func (s *Session) Tools(ctx context.Context) ([]ToolInfo, error) {
	var out []ToolInfo
	for t, err := range s.cs.Tools(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("listing the tools of %s: %w", s.name, err)
		}
		out = append(out, ToolInfo{Name: t.Name, Description: t.Description, InputSchema: asMap(t.InputSchema)})
	}
	return out, nil
}

// Result is what a tool call gave back.
type Result struct {
	Structured any    // structured content, when the tool gives it
	Text       string // its text content, joined
	IsError    bool
}

// Call calls a tool with arguments placed as JSON values.
func (s *Session) Call(ctx context.Context, tool string, args map[string]any) (*Result, error) {
	res, err := s.cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("calling %s on %s: %w", tool, s.name, err)
	}
	out := &Result{Structured: res.StructuredContent, IsError: res.IsError}
	var texts []string
	for _, c := range res.Content {
		if t, ok := c.(*sdk.TextContent); ok {
			texts = append(texts, t.Text)
		}
	}
	out.Text = strings.Join(texts, "\n")
	return out, nil
}

// Close ends the session; a stdio server's process group goes with it,
// at once when ctx has ended (a timeout or a cancellation).
func (s *Session) Close(ctx context.Context) error {
	if s.cmd != nil && s.cmd.Process != nil && ctx.Err() != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM) // it may be gone already
	}
	err := s.cs.Close()
	if s.cmd != nil && s.cmd.Process != nil {
		// Whatever the server left in its group goes with it.
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) || ctx.Err() != nil {
		return nil // a server stopped by a signal, or by its end of input, is fine
	}
	return err
}

func asMap(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}
