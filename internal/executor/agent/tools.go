package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/agent/llm"
	"github.com/osopdev/osop/internal/executor/mcp"
	"github.com/osopdev/osop/internal/executor/proc"
)

// toolOutputLimit bounds what one tool call hands back to the model.
const toolOutputLimit = 64 << 10

// tool is something the model may call.
type tool struct {
	spec llm.Tool
	// name is how the node and the record call it (SERVER.TOOL for MCP).
	name string
	run  func(ctx context.Context, input map[string]any) (string, error)
}

// toolEnv is what built-in tools act on.
type toolEnv struct {
	req  *executor.Request
	root *os.Root // the workdir: files outside it cannot be named
	http *http.Client
}

func object(props map[string]any, required ...string) map[string]any {
	return map[string]any{"type": "object", "properties": props, "required": required}
}

func strProp(desc string) map[string]any {
	return map[string]any{"type": "string", "description": desc}
}

// builtins are the tools osop gives agents itself, each under osop's
// rules: files only inside the workdir, a shell only where the node
// allows it.
var builtins = map[string]func(e *toolEnv) tool{
	"read_file": func(e *toolEnv) tool {
		return tool{spec: llm.Tool{Name: "read_file", Description: "Read a text file in the workflow's working directory.",
			Schema: object(map[string]any{"path": strProp("path relative to the working directory")}, "path")}, run: e.readFile}
	},
	"write_file": func(e *toolEnv) tool {
		return tool{spec: llm.Tool{Name: "write_file", Description: "Write a text file in the workflow's working directory, replacing it.",
			Schema: object(map[string]any{"path": strProp("path relative to the working directory"), "content": strProp("the whole file")}, "path", "content")},
			run: e.writeFile}
	},
	"http_get": func(e *toolEnv) tool {
		return tool{spec: llm.Tool{Name: "http_get", Description: "GET an http(s) URL and return its status and body.",
			Schema: object(map[string]any{"url": strProp("an http:// or https:// URL")}, "url")}, run: e.httpGet}
	},
	"shell": func(e *toolEnv) tool {
		return tool{spec: llm.Tool{Name: "shell", Description: "Run a bash command in the working directory; returns its exit status and output.",
			Schema: object(map[string]any{"command": strProp("the command line")}, "command")}, run: e.shell}
	},
}

func argString(in map[string]any, key string) (string, error) {
	s, ok := in[key].(string)
	if !ok || s == "" {
		return "", fmt.Errorf("%s: a non-empty string is required", key)
	}
	return s, nil
}

// inside turns a path the model gave into one relative to the workdir;
// os.Root then refuses anything that leaves it, through .. or a symlink.
func inside(p string) string {
	if filepath.IsAbs(p) {
		return p // os.Root refuses absolute paths
	}
	return filepath.Clean(p)
}

func (e *toolEnv) readFile(_ context.Context, in map[string]any) (string, error) {
	p, err := argString(in, "path")
	if err != nil {
		return "", err
	}
	f, err := e.root.Open(inside(p))
	if err != nil {
		return "", pathError(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, toolOutputLimit+1))
	if err != nil {
		return "", pathError(err)
	}
	if len(b) > toolOutputLimit {
		return string(b[:toolOutputLimit]) + fmt.Sprintf("\n… (cut at %d bytes)", toolOutputLimit), nil
	}
	return string(b), nil
}

func (e *toolEnv) writeFile(_ context.Context, in map[string]any) (string, error) {
	p, err := argString(in, "path")
	if err != nil {
		return "", err
	}
	content, ok := in["content"].(string)
	if !ok {
		return "", fmt.Errorf("content: a string is required")
	}
	p = inside(p)
	if dir := filepath.Dir(p); dir != "." {
		if err := e.root.MkdirAll(dir, 0o755); err != nil {
			return "", pathError(err)
		}
	}
	if err := e.root.WriteFile(p, []byte(content), 0o644); err != nil {
		return "", pathError(err)
	}
	return fmt.Sprintf("wrote %d bytes to %s", len(content), p), nil
}

