// Package shell runs cli nodes (and the commands of cicd, git and system
// nodes, whose executors hand them here): a command through a shell
// (runtime.command as a string) or directly (as a list), in the node's
// working directory and environment, in a process group of its own.
//
// A command sets outputs by writing name=value lines (or name<<EOF
// heredocs) to the file named by $OSOP_OUTPUT; runtime.output_mapping maps
// fields of JSON printed on stdout. Every attempt also outputs exit_code.
package shell

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/jsonpath"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

// Register adds the executor for cli nodes. cicd and git nodes have
// executors of their own (executor/cicd, executor/git), which run a
// runtime.command with [Command].
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "cli", New: func() executor.Executor { return &Command{} }})
}

// Command runs a node's command.
type Command struct{}

var (
	_ executor.Checker   = (*Command)(nil)
	_ executor.Describer = (*Command)(nil)
)

// stdoutLimit bounds the stdout kept for output_mapping.
const stdoutLimit = 4 << 20

// Check reports a missing or malformed command.
func (c *Command) Check(n executor.NodeConfig) []executor.Problem {
	var ps []executor.Problem
	bad := func(path, summary, detail string) {
		ps = append(ps, executor.Problem{Path: strings.Split(path, "."), Severity: diag.Error, Summary: summary, Detail: detail})
	}
	switch cmd := n.Runtime["command"].(type) {
	case nil:
		bad("runtime", fmt.Sprintf("a %s node needs runtime.command", n.Type), "add command: \"…\" (run by the shell) or command: [prog, arg, …] (run directly)")
	case string:
		if strings.TrimSpace(cmd) == "" {
			bad("runtime.command", "the command is empty", "")
		}
		ps = append(ps, checkValues(n.Runtime, cmd)...)
	case []any:
		if len(cmd) == 0 {
			bad("runtime.command", "the command list is empty", "")
		}
	default:
		bad("runtime.command", "command must be a string or a list", "")
	}
	if sc, ok := n.Runtime["success_codes"]; ok {
		if _, err := successCodes(sc); err != nil {
			bad("runtime.success_codes", err.Error(), "write success_codes: [0, 2]")
		}
	}
	for _, k := range []string{"environment", "env"} {
		if v, ok := n.Runtime[k]; ok {
			if _, isMap := v.(map[string]any); !isMap {
				bad("runtime."+k, k+" must be a map of NAME: value", "")
			}
		}
	}
	return ps
}

// checkValues reports, before anything runs, each placeholder of a shell
// command that stands where no value can be placed safely.
func checkValues(rt map[string]any, cmd string) []executor.Problem {
	if raw, _ := rt["raw"].(bool); raw {
		return nil
	}
	var ps []executor.Problem
	for _, e := range template.CheckShell(cmd, template.ShellOptions{Shell: shellOf(rt)}) {
		token := e.Ref.Text
		if token == "" {
			token = cmd[e.Offset:min(e.Offset+1, len(cmd))]
		}
		ps = append(ps, executor.Problem{Path: []string{"runtime", "command"}, Severity: diag.Error,
			Summary: e.Summary, Detail: e.Hint, Token: token, Offset: e.Offset})
	}
	return ps
}

// invocation is what one attempt runs: the program and its arguments,
// and the environment variables that carry the command's template values.
// Describe and Execute both build it with [Command.invocation], so a dry
// run shows what runs.
type invocation struct {
	argv []string
	vars []string // NAME=value
}

// invocation builds the program and arguments, resolving templates.
func (c *Command) invocation(req *executor.Request) (*invocation, error) {
	switch cmd := req.Runtime["command"].(type) {
	case string:
		sh := shellOf(req.Runtime)
		sc, err := prepare(req, cmd, sh)
		if err != nil {
			return nil, err
		}
		return &invocation{argv: append(shellFor(sh), sc.Script), vars: sc.Env}, nil
	case []any:
		argv := make([]string, len(cmd))
		for i, a := range cmd {
			s, err := req.Expand(fmt.Sprint(a))
			if err != nil {
				return nil, err
			}
			argv[i] = s
		}
		return &invocation{argv: argv}, nil
	}
	return nil, executor.Errorf(run.CodeConfig, false, "node %q has no runtime.command", req.NodeID)
}

