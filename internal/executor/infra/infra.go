// Package infra runs infra nodes by runtime.tool:
//
//	kustomize  edit set image (in process: the overlay's kustomization.yaml
//	           is edited in place, comments and order kept), build (render)
//	kubectl    apply, rollout status|undo|history, get, wait, diff, delete
//	helm       upgrade --install, rollback, uninstall, status
//	terraform  init, validate, plan (saved), apply (the saved plan), output
//	ansible    playbook (ansible-playbook; extra_vars in a private JSON
//	           file, never in argv), ping (ansible -m ping)
//
// A tool osop does not run (argocd, pulumi, …) is declined: the node is a
// step for a person, noted at validate time.
//
// kubectl, helm and terraform run as the CLIs, with argument lists (a
// manifests string such as "-k overlays/production" is split as a shell
// would, never run by one). Destructive actions (kubectl delete, helm
// uninstall, terraform destroy) are refused unless the node sets
// runtime.allow_destructive: true.
package infra

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// Register adds the executor for infra nodes.
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "infra", New: func() executor.Executor { return &Infra{} }})
}

// Infra dispatches to the node's tool.
type Infra struct{}

var (
	_ executor.Checker   = (*Infra)(nil)
	_ executor.Describer = (*Infra)(nil)
	_ executor.Decliner  = (*Infra)(nil)
)

// tool is one infrastructure tool.
type tool interface {
	check(rt map[string]any, action string) []executor.Problem
	describe(s *settings, action string) (string, error)
	execute(ctx context.Context, s *settings, action string) (map[string]any, error)
}

var tools = map[string]tool{
	"kustomize": kustomize{}, "kubectl": kubectl{}, "kubernetes": kubectl{}, "k8s": kubectl{},
	"helm": helm{}, "terraform": terraform{}, "ansible": ansible{}, "ansible-playbook": ansible{},
}

// Decline says why an infra node has nothing osop runs: a tool it does
// not know (a node with no tool is an error: Check says so).
func (i *Infra) Decline(n executor.NodeConfig) string {
	name, t, ok := toolOf(n.Runtime)
	action, _ := n.Runtime["action"].(string)
	switch {
	case name == "":
		return "an infra node with no runtime.tool: a step for a person (osop runs kustomize, kubectl, helm, terraform and ansible)"
	case !ok:
		return fmt.Sprintf("infra tool %q is not one osop runs (it runs kustomize, kubectl, helm, terraform and ansible): a step for a person", name)
	case strings.TrimSpace(action) == "" && t != (ansible{}):
		return fmt.Sprintf("a %s step with no runtime.action: a step for a person", name)
	}
	return ""
}

func toolOf(rt map[string]any) (string, tool, bool) {
	name, _ := rt["tool"].(string)
	t, ok := tools[strings.ToLower(name)]
	return name, t, ok
}

// Check reports an unknown tool or action and missing settings.
func (i *Infra) Check(n executor.NodeConfig) []executor.Problem {
	if why := i.Decline(n); why != "" {
		return []executor.Problem{{Path: []string{"runtime", "tool"}, Severity: diag.Info, Summary: why,
			Detail: "to have osop run it, name a tool it runs and its action, or make it a cli node with runtime.command"}}
	}
	_, t, _ := toolOf(n.Runtime)
	action, _ := n.Runtime["action"].(string)
	return t.check(n.Runtime, strings.Join(strings.Fields(action), " "))
}

// Describe shows the commands (or edit) the action runs.
func (i *Infra) Describe(req *executor.Request) (string, error) {
	if why := i.Decline(executor.NodeConfig{Runtime: req.Runtime}); why != "" {
		return "(" + why + ")", nil
	}
	_, t, _ := toolOf(req.Runtime)
	s := &settings{req: req}
	return t.describe(s, s.action())
}

// Execute runs the action.
func (i *Infra) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	if why := i.Decline(executor.NodeConfig{Runtime: req.Runtime}); why != "" {
		return nil, executor.Errorf(run.CodeNoExecutor, false, "%s", why)
	}
	_, t, _ := toolOf(req.Runtime)
	s := &settings{req: req}
	out, err := t.execute(ctx, s, s.action())
	if err != nil {
		return nil, err
	}
	return &executor.Result{Outputs: out}, nil
}

// settings reads a node's runtime with templates resolved.
type settings struct {
	req *executor.Request
	err error
}

func (s *settings) action() string {
	a, _ := s.req.Runtime["action"].(string)
	return strings.Join(strings.Fields(a), " ")
}

func (s *settings) str(key string) string {
	v, ok := s.req.Runtime[key]
	if !ok || v == nil || s.err != nil {
		return ""
	}
	out, err := s.req.Expand(fmt.Sprint(v))
	if err != nil {
		s.err = err
	}
	return out
}

func (s *settings) list(key string) []string {
	var raw []string
	switch x := s.req.Runtime[key].(type) {
	case string:
		raw = []string{x}
	case []any:
		for _, it := range x {
			raw = append(raw, fmt.Sprint(it))
		}
	}
	var out []string
	for _, r := range raw {
		v, err := s.req.Expand(r)
		if err != nil && s.err == nil {
			s.err = err
		}
		out = append(out, v)
	}
	return out
}

func (s *settings) flag(key string) bool {
	b, _ := s.req.Runtime[key].(bool)
	return b
}

// path resolves a path against the workdir.
func (s *settings) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.req.Workdir, p)
}

// artifactDir is where this node keeps files that outlive the run.
func (s *settings) artifactDir() (string, error) {
	base := s.req.ArtifactDir
	if base == "" {
		base = s.req.TempDir
	}
	dir := filepath.Join(base, s.req.NodeID)
	return dir, os.MkdirAll(dir, 0o755)
}

// named puts the natural result under the node's first declared output
// as well as under its own name.
func named(req *executor.Request, natural string, v any, out map[string]any) map[string]any {
	out[natural] = v
	if len(req.Outputs) > 0 {
		out[req.Outputs[0]] = v
	}
	return out
}

func problem(path, summary, detail string) []executor.Problem {
	return []executor.Problem{{Path: strings.Split(path, "."), Severity: diag.Error, Summary: summary, Detail: detail}}
}

func unknownAction(tool, action string, known []string) []executor.Problem {
	return problem("runtime.action", fmt.Sprintf("%s cannot %q", tool, action), "known: "+strings.Join(known, ", "))
}
