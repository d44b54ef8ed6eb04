package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
	"github.com/osopdev/osop/internal/validate"
)

// request builds the executor request for one attempt.
func (d *driver) request(j *job) (*executor.Request, capture, capture) {
	n, attempt := j.node, j.attempt
	out, errb := d.capture(j, "stdout", false), d.capture(j, "stderr", true)
	stdout, stderr := out.Writer(), errb.Writer()
	rt, _ := n.Runtime.Interface().(map[string]any)
	if rt == nil {
		rt = map[string]any{}
	}
	rt = withDefaultShell(d.w, rt)
	raw, _ := rt["raw"].(bool)
	expand := func(str string) (string, error) {
		v, missing := template.Expand(str, d.resolver(j, attempt, false))
		return v, d.missing(j, missing, false)
	}
	expandEach := func(str string, place func(int, string) (string, error)) (string, error) {
		resolve := d.resolver(j, attempt, false)
		var perr error
		v, missing := template.Expand(str, func(r template.Ref) (string, bool) {
			val, ok := resolve(r)
			if !ok || perr != nil {
				return val, ok
			}
			placed, err := place(r.Offset, val)
			if err != nil {
				perr = err
			}
			return placed, true
		})
		if err := d.missing(j, missing, false); err != nil {
			return v, err
		}
		return v, perr
	}
	prepareShell, expandShell := d.shellExpanders(j, attempt, raw, expand)
	req := &executor.Request{
		RunID: d.opts.RunID, NodeID: n.ID.V, NodeType: n.Type.V, Purpose: n.Summary(),
		Attempt: attempt, Iteration: j.iteration, Runtime: rt, Inputs: d.inputsOf(j),
		Outputs: outputNames(j), Timeout: j.timeout, Workdir: d.opts.Workdir, TempDir: d.opts.TempDir, Env: d.env0,
		ArtifactDir: d.opts.ArtifactDir, Security: security(n),
		Expand: expand, ExpandEach: expandEach, ExpandShell: expandShell, PrepareShell: prepareShell, Mask: d.opts.Masker.Mask,
		Stdout: stdout, Stderr: stderr, Approver: d.opts.Approver, AllowPrompt: d.opts.AllowPrompt,
		Eval: func(src string) (any, error) {
			reply := make(chan evalReply, 1)
			d.evals <- evalRequest{node: j.index, src: src, item: j.item, itemVar: j.itemVar, reply: reply}
			r := <-reply
			return r.value, r.err
		},
	}
	d.describe(req, j)
	if d.opts.Signals != nil {
		req.WaitSignal = func(ctx context.Context, name string) (map[string]any, error) {
			return d.opts.Signals.Wait(ctx, d.opts.RunID, name)
		}
	}
	return req, out, errb
}

func security(n *ast.Node) map[string]any {
	m, _ := n.Security.Interface().(map[string]any)
	return m
}

func outputNames(j *job) []string {
	names := make([]string, len(j.node.Outputs))
	for i, o := range j.node.Outputs {
		names[i] = o.Name
	}
	return names
}

// missing turns references nothing resolved into an error, except ${VAR}
// forms in shell commands, which the shell expands itself.
func (d *driver) missing(j *job, refs []template.Ref, shell bool) error {
	var bad []template.Ref
	for _, r := range refs {
		if shell && !r.Mustache && r.Namespace == "" {
			continue
		}
		if !r.Mustache && r.Namespace == "" && r.HasDefault {
			continue
		}
		if r.Namespace == "" && strings.HasPrefix(strings.ToUpper(r.Head()), "GIT_") && validate.IsBuiltin(r.Head()) {
			return executor.Errorf(run.CodeConfig, false, "%s comes from the git repository of the workdir (%s), and there is none: run in a git checkout, or pass --var %s=…",
				r.Text, d.opts.Workdir, r.Head())
		}
		bad = append(bad, r)
	}
	if len(bad) == 0 {
		return nil
	}
	return missingValues(bad)
}

func (d *driver) processEnv() []string {
	env := make([]string, 0, len(d.opts.Env))
	for _, k := range slices.Sorted(maps.Keys(d.opts.Env)) {
		env = append(env, k+"="+d.opts.Env[k])
	}
	return env
}

// inputsOf collects the values of a node's declared inputs: a workflow
// input or variable, or the output of the nearest node before it.
func (d *driver) inputsOf(j *job) map[string]any {
	out := map[string]any{}
	for _, p := range j.node.Inputs {
		if v, ok := d.bare(j.index, p.Name, d.published); ok {
			out[p.Name] = v
		} else if d.planning {
			out[p.Name] = "<" + p.Name + ">"
		}
	}
	return out
}

// outputsOf gives a node's outputs: published ones for workers, the
// machine's own for conditions.
type outputsOf func(node int) map[string]any

// published returns a node's outputs as workers see them.
func (d *driver) published(node int) map[string]any {
	if out := d.outs[node].Load(); out != nil {
		return *out
	}
	return nil
}