// pathError says what went wrong without the workdir's absolute path.
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

func (e *toolEnv) httpGet(ctx context.Context, in map[string]any) (string, error) {
	u, err := argString(in, "url")
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return "", fmt.Errorf("url: only http:// and https:// URLs can be fetched")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	r.Header.Set("User-Agent", "osop-agent")
	resp, err := e.http.Do(r)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, toolOutputLimit)) // a short body is still an answer
	out := fmt.Sprintf("HTTP %d\n%s", resp.StatusCode, b)
	if resp.StatusCode >= 400 {
		return "", errors.New(out)
	}
	return out, nil
}

func (e *toolEnv) shell(ctx context.Context, in map[string]any) (string, error) {
	cmd, err := argString(in, "command")
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	w := &capped{b: &out, n: toolOutputLimit}
	code, err := proc.Run(ctx, proc.Spec{Argv: []string{"bash", "--noprofile", "--norc", "-c", cmd}, Dir: e.req.Workdir,
		Env: e.req.Env, Stdout: w, Stderr: w})
	if err != nil {
		return "", err
	}
	text := fmt.Sprintf("exit status %d\n%s", code, out.String())
	if code != 0 {
		return "", errors.New(text)
	}
	return text, nil
}

// capped keeps the first n bytes written to it.
type capped struct {
	b *bytes.Buffer
	n int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.n - c.b.Len(); room > 0 {
		c.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_-]`)

// mcpTools connects to each MCP server the node's tools name and returns
// the tools it offers that the node asked for, with the sessions to close.
func mcpTools(ctx context.Context, req *executor.Request, names []string) ([]tool, []*mcp.Session, error) {
	want := map[string][]string{} // server -> tools ("*" for all)
	var order []string
	for _, n := range names {
		server, t, found := strings.Cut(n, ".")
		if _, builtin := builtins[n]; builtin || !found && req.MCPServers[n] == nil {
			continue
		}
		if !found {
			t = "*"
		}
		if _, seen := want[server]; !seen {
			order = append(order, server)
		}
		want[server] = append(want[server], t)
	}
	var tools []tool
	var sessions []*mcp.Session
	for _, server := range order {
		s, err := mcp.Resolve(server, req.MCPServers, req.Expand)
		if err != nil {
			return tools, sessions, fmt.Errorf("MCP server %s: %w", server, err)
		}
		sess, err := mcp.Connect(ctx, s, mcp.ConnectOptions{Dir: req.Workdir, Env: req.Env, Stderr: req.Stderr, Version: mcp.Version})
		if err != nil {
			return tools, sessions, err
		}
		sessions = append(sessions, sess)
		offered, err := sess.Tools(ctx)
		if err != nil {
			return tools, sessions, err
		}
		for _, t := range offered {
			if !wanted(want[server], t.Name) {
				continue
			}
			tools = append(tools, mcpTool(sess, server, t))
		}
	}
	return tools, sessions, nil
}

func wanted(list []string, name string) bool {
	for _, w := range list {
		if w == "*" || w == name {
			return true
		}
	}
	return false
}

func mcpTool(sess *mcp.Session, server string, t mcp.ToolInfo) tool {
	schema := t.InputSchema
	if schema == nil {
		schema = object(map[string]any{})
	}
	name := unsafeName.ReplaceAllString(server+"__"+t.Name, "_")
	if len(name) > 64 {
		name = name[:64]
	}
	return tool{name: server + "." + t.Name, spec: llm.Tool{Name: name, Description: t.Description, Schema: schema},
		run: func(ctx context.Context, in map[string]any) (string, error) {
			res, err := sess.Call(ctx, t.Name, in)
			if err != nil {
				return "", err
			}
			text := res.Text
			if res.Structured != nil {
				if b, err := json.Marshal(res.Structured); err == nil {
					text = string(b)
				}
			}
			if res.IsError {
				return "", errors.New(text)
			}
			return text, nil
		}}
}
