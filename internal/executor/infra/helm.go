package infra

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

type helm struct{}

var helmActions = []string{"upgrade --install", "upgrade", "install", "rollback", "uninstall", "status"}

func (helm) check(rt map[string]any, action string) []executor.Problem {
	str := func(k string) string { s, _ := rt[k].(string); return s }
	switch action {
	case "upgrade --install", "upgrade", "install":
		if str("release") == "" || str("chart") == "" {
			return problem("runtime", "helm "+action+" needs runtime.release and runtime.chart", "")
		}
	case "rollback", "status":
		if str("release") == "" {
			return problem("runtime", "helm "+action+" needs runtime.release", "")
		}
	case "uninstall":
		if d, _ := rt["allow_destructive"].(bool); !d {
			return problem("runtime.action", "helm uninstall is destructive and refused", "set allow_destructive: true in the runtime to allow it")
		}
	default:
		return unknownAction("helm", action, helmActions)
	}
	return nil
}

func (helm) argv(s *settings, action string) []string {
	argv := []string{"helm"}
	if k := s.str("kubeconfig"); k != "" {
		argv = append(argv, "--kubeconfig", s.path(k))
	}
	if c := s.str("context"); c != "" {
		argv = append(argv, "--kube-context", c)
	}
	if n := s.str("namespace"); n != "" {
		argv = append(argv, "--namespace", n)
	}
	release := s.str("release")
	switch action {
	case "upgrade --install", "upgrade", "install":
		argv = append(argv, strings.Fields(action)...)
		argv = append(argv, release, s.str("chart"))
		if v := s.str("version"); v != "" {
			argv = append(argv, "--version", v)
		}
		for _, f := range s.list("values") {
			argv = append(argv, "--values", s.path(f))
		}
		if set, ok := s.req.Runtime["set"].(map[string]any); ok {
			for _, k := range slices.Sorted(maps.Keys(set)) {
				v, err := s.req.Expand(fmt.Sprint(set[k]))
				if err != nil && s.err == nil {
					s.err = err
				}
				argv = append(argv, "--set", k+"="+v)
			}
		}
		if !s.noWait() {
			argv = append(argv, "--wait")
		}
		argv = append(argv, "--output", "json")
	case "rollback":
		argv = append(argv, "rollback", release)
		if r := s.str("revision"); r != "" {
			argv = append(argv, r)
		}
		if !s.noWait() {
			argv = append(argv, "--wait")
		}
	case "uninstall":
		argv = append(argv, "uninstall", release)
	case "status":
		argv = append(argv, "status", release, "--output", "json")
	}
	return argv
}

func (h helm) describe(s *settings, action string) (string, error) {
	return template.ShellJoin(h.argv(s, action)), s.err
}

func (h helm) execute(ctx context.Context, s *settings, action string) (map[string]any, error) {
	argv := h.argv(s, action)
	if s.err != nil {
		return nil, s.err
	}
	out, err := proc.Tool{Req: s.req}.Output(ctx, nil, argv...)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if json.Unmarshal([]byte(out), &obj) == nil {
		res := map[string]any{"release": obj["name"], "revision": obj["version"]}
		if info, ok := obj["info"].(map[string]any); ok {
			res["status"] = info["status"]
		}
		return named(s.req, "release", res, map[string]any{}), nil
	}
	return map[string]any{"output": strings.TrimSpace(out)}, nil
}

type terraform struct{}

var terraformActions = []string{"init", "validate", "plan", "apply", "output", "destroy"}

func (terraform) check(rt map[string]any, action string) []executor.Problem {
	switch action {
	case "init", "validate", "plan", "apply", "output":
	case "destroy":
		if d, _ := rt["allow_destructive"].(bool); !d {
			return problem("runtime.action", "terraform destroy is destructive and refused", "set allow_destructive: true in the runtime to allow it")
		}
	default:
		return unknownAction("terraform", action, terraformActions)
	}
	return nil
}

// planFile is where plan saves the plan that apply applies.
func (terraform) planFile(s *settings) string {
	if p := s.str("plan_file"); p != "" {
		return s.path(p)
	}
	return filepath.Join(s.dir(), "osop.tfplan")
}

func (s *settings) dir() string {
	for _, k := range []string{"working_dir", "working_directory", "config_path", "dir"} {
		if d := s.str(k); d != "" {
			return s.path(d)
		}
	}
	return s.req.Workdir
}

func (t terraform) argv(s *settings, action string) []string {
	argv := []string{"terraform", "-chdir=" + s.dir()}
	switch action {
	case "init":
		argv = append(argv, "init", "-input=false")
	case "validate":
		argv = append(argv, "validate", "-json")
	case "plan":
		argv = append(argv, "plan", "-input=false", "-out="+t.planFile(s))
		for _, f := range s.list("var_file") {
			argv = append(argv, "-var-file="+s.path(f))
		}
	case "apply":
		argv = append(argv, "apply", "-input=false", "-auto-approve", t.planFile(s))
	case "output":
		argv = append(argv, "output", "-json")
	case "destroy":
		argv = append(argv, "destroy", "-input=false", "-auto-approve")
	}
	return argv
}

func (t terraform) describe(s *settings, action string) (string, error) {
	return template.ShellJoin(t.argv(s, action)), s.err
}

func (t terraform) execute(ctx context.Context, s *settings, action string) (map[string]any, error) {
	argv := t.argv(s, action)
	if s.err != nil {
		return nil, s.err
	}
	out, err := proc.Tool{Req: s.req}.Output(ctx, nil, argv...)
	if err != nil {
		return nil, err
	}
	switch action {
	case "validate":
		return validated(out)
	case "plan":
		return map[string]any{"plan_file": t.planFile(s)}, nil
	case "output":
		var vals map[string]struct {
			Value any `json:"value"`
		}
		if err := json.Unmarshal([]byte(out), &vals); err != nil {
			return nil, executor.Errorf(run.CodeUnclassified, false, "terraform output printed no JSON: %v", err)
		}
		res := map[string]any{}
		for k, v := range vals {
			res[k] = v.Value
		}
		return res, nil
	}
	return map[string]any{}, nil
}

// validated reads terraform validate -json, which exits 1 for an invalid
// configuration (the node fails with its diagnostics, on stderr and in
// the log) and says on success how many warnings it found.
func validated(out string) (map[string]any, error) {
	var v struct {
		Valid        bool `json:"valid"`
		ErrorCount   int  `json:"error_count"`
		WarningCount int  `json:"warning_count"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return nil, executor.Errorf(run.CodeUnclassified, false, "terraform validate printed no JSON: %v", err)
	}
	return map[string]any{"valid": v.Valid, "error_count": v.ErrorCount, "warning_count": v.WarningCount}, nil
}
