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
	"github.com/osopdev/osop/internal/expr"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
	"github.com/osopdev/osop/internal/validate"
)

// request builds the executor request for one attempt.
func (s *scheduler) request(j *job, attempt int) (*executor.Request, capture, capture) {
	n := j.node
	out, errb := s.capture(j, attempt, "stdout", false), s.capture(j, attempt, "stderr", true)
	stdout, stderr := out.Writer(), errb.Writer()
	rt, _ := n.Runtime.Interface().(map[string]any)
	if rt == nil {
		rt = map[string]any{}
	}
	raw, _ := rt["raw"].(bool)
	expand := func(str string) (string, error) {
		v, missing := template.Expand(str, s.resolver(j, attempt, false))
		return v, s.missing(j, missing, false)
	}
	prepareShell, expandShell := s.shellExpanders(j, attempt, raw, expand)
	req := &executor.Request{
		RunID: s.opts.RunID, NodeID: n.ID.V, NodeType: n.Type.V, Purpose: n.Summary(),
		Attempt: attempt, Iteration: j.iteration, Runtime: rt, Inputs: s.inputsOf(j),
		Outputs: outputNames(j), Timeout: j.timeout, Workdir: s.opts.Workdir, TempDir: s.opts.TempDir, Env: s.env0,
		ArtifactDir: s.opts.ArtifactDir, Security: security(n),
		Expand: expand, ExpandShell: expandShell, PrepareShell: prepareShell, Mask: s.opts.Masker.Mask,
		Stdout: stdout, Stderr: stderr, Approver: s.opts.Approver, AllowPrompt: s.opts.AllowPrompt,
		Eval: func(src string) (any, error) {
			reply := make(chan evalReply, 1)
			s.results <- message{kind: msgEval, node: j.index, expr: src, reply: reply, item: j.item, itemVar: j.itemVar}
			r := <-reply
			return r.value, r.err
		},
	}
	s.describe(req, j, attempt)
	if s.opts.Signals != nil {
		req.WaitSignal = func(ctx context.Context, name string) (map[string]any, error) {
			return s.opts.Signals.Wait(ctx, s.opts.RunID, name)
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
func (s *scheduler) missing(j *job, refs []template.Ref, shell bool) error {
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
				r.Text, s.opts.Workdir, r.Head())
		}
		bad = append(bad, r)
	}
	if len(bad) == 0 {
		return nil
	}
	return missingValues(bad)
}

func (s *scheduler) processEnv() []string {
	env := make([]string, 0, len(s.opts.Env))
	for _, k := range slices.Sorted(maps.Keys(s.opts.Env)) {
		env = append(env, k+"="+s.opts.Env[k])
	}
	return env
}

// inputsOf collects the values of a node's declared inputs: a workflow
// input or variable, or the output of the nearest node before it.
func (s *scheduler) inputsOf(j *job) map[string]any {
	out := map[string]any{}
	for _, p := range j.node.Inputs {
		if v, ok := s.bare(j.index, p.Name); ok {
			out[p.Name] = v
		} else if s.planning {
			out[p.Name] = "<" + p.Name + ">"
		}
	}
	return out
}

// upstream finds, among the nodes before node i (and i itself), the
// nearest one whose outputs hold name. Producers are kept in topological
// order, so the search starts at i's position and walks back.
func (s *scheduler) upstream(i int, name string) (any, bool) {
	ps := s.producers[name]
	k := sort.Search(len(ps), func(k int) bool { return s.pos[ps[k]] > s.pos[i] })
	for k--; k >= 0; k-- {
		p := ps[k]
		if p != i && !s.anc[i].Has(p) {
			continue
		}
		if out := s.outs[p].Load(); out != nil {
			if v, ok := (*out)[name]; ok {
				return v, true
			}
		}
	}
	return nil, false
}

