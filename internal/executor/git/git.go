// Package git runs git nodes. A node with runtime.command runs it as a
// cli node does; a known action runs natively through the git CLI, with
// argument lists, never a shell:
//
//	clone     repository, branch, directory, depth
//	checkout  branch (and repository: cloned first when the directory is
//	          not a clone yet)
//	commit    message (default: the node's purpose), add (paths; default
//	          everything), branch (switched to, created if new), author
//	tag       tag_name, message (annotated), ref, push
//	push      remote (default origin, or repository), branch, tags, force
//	          (--force-with-lease)
//	pull      remote, branch (--ff-only unless ff_only: false)
//	merge     source (or from), into, message, no_ff
//
// Every action outputs commit_sha, branch and workspace_path (and the
// declared outputs that name one of them: source_dir, sha, …). Credentials
// come from secrets: runtime.username and runtime.password (or token) are
// answered through a GIT_ASKPASS helper, runtime.ssh_key is written to a
// private file for GIT_SSH_COMMAND; none is ever in an argument list or
// the output, and git never prompts (GIT_TERMINAL_PROMPT=0).
//
// A node that describes the run's trigger (action: webhook, or
// runtime.trigger) completes with the trigger's data ([cicd.Trigger]).
// Any other action is declined: a step for a person.
package git

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/cicd"
	"github.com/osopdev/osop/internal/executor/shell"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

// Register adds the executor for git nodes.
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "git", New: func() executor.Executor { return &Git{} }})
}

// Git runs one git node.
type Git struct{}

var (
	_ executor.Checker   = (*Git)(nil)
	_ executor.Describer = (*Git)(nil)
	_ executor.Predictor = (*Git)(nil)
	_ executor.Decliner  = (*Git)(nil)
)

// Actions are the git actions osop runs natively.
var Actions = []string{"clone", "checkout", "commit", "tag", "push", "pull", "merge"}

// kind is how a git node runs.
type kind int

const (
	declined kind = iota
	command
	native
	trigger
)

func kindOf(rt map[string]any) (kind, string) {
	if _, ok := rt["command"]; ok {
		return command, ""
	}
	action := strings.ToLower(strings.TrimSpace(str(rt, "action")))
	switch {
	case slices.Contains(Actions, action):
		return native, action
	case cicd.IsTrigger(rt):
		return trigger, action
	}
	return declined, action
}

// Decline says why a node has nothing osop runs: an action it does not
// know, or none.
func (g *Git) Decline(n executor.NodeConfig) string {
	k, action := kindOf(n.Runtime)
	if k != declined {
		return ""
	}
	if action == "" {
		what := "no runtime.command and no action"
		if n.Subtype != "" {
			what = fmt.Sprintf("subtype %q, no runtime.command and no action", n.Subtype)
		}
		return fmt.Sprintf("a git node with %s: a step for a person (osop runs the actions %s)", what, strings.Join(Actions, ", "))
	}
	return fmt.Sprintf("git action %q is not one osop runs (it runs %s): a step for a person", action, strings.Join(Actions, ", "))
}

// Check reports missing settings of a known action, and notes a declined
// node.
func (g *Git) Check(n executor.NodeConfig) []executor.Problem {
	k, action := kindOf(n.Runtime)
	switch k {
	case command:
		return (&shell.Command{}).Check(n)
	case trigger:
		return nil
	case declined:
		return []executor.Problem{{Path: []string{"runtime"}, Severity: diag.Info, Summary: g.Decline(n),
			Detail: "give it runtime.command, or one of the actions, to have osop run it"}}
	}
	need := func(field string, keys ...string) []executor.Problem {
		for _, k := range keys {
			if str(n.Runtime, k) != "" {
				return nil
			}
		}
		return []executor.Problem{{Path: []string{"runtime"}, Severity: diag.Error,
			Summary: fmt.Sprintf("git %s needs runtime.%s", action, field), Detail: fmt.Sprintf("add %s: …", field)}}
	}
	switch action {
	case "clone":
		return need("repository", repoKeys...)
	case "tag":
		return need("tag_name", "tag_name", "tag")
	case "merge":
		return need("source", "source", "from", "branch")
	case "checkout":
		return need("branch", "branch", "ref")
	}
	return nil
}

// Describe shows the git commands the node runs.
func (g *Git) Describe(req *executor.Request) (string, error) {
	switch k, _ := kindOf(req.Runtime); k {
	case command:
		return (&shell.Command{}).Describe(req)
	case trigger:
		return (&cicd.Trigger{}).Describe(req)
	case declined:
		return "(" + g.Decline(config(req)) + ")", nil
	}
	s := newSettings(req)
	steps := s.plan()
	if s.err != nil {
		return "", s.err
	}
	parts := make([]string, 0, len(steps))
	for _, st := range steps {
		line := template.ShellJoin(st.argv)
		if st.dir != "" {
			line = template.ShellJoin([]string{"cd", st.dir}) + " && " + line
		}
		if st.when != "" {
			line += "  (" + st.when + ")"
		}
		parts = append(parts, req.Mask(line))
	}
	if c := s.credentials(); c != "" {
		parts = append(parts, "(credentials: "+c+")")
	}
	return strings.Join(parts, "\n"), nil
}

// Predict gives the outputs known before the node runs: the working copy
// and, when the node names it, the branch.
func (g *Git) Predict(req *executor.Request) map[string]any {
	if k, _ := kindOf(req.Runtime); k != native {
		return nil
	}
	s := newSettings(req)
	out := map[string]any{"workspace_path": s.dir()}
	if b := s.str("branch"); b != "" && s.action != "merge" {
		out["branch"] = b
	}
	if s.err != nil {
		return nil
	}
	return aliases(req, out)
}

// Execute runs the node.
func (g *Git) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	switch k, _ := kindOf(req.Runtime); k {
	case command:
		return (&shell.Command{}).Execute(ctx, req)
	case trigger:
		return (&cicd.Trigger{}).Execute(ctx, req)
	case declined:
		return nil, executor.Errorf(run.CodeNoExecutor, false, "%s", g.Decline(config(req)))
	}
	s := newSettings(req)
	return s.run(ctx)
}

// config is what Decline reads of a request.
func config(req *executor.Request) executor.NodeConfig {
	sub, _ := req.Node["subtype"].(string)
	return executor.NodeConfig{ID: req.NodeID, Type: req.NodeType, Subtype: sub, Runtime: req.Runtime, Outputs: req.Outputs}
}

func str(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// Accepts reports whether osop runs n (a command, a known action or a
// trigger); the manual-step path takes the others.
func (g *Git) Accepts(n executor.NodeConfig) bool { return g.Decline(n) == "" }