// upstream finds, among the nodes before node i (and i itself), the
// nearest one whose outputs hold name. Producers are kept in topological
// order, so the search starts at i's position and walks back.
func (d *driver) upstream(i int, name string, outs outputsOf) (any, bool) {
	ps := d.producers[name]
	k := sort.Search(len(ps), func(k int) bool { return d.pos[ps[k]] > d.pos[i] })
	for k--; k >= 0; k-- {
		p := ps[k]
		if p != i && !d.anc[i].Has(p) {
			continue
		}
		if v, ok := outs(p)[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// bare resolves a bare name for node i: a built-in, a --var, an output of
// an earlier node, a workflow input, a variable's default.
func (d *driver) bare(i int, name string, outs outputsOf) (any, bool) {
	for k, v := range d.opts.Builtins {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	if v, ok := d.opts.Vars[name]; ok {
		return v, true
	}
	if v, ok := d.upstream(i, name, outs); ok {
		return v, true
	}
	if v, ok := d.opts.Inputs[name]; ok {
		return v, true
	}
	for _, p := range d.w.Variables {
		if p.Name == name && p.Default != nil {
			return p.Default.Interface(), true
		}
	}
	return nil, false
}

// resolver answers template references for one attempt of a node. A
// ${NAME:-default} nothing resolves gives its default, except in a shell
// command, where a bare ${NAME:-default} is left to the shell (which also
// looks at the environment).
func (d *driver) resolver(j *job, attempt int, shell bool) func(template.Ref) (string, bool) {
	return func(r template.Ref) (string, bool) {
		v, ok := d.lookup(j, attempt, r)
		switch {
		case ok:
			return render(v), true
		case d.planning && d.knowable(j, r):
			return placeholder(r), true
		case r.HasDefault && !(shell && r.Namespace == ""):
			return r.Default, true
		}
		return "", false
	}
}

func (d *driver) lookup(j *job, attempt int, r template.Ref) (any, bool) {
	switch r.Namespace {
	case "inputs":
		v, ok := d.opts.Inputs[r.Head()]
		return dig(v, ok, r.Path[1:])
	case "outputs":
		p, ok := d.g.Index(r.Head())
		if !ok || (p != j.index && !d.anc[j.index].Has(p)) {
			return nil, false
		}
		out := d.published(p)
		if out == nil || len(r.Path) < 2 {
			return nil, false
		}
		v, ok := out[r.Path[1]]
		return dig(v, ok, r.Path[2:])
	case "secrets":
		return d.secret(r.Head())
	case "env":
		v, ok := d.opts.Env[r.Head()]
		if !ok {
			v, ok = d.workflowEnv(r.Head())
		}
		return v, ok
	case "metadata":
		v := d.metadata(j, attempt)[r.Head()]
		return v, v != nil
	case "loop":
		if r.Head() == j.itemVar && j.item != nil {
			return dig(j.item, true, r.Path[1:])
		}
		if r.Head() == "index" {
			return j.iteration, true
		}
		return nil, false
	case "vars":
		v, ok := d.bare(j.index, r.Head(), d.published)
		return dig(v, ok, r.Path[1:])
	}
	if j.item != nil && r.Head() == j.itemVar {
		return dig(j.item, true, r.Path[1:])
	}
	v, ok := d.bare(j.index, r.Head(), d.published)
	return dig(v, ok, r.Path[1:])
}

// knowable reports whether a run would know the value: an output of an
// earlier node, or a loop item.
func (d *driver) knowable(j *job, r template.Ref) bool {
	switch r.Namespace {
	case "outputs", "loop":
		return true
	case "":
		if validate.IsBuiltin(r.Head()) {
			return true
		}
		for _, p := range d.producers[r.Head()] {
			if d.anc[j.index].Has(p) {
				return true
			}
		}
		_, isItem := d.forEachVars()[r.Head()]
		return isItem
	}
	return false
}

func (d *driver) forEachVars() map[string]bool {
	out := map[string]bool{}
	for _, e := range d.w.Edges {
		if e.ForEach.Set() {
			name := e.IteratorVar.V
			if name == "" {
				name = "item"
			}
			out[name] = true
		}
	}
	return out
}

// dig follows field names into maps.
func dig(v any, ok bool, path []string) (any, bool) {
	for _, p := range path {
		if !ok {
			return nil, false
		}
		m, isMap := v.(map[string]any)
		if !isMap {
			return nil, false
		}
		v, ok = m[p]
	}
	return v, ok
}

// secret reads a secret: from --secret/--secrets-file, or from the
// environment when the workflow's secrets provider is env.
func (d *driver) secret(name string) (any, bool) {
	if v, ok := d.opts.Secrets[name]; ok {
		return v, true
	}
	if d.envSecrets() {
		if v, ok := d.opts.Env[name]; ok {
			d.opts.Masker.Add(v)
			return v, true
		}
	}
	return nil, false
}

func (d *driver) envSecrets() bool {
	sec := d.w.Security
	if p, _ := sec.Get("secrets_provider").String(); p == "env" {
		return true
	}
	p, _ := sec.Get("secrets").Get("provider").String()
	return p == "env"
}

func (d *driver) workflowEnv(name string) (string, bool) {
	v, ok := d.w.Env.Get(name).String()
	return v, ok
}

func (d *driver) metadata(j *job, attempt int) map[string]any {
	m := map[string]any{
		"run_id": string(d.opts.RunID), "workflow_id": d.w.ID.V, "workflow_version": d.w.WorkflowVersion.V,
		"node_id": j.node.ID.V, "attempt": attempt, "attempt_number": attempt, "iteration": j.iteration,
		"started_at": d.started.UTC().Format(time.RFC3339), "timestamp": d.opts.Builtins["TIMESTAMP"],
		"git_sha": d.opts.Builtins["GIT_SHA"], "git_branch": d.opts.Builtins["GIT_BRANCH"], "triggered_by": "manual",
	}
	if md, ok := d.w.Metadata.Interface().(map[string]any); ok {
		for k, v := range md {
			if _, set := m[k]; !set {
				m[k] = v
			}
		}
	}
	return m
}

// render turns a value into template text: strings as they are, other
// scalars in their usual form, maps and lists as JSON.
func render(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Duration:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