// prepare resolves a shell command's templates, keeping values out of its
// text when the engine can (PrepareShell), else as one script.
func prepare(req *executor.Request, cmd, sh string) (executor.ShellCommand, error) {
	if req.PrepareShell != nil {
		return req.PrepareShell(cmd, sh)
	}
	s, err := req.ExpandShell(cmd)
	return executor.ShellCommand{Script: s}, err
}

// shellOf returns the shell program: runtime.shell, else bash when
// installed, else sh.
func shellOf(rt map[string]any) string {
	if sh, _ := rt["shell"].(string); sh != "" {
		return sh
	}
	return defaultShell()
}

// shellFor returns the shell invocation. bash runs with -e -o pipefail, so
// a failing step of a pipeline fails the node.
func shellFor(sh string) []string {
	switch filepath.Base(sh) {
	case "bash":
		return []string{sh, "--noprofile", "--norc", "-eo", "pipefail", "-c"}
	case "sh", "dash", "zsh", "ksh":
		return []string{sh, "-e", "-c"}
	case "pwsh", "powershell":
		return []string{sh, "-NoProfile", "-Command"}
	case "python", "python3":
		return []string{sh, "-c"}
	}
	return []string{sh, "-c"}
}

// defaultShell is bash when installed, else sh. It is looked up once: a
// PATH search costs ~16 µs, and every attempt builds its argv twice (for
// the started event, and to run).
var defaultShell = sync.OnceValue(func() string {
	if _, err := exec.LookPath("bash"); err == nil {
		return "bash"
	}
	return "sh"
})

// Describe shows the exact command line, secrets masked, and the values
// its variables carry: `bash … -c 'echo "${OSOP_V_X}"'  (with
// OSOP_V_X='hi there')`. Written before the command, the bindings make a
// line a shell runs the same way.
func (c *Command) Describe(req *executor.Request) (string, error) {
	inv, err := c.invocation(req)
	if err != nil {
		return "", err
	}
	mask := req.Mask
	if mask == nil {
		mask = func(s string) string { return s }
	}
	words := make([]string, len(inv.argv))
	for i, a := range inv.argv {
		words[i] = mask(a) // before quoting, which could split a secret
	}
	s := template.ShellJoin(words)
	if len(inv.vars) > 0 {
		binds := make([]string, len(inv.vars))
		for i, kv := range inv.vars {
			k, v, _ := strings.Cut(kv, "=")
			binds[i] = k + "=" + template.ShellQuote(mask(v))
		}
		s += "  (with " + strings.Join(binds, " ") + ")"
	}
	dir, _ := c.dir(req)
	if dir != req.Workdir {
		s += "  (in " + dir + ")"
	}
	return s, nil
}

func (c *Command) dir(req *executor.Request) (string, error) {
	d, _ := req.Runtime["working_directory"].(string)
	if d == "" {
		d, _ = req.Runtime["working_dir"].(string)
	}
	if d == "" {
		return req.Workdir, nil
	}
	d, err := req.Expand(d)
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(d) {
		d = filepath.Join(req.Workdir, d)
	}
	return d, nil
}

