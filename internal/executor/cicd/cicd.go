// Package cicd runs cicd nodes. A node with runtime.command runs it as a
// cli node does. A node that describes what starts the run (trigger:
// push, action: webhook, …) is the run's trigger: it completes at once
// with the trigger's data, read from the run's inputs (--input), else the
// CI system's environment (GitHub Actions, GitLab CI, Jenkins, …), else
// the workdir's git checkout. Anything else (deploy through a CI
// platform, archive artifacts) is declined: a step for a person.
package cicd

import (
	"context"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/shell"
	"github.com/osopdev/osop/internal/run"
)

// Register adds the executor for cicd nodes.
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "cicd", New: func() executor.Executor { return &CICD{} }})
}

// CICD runs one cicd node.
type CICD struct{}

var (
	_ executor.Checker   = (*CICD)(nil)
	_ executor.Describer = (*CICD)(nil)
	_ executor.Decliner  = (*CICD)(nil)
)

// triggerActions are actions that say what starts a run.
var triggerActions = []string{"webhook", "trigger", "on_push", "push_event", "listen"}

// IsTrigger reports whether a runtime describes the run's trigger rather
// than something to do: runtime.trigger, or a trigger action.
func IsTrigger(rt map[string]any) bool {
	if _, ok := rt["command"]; ok {
		return false
	}
	if t, ok := rt["trigger"]; ok && t != nil && t != "" {
		return true
	}
	a, _ := rt["action"].(string)
	return slices.Contains(triggerActions, strings.ToLower(strings.TrimSpace(a)))
}

// Decline says why a cicd node has nothing osop runs.
func (c *CICD) Decline(n executor.NodeConfig) string {
	if _, ok := n.Runtime["command"]; ok || IsTrigger(n.Runtime) {
		return ""
	}
	what := "no runtime.command and no trigger"
	if a, _ := n.Runtime["action"].(string); a != "" {
		what = fmt.Sprintf("action %q", a)
	}
	if p, _ := n.Runtime["platform"].(string); p != "" {
		what += " on " + p
	}
	return "a cicd node with " + what + ": a step for a person (osop runs a cicd node's command, or completes a trigger with its data)"
}

// Check checks a command, and notes a declined node.
func (c *CICD) Check(n executor.NodeConfig) []executor.Problem {
	if _, ok := n.Runtime["command"]; ok {
		return (&shell.Command{}).Check(n)
	}
	if why := c.Decline(n); why != "" {
		return []executor.Problem{{Path: []string{"runtime"}, Severity: diag.Info, Summary: why,
			Detail: "give it runtime.command to have osop run it"}}
	}
	return nil
}

// Describe shows the command, or what the trigger gives.
func (c *CICD) Describe(req *executor.Request) (string, error) {
	if _, ok := req.Runtime["command"]; ok {
		return (&shell.Command{}).Describe(req)
	}
	if IsTrigger(req.Runtime) {
		return (&Trigger{}).Describe(req)
	}
	return "(" + c.Decline(executor.NodeConfig{Type: req.NodeType, Runtime: req.Runtime}) + ")", nil
}

// Execute runs the command or completes the trigger.
func (c *CICD) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	if _, ok := req.Runtime["command"]; ok {
		return (&shell.Command{}).Execute(ctx, req)
	}
	if IsTrigger(req.Runtime) {
		return (&Trigger{}).Execute(ctx, req)
	}
	return nil, executor.Errorf(run.CodeNoExecutor, false, "%s", c.Decline(executor.NodeConfig{Type: req.NodeType, Runtime: req.Runtime}))
}

// Trigger completes a node that stands for what started the run.
type Trigger struct{}

// ciEnv are, for each trigger field, the variables CI systems set, in the
// order read: GitHub Actions, GitLab CI, Jenkins, CircleCI, Buildkite.
var ciEnv = map[string][]string{
	"commit_sha": {"GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT", "CIRCLE_SHA1", "BUILDKITE_COMMIT"},
	"branch":     {"GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BRANCH_NAME", "GIT_BRANCH", "CIRCLE_BRANCH", "BUILDKITE_BRANCH"},
	"repository": {"GITHUB_REPOSITORY", "CI_PROJECT_PATH", "GIT_URL", "CIRCLE_REPOSITORY_URL", "BUILDKITE_REPO"},
	"event":      {"GITHUB_EVENT_NAME", "CI_PIPELINE_SOURCE"},
}

// builtins are the run's own values for the fields the checkout knows.
var builtins = map[string]string{"commit_sha": "{{GIT_SHA}}", "branch": "{{GIT_BRANCH}}"}

// fields are what a trigger gives: commit_sha, branch, repository,
// event, and the node's declared outputs.
func fields(req *executor.Request) []string {
	out := []string{"commit_sha", "branch", "repository", "event"}
	for _, o := range req.Outputs {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// Describe says where the trigger's data comes from.
func (t *Trigger) Describe(req *executor.Request) (string, error) {
	what := "the run's trigger"
	if tr, _ := req.Runtime["trigger"].(string); tr != "" {
		what = fmt.Sprintf("the run's trigger (%s)", tr)
	}
	return fmt.Sprintf("completes at once as %s: %s from --input, else the CI environment, else the workdir's git checkout",
		what, strings.Join(fields(req), ", ")), nil
}

// Execute gives the trigger's data. A field nobody provides is left out,
// and named on stderr.
func (t *Trigger) Execute(_ context.Context, req *executor.Request) (*executor.Result, error) {
	out := map[string]any{}
	var missing []string
	for _, f := range fields(req) {
		if v, ok := value(req, f); ok {
			out[f] = v
		} else if slices.Contains(req.Outputs, f) {
			missing = append(missing, f)
		}
	}
	if out["event"] == nil {
		if tr, _ := req.Runtime["trigger"].(string); tr != "" {
			out["event"] = tr
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(req.Stderr, "trigger: no value for %s (give it with --input NAME=VALUE)\n", strings.Join(missing, ", "))
	}
	if b, _ := out["branch"].(string); b != "" && !branchMatches(req.Runtime["branches"], b) {
		fmt.Fprintf(req.Stderr, "trigger: branch %q is not one of runtime.branches %v; running anyway, as asked\n", b, req.Runtime["branches"])
	}
	return &executor.Result{Outputs: out}, nil
}

// value reads one trigger field: the run's input of that name, a CI
// variable, or the checkout.
func value(req *executor.Request, name string) (string, bool) {
	if v, err := req.Expand("${inputs." + name + "}"); err == nil && v != "" {
		return v, true
	}
	for _, k := range ciEnv[name] {
		if v := envValue(req.Env, k); v != "" {
			return v, true
		}
	}
	if b, ok := builtins[name]; ok {
		if v, err := req.Expand(b); err == nil && v != "" && v != b {
			return v, true
		}
	}
	return "", false
}

func envValue(env []string, k string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], k+"="); ok {
			return v
		}
	}
	if env == nil {
		return os.Getenv(k)
	}
	return ""
}

// branchMatches reports whether branch is among the patterns (any when
// there are none).
func branchMatches(patterns any, branch string) bool {
	list, _ := patterns.([]any)
	if len(list) == 0 {
		return true
	}
	for _, p := range list {
		if ok, _ := path.Match(fmt.Sprint(p), branch); ok {
			return true
		}
	}
	return false
}

// Accepts reports whether osop runs n (a command or a trigger); the
// manual-step path takes the others.
func (c *CICD) Accepts(n executor.NodeConfig) bool { return c.Decline(n) == "" }
