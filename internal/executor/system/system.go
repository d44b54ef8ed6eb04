// Package system runs system nodes: file operations (runtime.file),
// reachability checks (runtime.tcp_connect), a pause (runtime.sleep), or a
// command like a cli node (runtime.command). A system node that only
// routes (subtype router, gateway, switch, decision, join, fork, parallel,
// merge) completes at once and lets its outgoing edges decide; one with
// no operation otherwise is declined, a step for a person. Nodes of the visual editor's
// structural types (gateway, company, department) and event nodes are
// here too: a gateway passes through, an event node waits for its signal,
// and the organisational types have nothing to run.
package system

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/shell"
	"github.com/osopdev/osop/internal/run"
)

// Register adds the executors for system, gateway, event, company and
// department nodes.
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "system", New: func() executor.Executor { return &System{} }})
	r.Register(executor.Info{Type: "gateway", New: func() executor.Executor { return passThrough("gateway: routing only") }})
	r.Register(executor.Info{Type: "company", New: func() executor.Executor { return passThrough("company: an organisational node, nothing to run") }})
	r.Register(executor.Info{Type: "department", New: func() executor.Executor { return passThrough("department: an organisational node, nothing to run") }})
	r.Register(executor.Info{Type: "event", New: func() executor.Executor { return &Event{} }})
}

// System performs one system operation.
type System struct{}

var (
	_ executor.Checker   = (*System)(nil)
	_ executor.Describer = (*System)(nil)
	_ executor.Decliner  = (*System)(nil)
)

// routing are the subtypes of system nodes that only structure the graph.
var routing = map[string]bool{"router": true, "gateway": true, "switch": true, "decision": true,
	"join": true, "fork": true, "parallel": true, "merge": true, "route": true}

// routes reports whether a system node with no operation only routes.
func routes(subtype string, rt map[string]any) bool {
	tool, _ := rt["tool"].(string)
	return routing[strings.ToLower(subtype)] || strings.HasSuffix(strings.ToLower(tool), "router")
}

// Decline says why a system node has nothing osop runs: no operation,
// and it does not route.
func (s *System) Decline(n executor.NodeConfig) string {
	if operation(n.Runtime) != "" || routes(n.Subtype, n.Runtime) {
		return ""
	}
	what := "no operation"
	if t, _ := n.Runtime["tool"].(string); t != "" {
		what = fmt.Sprintf("tool %q, which osop does not run", t)
	} else if a, _ := n.Runtime["action"].(string); a != "" {
		what = fmt.Sprintf("action %q, which osop does not run", a)
	}
	return "a system node with " + what + ": a step for a person (osop runs file, tcp_connect, sleep and command, and completes routers at once)"
}

func subtypeOf(req *executor.Request) string {
	s, _ := req.Node["subtype"].(string)
	return s
}

func operation(rt map[string]any) string {
	for _, k := range []string{"file", "tcp_connect", "sleep", "command"} {
		if _, ok := rt[k]; ok {
			return k
		}
	}
	return ""
}

// Check requires one known operation.
func (s *System) Check(n executor.NodeConfig) []executor.Problem {
	op := operation(n.Runtime)
	if op == "" && routes(n.Subtype, n.Runtime) {
		return nil
	}
	if op == "" {
		return []executor.Problem{{Path: []string{"runtime"}, Severity: diag.Info, Summary: s.Decline(n),
			Detail: "to have osop run it, give it runtime.file (e.g. {action: write, path: out.txt, content: hi}), tcp_connect (127.0.0.1:5432), sleep or command"}}
	}
	if op == "file" {
		f, _ := n.Runtime["file"].(map[string]any)
		a, _ := f["action"].(string)
		if p, _ := f["path"].(string); p == "" || !validFileAction(a) {
			return []executor.Problem{{Path: []string{"runtime", "file"}, Severity: diag.Error,
				Summary: "file needs an action (write, append, read, copy, move, delete, mkdir, exists) and a path"}}
		}
	}
	if op == "command" {
		return (&shell.Command{}).Check(n)
	}
	return nil
}

func validFileAction(a string) bool {
	switch a {
	case "write", "append", "read", "copy", "move", "delete", "mkdir", "exists":
		return true
	}
	return false
}

// Describe says what the operation does.
func (s *System) Describe(req *executor.Request) (string, error) {
	switch operation(req.Runtime) {
	case "command":
		return (&shell.Command{}).Describe(req)
	case "file":
		f, _ := req.Runtime["file"].(map[string]any)
		p, err := req.Expand(fmt.Sprint(f["path"]))
		return fmt.Sprintf("file %v %s", f["action"], p), err
	case "tcp_connect":
		addr, err := address(req)
		return "tcp connect " + addr, err
	case "sleep":
		return fmt.Sprintf("sleep %v", req.Runtime["sleep"]), nil
	}
	if routes(subtypeOf(req), req.Runtime) {
		return "routing only: completes at once; its outgoing edges decide what runs next", nil
	}
	return "(" + s.Decline(executor.NodeConfig{Type: req.NodeType, Subtype: subtypeOf(req), Runtime: req.Runtime}) + ")", nil
}

