// Package mcp runs mcp nodes: one call to one tool of a Model Context
// Protocol server, through the official Go SDK
// (github.com/modelcontextprotocol/go-sdk), over stdio (a command) or
// streamable HTTP (a URL). Agent nodes use its sessions for their MCP
// tools.
//
// Arguments are templated value by value and sent as JSON values: a value
// can never change the shape of the request. A stdio server runs in its
// own process group, its stderr goes to the node's log, and the group is
// ended with the node.
//
// It imports executor, run and the MCP SDK.
package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// Version is sent to servers as the client's version; the CLI sets it.
var Version = "dev"

// Register adds the mcp executor.
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "mcp", New: func() executor.Executor { return &Call{} }})
}

// Call is the mcp executor.
type Call struct{}

var (
	_ executor.Checker   = (*Call)(nil)
	_ executor.Describer = (*Call)(nil)
)

// CodeToolError is a tool that answered with isError.
const CodeToolError = "MCP_TOOL_ERROR"

func toolName(rt map[string]any) string {
	for _, k := range []string{"tool", "tool_name"} {
		if s, ok := rt[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// Check reports a missing server or tool, and a server reference that
// cannot work.
func (*Call) Check(n executor.NodeConfig) []executor.Problem {
	var ps []executor.Problem
	if toolName(n.Runtime) == "" {
		ps = append(ps, executor.Problem{Path: []string{"runtime", "tool"}, Severity: diag.Error,
			Summary: "missing: which tool of the server to call", Detail: "set runtime.tool to the tool's name"})
	}
	if err := CheckRef(n.Runtime["server"], n.MCPServers); err != nil {
		ps = append(ps, executor.Problem{Path: []string{"runtime", "server"}, Severity: diag.Error, Summary: err.Error(),
			Detail: "give a command (stdio), an http(s):// URL (streamable HTTP), or declare the server once under mcp_servers"})
	}
	if a, ok := n.Runtime["arguments"]; ok {
		if _, isMap := a.(map[string]any); !isMap {
			ps = append(ps, executor.Problem{Path: []string{"runtime", "arguments"}, Severity: diag.Error,
				Summary: "arguments must be a map of name to value"})
		}
	}
	return ps
}

// Describe says which tool of which server is called, with what.
func (*Call) Describe(req *executor.Request) (string, error) {
	s, err := Resolve(req.Runtime["server"], req.MCPServers, req.Expand)
	if err != nil {
		return "", err
	}
	args, err := Arguments(req.Runtime["arguments"], req.Expand, nil)
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(args)
	return req.Mask(fmt.Sprintf("mcp %s → %s %s", s, toolName(req.Runtime), b)), nil
}

// Execute connects, calls the tool, and reads its outputs.
func (*Call) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	s, err := Resolve(req.Runtime["server"], req.MCPServers, req.Expand)
	if err != nil {
		return nil, executor.Errorf(run.CodeConfig, false, "%v", err) // the caller names the node
	}
	sess, err := Connect(ctx, s, ConnectOptions{Dir: req.Workdir, Env: req.Env, Stderr: req.Stderr, Version: Version})
	if err != nil {
		return nil, stopped(ctx, err, run.CodeConnection)
	}
	defer sess.Close(ctx)
	tool := toolName(req.Runtime)
	var schema map[string]any
	if tools, err := sess.Tools(ctx); err == nil {
		for _, t := range tools {
			if t.Name == tool {
				schema = t.InputSchema
			}
		}
	}
	args, err := Arguments(req.Runtime["arguments"], req.Expand, schema)
	if err != nil {
		return nil, executor.Errorf(run.CodeConfig, false, "%v", err) // the caller names the node
	}
	res, err := sess.Call(ctx, tool, args)
	if err != nil {
		return nil, stopped(ctx, err, run.CodeUnclassified)
	}
	if res.Text != "" {
		fmt.Fprintln(req.Stdout, res.Text)
	}
	outputs := Outputs(res, req.Outputs)
	if res.IsError {
		return nil, &executor.Error{Code: CodeToolError, Outputs: outputs,
			Message: fmt.Sprintf("tool %s of %s answered with an error: %s", tool, s, firstLine(res.Text))}
	}
	return &executor.Result{Outputs: outputs}, nil
}

func stopped(ctx context.Context, err error, code string) error {
	if ctx.Err() != nil {
		c, retry := executor.Stopped(ctx)
		return &executor.Error{Code: c, Retryable: retry, Message: "stopped: " + executor.StopReason(ctx), Err: err}
	}
	return &executor.Error{Code: code, Retryable: code == run.CodeConnection, Message: err.Error(), Err: err}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Outputs reads a tool's result: its structured content's fields, else
// its text, parsed as JSON when it is an object (the declared outputs are
// then its fields). text always holds the text content.
func Outputs(res *Result, declared []string) map[string]any {
	out := map[string]any{"is_error": res.IsError}
	if res.Text != "" {
		out["text"] = res.Text
	}
	fields, _ := res.Structured.(map[string]any)
	if fields == nil && res.Structured == nil {
		var parsed any
		if json.Unmarshal([]byte(strings.TrimSpace(res.Text)), &parsed) == nil {
			fields, _ = parsed.(map[string]any)
			if fields == nil && len(declared) == 1 {
				out[declared[0]] = parsed
			}
		}
	}
	if res.Structured != nil && fields == nil {
		out["result"] = res.Structured
	}
	for k, v := range fields {
		out[k] = v
	}
	if len(declared) == 1 {
		if _, ok := out[declared[0]]; !ok && res.Text != "" {
			out[declared[0]] = res.Text
		}
	}
	return out
}

// Arguments expands each string of the arguments on its own and places
// it as a JSON value; where the tool's input schema wants a number, an
// integer or a boolean at the top level, a string that reads as one is
// sent as one.
func Arguments(v any, expand func(string) (string, error), schema map[string]any) (map[string]any, error) {
	m, _ := v.(map[string]any)
	out := make(map[string]any, len(m))
	props, _ := schema["properties"].(map[string]any)
	for k, x := range m {
		val, err := expandValue(x, expand)
		if err != nil {
			return nil, fmt.Errorf("arguments.%s: %w", k, err)
		}
		if p, ok := props[k].(map[string]any); ok {
			val = coerce(val, p["type"])
		}
		out[k] = val
	}
	return out, nil
}

func expandValue(v any, expand func(string) (string, error)) (any, error) {
	switch x := v.(type) {
	case string:
		return expand(x)
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			e, err := expandValue(it, expand)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			e, err := expandValue(it, expand)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	}
	return v, nil
}

func coerce(v any, typ any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	s = strings.TrimSpace(s)
	switch typ {
	case "integer":
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	case "number":
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case "boolean":
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	case "array", "object":
		var x any
		if json.Unmarshal([]byte(s), &x) == nil {
			return x
		}
	}
	return v
}