// Execute runs the command once.
func (c *Command) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	inv, err := c.invocation(req)
	if err != nil {
		return nil, err
	}
	dir, err := c.dir(req)
	if err != nil {
		return nil, err
	}
	outFile, err := outputFile(req)
	if err != nil {
		return nil, fmt.Errorf("output file: %w", err)
	}
	outFile.Close()
	defer os.Remove(outFile.Name())
	env, err := c.env(req, outFile.Name())
	if err != nil {
		return nil, err
	}
	var stdout bytes.Buffer
	spec := proc.Spec{Argv: inv.argv, Dir: dir, Env: append(env, inv.vars...), Stdout: req.Stdout, Stderr: req.Stderr}
	_, mapped := req.Runtime["output_mapping"]
	if mapped {
		// JSON on stdout is mapped to outputs: keep a copy.
		spec.Stdout = io.MultiWriter(req.Stdout, &limitWriter{w: &stdout, n: stdoutLimit})
	}
	code, err := proc.Run(ctx, spec)
	if err != nil {
		return nil, err
	}
	outputs, perr := c.outputs(req, outFile.Name(), stdout.Bytes())
	if outputs == nil {
		outputs = map[string]any{}
	}
	outputs["exit_code"] = code
	ok, serr := successCodes(req.Runtime["success_codes"])
	if serr != nil {
		return nil, executor.Errorf(run.CodeConfig, false, "runtime.success_codes: %v", serr)
	}
	if !ok[code] {
		return nil, &executor.Error{Code: run.CodeExit, Retryable: true, Outputs: outputs,
			Message: fmt.Sprintf("command exited with status %d", code)}
	}
	if perr != nil {
		return nil, &executor.Error{Code: run.CodeMissingOut, Message: perr.Error(), Outputs: outputs}
	}
	return &executor.Result{Outputs: outputs}, nil
}

func (c *Command) env(req *executor.Request, outFile string) ([]string, error) {
	env := append([]string(nil), req.Env...)
	env = append(env, "OSOP_OUTPUT="+outFile, "OSOP_RUN_ID="+string(req.RunID), "OSOP_NODE_ID="+req.NodeID,
		"OSOP_ATTEMPT="+strconv.Itoa(req.Attempt))
	for _, key := range []string{"environment", "env"} {
		m, _ := req.Runtime[key].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			v, err := req.Expand(scalar(m[k]))
			if err != nil {
				return nil, err
			}
			env = append(env, k+"="+v)
		}
	}
	return env, nil
}

// outputs reads $OSOP_OUTPUT and the output_mapping of JSON on stdout.
func (c *Command) outputs(req *executor.Request, file string, stdout []byte) (map[string]any, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := parseOutputs(f)
	if err != nil {
		return out, err
	}
	mapping, _ := req.Runtime["output_mapping"].(map[string]any)
	if len(mapping) == 0 {
		return out, nil
	}
	var doc any
	if err := json.Unmarshal(bytes.TrimSpace(stdout), &doc); err != nil {
		return out, fmt.Errorf("output_mapping needs JSON on stdout: %v", err)
	}
	for name, expr := range mapping {
		path, _ := expr.(string)
		v, err := jsonpath.Get(doc, path)
		if err != nil {
			return out, fmt.Errorf("output_mapping %s: %v", name, err)
		}
		out[name] = v
	}
	return out, nil
}

// outputFile creates the empty file $OSOP_OUTPUT names, in the run's
// scratch directory.
func outputFile(req *executor.Request) (*os.File, error) {
	if req.TempDir == "" {
		return os.CreateTemp("", "osop-output-*")
	}
	name := fmt.Sprintf("%s.%d.%d.output", req.NodeID, req.Iteration, req.Attempt)
	return os.OpenFile(filepath.Join(req.TempDir, name), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func successCodes(v any) (map[int]bool, error) {
	ok := map[int]bool{}
	list, isList := v.([]any)
	if v == nil {
		return map[int]bool{0: true}, nil
	}
	if !isList {
		list = []any{v}
	}
	for _, x := range list {
		switch n := x.(type) {
		case int64:
			ok[int(n)] = true
		case float64:
			ok[int(n)] = true
		case int:
			ok[n] = true
		default:
			return nil, fmt.Errorf("success code %v is not a number", x)
		}
	}
	return ok, nil
}

// limitWriter keeps the first n bytes and drops the rest.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
		l.n -= k
	}
	return len(p), nil
}