// Execute performs the operation.
func (s *System) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	switch operation(req.Runtime) {
	case "command":
		return (&shell.Command{}).Execute(ctx, req)
	case "file":
		return fileOp(req)
	case "tcp_connect":
		addr, err := address(req)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, executor.Errorf(run.CodeConnection, true, "tcp connect %s: %v", addr, err)
		}
		conn.Close()
		return &executor.Result{Outputs: map[string]any{"address": addr, "connect_ms": time.Since(start).Milliseconds()}}, nil
	case "sleep":
		d, err := time.ParseDuration(fmt.Sprint(req.Runtime["sleep"]))
		if err != nil {
			return nil, executor.Errorf(run.CodeConfig, false, "sleep: %v", err)
		}
		select {
		case <-time.After(d):
			return &executor.Result{Outputs: map[string]any{}}, nil
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	if routes(subtypeOf(req), req.Runtime) {
		fmt.Fprintln(req.Stderr, "routing only: its outgoing edges decide")
		return &executor.Result{Outputs: map[string]any{}}, nil
	}
	return nil, executor.Errorf(run.CodeNoExecutor, false, "%s", s.Decline(executor.NodeConfig{Type: req.NodeType, Subtype: subtypeOf(req), Runtime: req.Runtime}))
}

func address(req *executor.Request) (string, error) {
	switch t := req.Runtime["tcp_connect"].(type) {
	case string:
		return req.Expand(t)
	case map[string]any:
		host, err := req.Expand(fmt.Sprint(t["host"]))
		return net.JoinHostPort(host, fmt.Sprint(t["port"])), err
	}
	return "", executor.Errorf(run.CodeConfig, false, "tcp_connect must be host:port or {host, port}")
}

func fileOp(req *executor.Request) (*executor.Result, error) {
	f, _ := req.Runtime["file"].(map[string]any)
	str := func(k string) (string, error) {
		v, ok := f[k]
		if !ok {
			return "", nil
		}
		s, err := req.Expand(fmt.Sprint(v))
		if err == nil && (k == "path" || k == "to") && s != "" && !filepath.IsAbs(s) {
			s = filepath.Join(req.Workdir, s)
		}
		return s, err
	}
	path, err := str("path")
	if err != nil {
		return nil, err
	}
	action, _ := f["action"].(string)
	out := map[string]any{"path": path}
	switch action {
	case "write", "append":
		content, err := str("content")
		if err != nil {
			return nil, err
		}
		flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if action == "append" {
			flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
		}
		err = writeFile(path, flag, content)
		return result(out, err)
	case "read":
		b, err := os.ReadFile(path)
		out["content"] = string(b)
		return result(out, err)
	case "copy", "move":
		to, err := str("to")
		if err != nil {
			return nil, err
		}
		out["to"] = to
		if action == "move" {
			return result(out, os.Rename(path, to))
		}
		return result(out, copyFile(path, to))
	case "delete":
		err := os.RemoveAll(path)
		return result(out, err)
	case "mkdir":
		return result(out, os.MkdirAll(path, 0o755))
	case "exists":
		_, err := os.Stat(path)
		out["exists"] = err == nil
		if err != nil && !os.IsNotExist(err) {
			return result(out, err)
		}
		return result(out, nil)
	}
	return nil, executor.Errorf(run.CodeConfig, false, "file action %q: want write, append, read, copy, move, delete, mkdir or exists", action)
}

func result(out map[string]any, err error) (*executor.Result, error) {
	if err != nil {
		return nil, executor.Errorf(run.CodeUnclassified, true, "%v", err)
	}
	return &executor.Result{Outputs: out}, nil
}

func writeFile(path string, flag int, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// passThrough completes at once: the node structures the graph but runs
// nothing.
type passThrough string

func (p passThrough) Execute(_ context.Context, req *executor.Request) (*executor.Result, error) {
	fmt.Fprintln(req.Stderr, string(p))
	return &executor.Result{Outputs: map[string]any{}}, nil
}

func (p passThrough) Describe(*executor.Request) (string, error) { return string(p), nil }

// Event waits for a signal named runtime.signal (default: the node id).
type Event struct{}

// Describe names the signal awaited.
func (e *Event) Describe(req *executor.Request) (string, error) {
	return "wait for signal " + signalName(req), nil
}

// Execute waits for the signal and outputs its data.
func (e *Event) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	if req.WaitSignal == nil {
		return nil, executor.Errorf(run.CodeConfig, false, "signals cannot reach this run")
	}
	name := signalName(req)
	fmt.Fprintf(req.Stderr, "waiting for signal %q: osop signal %s %s\n", name, req.RunID, name)
	data, err := req.WaitSignal(ctx, name)
	if err != nil {
		return nil, err
	}
	return &executor.Result{Outputs: map[string]any{"signal": name, "data": data}}, nil
}

func signalName(req *executor.Request) string {
	if s, _ := req.Runtime["signal"].(string); strings.TrimSpace(s) != "" {
		return s
	}
	return req.NodeID
}
