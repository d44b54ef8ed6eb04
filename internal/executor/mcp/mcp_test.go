package mcp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/mcp/mcptest"
	"github.com/osopdev/osop/internal/run"
)

func TestMain(m *testing.M) {
	mcptest.Main()
	os.Exit(m.Run())
}

// servers returns a stdio and an HTTP reference to the test server.
func servers(t *testing.T) map[string]any {
	t.Helper()
	var seen http.Header
	h := mcptest.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		if r.Header.Get("Authorization") != "Bearer t0ken" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	_ = seen
	return map[string]any{
		"stdio": map[string]any{"command": []any{os.Args[0]}, "env": map[string]any{mcptest.EnvVar: "1"}},
		"http":  map[string]any{"url": srv.URL, "headers": map[string]any{"Authorization": "Bearer t0ken"}},
	}
}

func request(t *testing.T, declared map[string]any, rt map[string]any, outs ...string) (*executor.Request, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &executor.Request{RunID: "r", NodeID: "m", NodeType: "mcp", Attempt: 1, Runtime: rt, Outputs: outs, Workdir: t.TempDir(),
		MCPServers: declared, Env: os.Environ(), Stdout: &out, Stderr: &errb,
		Expand: func(s string) (string, error) { return strings.ReplaceAll(s, "${inputs.n}", "40"), nil },
		Mask:   func(s string) string { return s }}, &out, &errb
}

func call(t *testing.T, req *executor.Request, timeout time.Duration) (*executor.Result, error) {
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	return (&Call{}).Execute(ctx, req)
}

func TestCall_overStdioAndHTTP(t *testing.T) {
	declared := servers(t)
	for _, server := range []string{"stdio", "http"} {
		t.Run(server, func(t *testing.T) {
			// structured content; a templated number placed as a JSON number
			req, _, errb := request(t, declared, map[string]any{"server": server, "tool": "add",
				"arguments": map[string]any{"a": "${inputs.n}", "b": 2}}, "sum")
			res, err := call(t, req, 20*time.Second)
			if err != nil {
				t.Fatalf("add: %v", err)
			}
			if res.Outputs["sum"] != float64(42) {
				t.Errorf("outputs = %v, want sum 42", res.Outputs)
			}
			if server == "stdio" && !strings.Contains(errb.String(), "hello from the server") {
				t.Errorf("the server's stderr is not in the node's log: %q", errb.String())
			}
			// text content parsed as JSON when outputs ask for fields
			req, out, _ := request(t, declared, map[string]any{"server": server, "tool": "lookup", "arguments": map[string]any{"key": "c-1"}}, "plan", "seats")
			res, err = call(t, req, 20*time.Second)
			if err != nil || res.Outputs["plan"] != "pro" || res.Outputs["seats"] != float64(12) {
				t.Errorf("lookup = %v, %v", res, err)
			}
			if !strings.Contains(out.String(), `"plan":"pro"`) {
				t.Errorf("the tool's text is not in the node's log: %q", out.String())
			}
			// plain text into the one declared output
			req, _, _ = request(t, declared, map[string]any{"server": server, "tool": "echo", "arguments": map[string]any{"text": `"; rm -rf / #`}}, "said")
			res, err = call(t, req, 20*time.Second)
			if err != nil || res.Outputs["said"] != `"; rm -rf / #` {
				t.Errorf("echo = %v, %v", res, err)
			}
			// a tool error fails the node with the tool's message
			req, _, _ = request(t, declared, map[string]any{"server": server, "tool": "fail", "arguments": map[string]any{"text": "x"}})
			_, err = call(t, req, 20*time.Second)
			var ee *executor.Error
			if !errors.As(err, &ee) || ee.Code != CodeToolError || !strings.Contains(ee.Message, "the database is down") {
				t.Errorf("fail = %v, want %s with the tool's message", err, CodeToolError)
			}
		})
	}
}

func TestCall_timeoutEndsTheServerAndItsGroup(t *testing.T) {
	declared := servers(t)
	pidfile := filepath.Join(t.TempDir(), "pids")
	req, _, _ := request(t, declared, map[string]any{"server": "stdio", "tool": "hang", "arguments": map[string]any{"pidfile": pidfile}})
	began := time.Now()
	_, err := call(t, req, 2*time.Second)
	if code, _ := executor.Classify(err); code != run.CodeTimeout {
		t.Fatalf("err = %v, want TIMEOUT", err)
	}
	if took := time.Since(began); took > 8*time.Second {
		t.Errorf("the node took %s to stop", took)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("the server never started its child: %v", err)
	}
	for _, f := range strings.Fields(string(b)) {
		pid, _ := strconv.Atoi(f)
		deadline := time.Now().Add(5 * time.Second)
		for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("process %d outlived the node", pid)
		}
	}
}

func TestCheck(t *testing.T) {
	declared := map[string]any{"files": map[string]any{"command": "true"}}
	tests := []struct {
		rt   map[string]any
		path string
	}{
		{map[string]any{"server": "files"}, "runtime.tool"},
		{map[string]any{"server": "nosuchserver-xyz", "tool": "t"}, "runtime.server"},
		{map[string]any{"tool": "t"}, "runtime.server"},
		{map[string]any{"server": "files", "tool": "t", "arguments": "a=1"}, "runtime.arguments"},
	}
	for _, tt := range tests {
		ps := (&Call{}).Check(executor.NodeConfig{ID: "m", Type: "mcp", Runtime: tt.rt, MCPServers: declared})
		if len(ps) != 1 || strings.Join(ps[0].Path, ".") != tt.path {
			t.Errorf("Check(%v) = %+v, want one problem at %s", tt.rt, ps, tt.path)
		}
	}
	for _, rt := range []map[string]any{
		{"server": "files", "tool": "t"}, {"server": "https://mcp.example/mcp", "tool": "t"}, {"server": "true --flag", "tool_name": "t"},
	} {
		if ps := (&Call{}).Check(executor.NodeConfig{ID: "m", Type: "mcp", Runtime: rt, MCPServers: declared}); len(ps) > 0 {
			t.Errorf("Check(%v) = %+v, want none", rt, ps)
		}
	}
}
