package cli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/osopdev/osop/internal/mcpserver"
)

// httpServer is osop mcp --http running in its own process.
type httpServer struct {
	url    string // http://127.0.0.1:PORT/mcp
	token  string // the generated one, when no --token-file was given
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr strings.Builder
}

var (
	servingRe = regexp.MustCompile(`serving MCP \(streamable HTTP\) at (http://\S+/mcp)`)
	tokenRe   = regexp.MustCompile(`bearer token \(shown once\): (\S+)`)
)

// startHTTP starts osop mcp --http 127.0.0.1:0 ARGS in dir and waits for
// it to say where it listens.
func startHTTP(t *testing.T, dir string, args ...string) *httpServer {
	t.Helper()
	h := &httpServer{cmd: exec.Command("osop", append([]string{"mcp", "--http", "127.0.0.1:0"}, args...)...)}
	h.cmd.Dir = dir
	pipe, err := h.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	var once sync.Once
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			h.mu.Lock()
			h.stderr.WriteString(line + "\n")
			if m := tokenRe.FindStringSubmatch(line); m != nil {
				h.token = m[1]
			}
			if m := servingRe.FindStringSubmatch(line); m != nil {
				h.url = m[1]
			}
			done := h.url != "" && (h.token != "" || slices.Contains(args, "--token-file"))
			h.mu.Unlock()
			if done {
				once.Do(func() { close(ready) })
			}
		}
	}()
	t.Cleanup(func() {
		// Ctrl-C stops the server gracefully: exit 0, nothing amiss said.
		_ = h.cmd.Process.Signal(os.Interrupt)
		if err := h.cmd.Wait(); err != nil || strings.Contains(h.said(), "DATA RACE") {
			t.Errorf("osop mcp --http ended with %v; it said:\n%s", err, h.said())
		}
	})
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("osop mcp --http did not start; it said:\n%s", h.said())
	}
	return h
}

func (h *httpServer) said() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stderr.String()
}

// bearer adds a token to each request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func connectHTTP(ctx context.Context, url, token string) (*mcp.ClientSession, error) {
	c := mcp.NewClient(&mcp.Implementation{Name: "osop-test", Version: "1"}, nil)
	return c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: url, MaxRetries: -1,
		HTTPClient: &http.Client{Transport: bearer{token}}}, nil)
}

// post sends one initialize request by hand and returns the status.
func post(t *testing.T, url string, header map[string]string) int {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range header {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestMCP_http(t *testing.T) {
	t.Parallel()
	dir := mcpWorkdir(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	const token = "0123456789abcdef-test-token"
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startHTTP(t, dir, "--token-file", tokenFile)
	if !strings.HasPrefix(h.url, "http://127.0.0.1:") {
		t.Errorf("listens on %s, want 127.0.0.1", h.url)
	}
	if strings.Contains(h.said(), token) {
		t.Errorf("a token from a file was printed:\n%s", h.said())
	}
	for name, header := range map[string]map[string]string{
		"no token":       {},
		"wrong token":    {"Authorization": "Bearer 0123456789abcdef-test-tokeX"},
		"a prefix":       {"Authorization": "Bearer 0123456789abcdef"},
		"not bearer":     {"Authorization": "Basic " + token},
		"token as query": {"X-Token": token},
	} {
		if code := post(t, h.url, header); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, code)
		}
	}
	ok := map[string]string{"Authorization": "Bearer " + token}
	if code := post(t, h.url, ok); code != http.StatusOK {
		t.Errorf("right token: status %d, want 200", code)
	}
	rebind := map[string]string{"Authorization": "Bearer " + token, "Host": "evil.example:80"}
	if code := post(t, h.url, rebind); code != http.StatusForbidden {
		t.Errorf("another Host on loopback (DNS rebinding): status %d, want 403", code)
	}
	cross := map[string]string{"Authorization": "Bearer " + token, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
	if code := post(t, h.url, cross); code != http.StatusForbidden {
		t.Errorf("a cross-site request: status %d, want 403", code)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if _, err := connectHTTP(ctx, h.url, "wrong-token-wrong-token"); err == nil {
		t.Fatalf("the SDK client connected with a wrong token")
	}
	s, err := connectHTTP(ctx, h.url, token)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tools, err := s.ListTools(ctx, nil)
	if err != nil || len(tools.Tools) != len(mcpserver.Tools) {
		t.Fatalf("tools: %v, %v", tools, err)
	}
	var v mcpserver.ValidateOutput
	call(t, s, "validate", map[string]any{"files": []string{"flow.osop.yaml"}}, &v)
	if !v.Valid {
		t.Errorf("validate over HTTP = %+v", v)
	}
	wantToolError(t, call(t, s, "run", map[string]any{"file": "flow.osop.yaml", "inputs": map[string]any{"who": "x"}}, nil), "--allow-run")
}

// TestMCP_httpGeneratedToken: without --token-file a token is made and
// printed once; it works, and the server runs when --allow-run says so.
func TestMCP_httpGeneratedToken(t *testing.T) {
	t.Parallel()
	dir := mcpWorkdir(t)
	h := startHTTP(t, dir, "--allow-run")
	if len(h.token) != 64 || strings.Count(h.said(), h.token) != 1 {
		t.Fatalf("token %q, printed %d times:\n%s", h.token, strings.Count(h.said(), h.token), h.said())
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	s, err := connectHTTP(ctx, h.url, h.token)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out mcpserver.RunOutput
	call(t, s, "run", map[string]any{"file": "flow.osop.yaml", "inputs": map[string]any{"who": "http"}, "auto_approve": true,
		"secrets": map[string]string{"TOKEN": "tok"}, "run_id": "h1"}, &out)
	waitDone(t, s, "h1", "COMPLETED")
	last := "0"
	if h.token[63] == '0' {
		last = "1"
	}
	if code := post(t, h.url, map[string]string{"Authorization": "Bearer " + h.token[:63] + last}); code != http.StatusUnauthorized {
		t.Errorf("a token one character off: status %d, want 401", code)
	}
}