// bare resolves a bare name for node i: a built-in, a --var, an output of
// an earlier node, a workflow input, a variable's default.
func (s *scheduler) bare(i int, name string) (any, bool) {
	for k, v := range s.opts.Builtins {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	if v, ok := s.opts.Vars[name]; ok {
		return v, true
	}
	if v, ok := s.upstream(i, name); ok {
		return v, true
	}
	if v, ok := s.opts.Inputs[name]; ok {
		return v, true
	}
	for _, p := range s.w.Variables {
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
func (s *scheduler) resolver(j *job, attempt int, shell bool) func(template.Ref) (string, bool) {
	return func(r template.Ref) (string, bool) {
		v, ok := s.lookup(j, attempt, r)
		switch {
		case ok:
			return render(v), true
		case s.planning && s.knowable(j, r):
			return placeholder(r), true
		case r.HasDefault && !(shell && r.Namespace == ""):
			return r.Default, true
		}
		return "", false
	}
}

func (s *scheduler) lookup(j *job, attempt int, r template.Ref) (any, bool) {
	switch r.Namespace {
	case "inputs":
		v, ok := s.opts.Inputs[r.Head()]
		return dig(v, ok, r.Path[1:])
	case "outputs":
		p, ok := s.g.Index(r.Head())
		if !ok || (p != j.index && !s.anc[j.index].Has(p)) {
			return nil, false
		}
		out := s.outs[p].Load()
		if out == nil || len(r.Path) < 2 {
			return nil, false
		}
		v, ok := (*out)[r.Path[1]]
		return dig(v, ok, r.Path[2:])
	case "secrets":
		return s.secret(r.Head())
	case "env":
		v, ok := s.opts.Env[r.Head()]
		if !ok {
			v, ok = s.workflowEnv(r.Head())
		}
		return v, ok
	case "metadata":
		v := s.metadata(j, attempt)[r.Head()]
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
		v, ok := s.bare(j.index, r.Head())
		return dig(v, ok, r.Path[1:])
	}
	if j.item != nil && r.Head() == j.itemVar {
		return dig(j.item, true, r.Path[1:])
	}
	v, ok := s.bare(j.index, r.Head())
	return dig(v, ok, r.Path[1:])
}

// knowable reports whether a run would know the value: an output of an
// earlier node, or a loop item.
func (s *scheduler) knowable(j *job, r template.Ref) bool {
	switch r.Namespace {
	case "outputs", "loop":
		return true
	case "":
		if validate.IsBuiltin(r.Head()) {
			return true
		}
		for _, p := range s.producers[r.Head()] {
			if s.anc[j.index].Has(p) {
				return true
			}
		}
		_, isItem := s.forEachVars()[r.Head()]
		return isItem
	}
	return false
}

func (s *scheduler) forEachVars() map[string]bool {
	out := map[string]bool{}
	for _, e := range s.w.Edges {
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
func (s *scheduler) secret(name string) (any, bool) {
	if v, ok := s.opts.Secrets[name]; ok {
		return v, true
	}
	if s.envSecrets() {
		if v, ok := s.opts.Env[name]; ok {
			s.opts.Masker.Add(v)
			return v, true
		}
	}
	return nil, false
}

func (s *scheduler) envSecrets() bool {
	sec := s.w.Security
	if p, _ := sec.Get("secrets_provider").String(); p == "env" {
		return true
	}
	p, _ := sec.Get("secrets").Get("provider").String()
	return p == "env"
}

func (s *scheduler) workflowEnv(name string) (string, bool) {
	v, ok := s.w.Env.Get(name).String()
	return v, ok
}

func (s *scheduler) metadata(j *job, attempt int) map[string]any {
	m := map[string]any{
		"run_id": string(s.opts.RunID), "workflow_id": s.w.ID.V, "workflow_version": s.w.WorkflowVersion.V,
		"node_id": j.node.ID.V, "attempt": attempt, "attempt_number": attempt, "iteration": j.iteration,
		"started_at": s.started.UTC().Format(time.RFC3339), "timestamp": s.opts.Builtins["TIMESTAMP"],
		"git_sha": s.opts.Builtins["GIT_SHA"], "git_branch": s.opts.Builtins["GIT_BRANCH"], "triggered_by": "manual",
	}
	if md, ok := s.w.Metadata.Interface().(map[string]any); ok {
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

// evalFor evaluates an expression in the scope of node i (after it ran).
func (s *scheduler) evalFor(i int, src string) (any, error) {
	return s.evalWith(i, src, nil, "")
}

func (s *scheduler) evalWith(i int, src string, item any, itemVar string) (any, error) {
	p, err := s.env.Program(src)
	if err != nil {
		return nil, executor.Errorf(run.CodeExpression, false, "%v", err)
	}
	v, err := p.Eval(s.celResolver(i, item, itemVar))
	if err != nil {
		return nil, executor.Errorf(run.CodeExpression, false, "%v", err)
	}
	return v, nil
}

func (s *scheduler) evalBool(i int, src string, event map[string]any) (bool, error) {
	p, err := s.env.Program(src)
	if err != nil {
		return false, err
	}
	r := s.celResolver(i, nil, "")
	if event != nil {
		base := r
		r = func(name string) (any, bool) {
			if name == expr.VarEvent {
				return event, true
			}
			return base(name)
		}
	}
	return p.EvalBool(r)
}

// celResolver gives CEL the run's live maps (read only here, in the
// scheduler goroutine) and resolves bare names in node i's scope.
func (s *scheduler) celResolver(i int, item any, itemVar string) expr.Resolver {
	n := s.nodes[i]
	return func(name string) (any, bool) {
		switch name {
		case expr.VarInputs:
			return s.opts.Inputs, true
		case expr.VarOutputs:
			return s.outputsAll, true
		case expr.VarEnv:
			return s.opts.Env, true
		case expr.VarMetadata:
			return s.metadata(&job{index: i, node: n.n, iteration: n.iteration}, n.attempts), true
		case expr.VarSecrets:
			present := make(map[string]any, len(s.opts.Secrets))
			for k := range s.opts.Secrets {
				present[k] = true
			}
			return present, true
		case expr.VarLoop:
			loop := map[string]any{"index": int64(n.iteration)}
			if itemVar != "" {
				loop[itemVar] = item
			}
			return loop, true
		case expr.VarStatus:
			return s.statusAll, true
		case expr.VarError:
			return s.errorAll, true
		case expr.VarDuration:
			return s.durationAll, true
		case expr.VarAttempt:
			return int64(n.attempts), true
		case expr.VarNow:
			return s.now(), true
		case expr.VarEvent:
			return map[string]any{}, true
		}
		if itemVar != "" && name == itemVar {
			return item, true
		}
		return s.bare(i, name)
	}
}
