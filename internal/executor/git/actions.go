package git

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/run"
)

// repoKeys are the fields that name the repository, in the order read.
var repoKeys = []string{"repository", "repo", "url", "remote_url"}

// settings reads a node's runtime with templates resolved.
type settings struct {
	req    *executor.Request
	action string
	err    error
}

func newSettings(req *executor.Request) *settings {
	return &settings{req: req, action: strings.ToLower(strings.TrimSpace(str(req.Runtime, "action")))}
}

func (s *settings) str(keys ...string) string {
	for _, k := range keys {
		v := str(s.req.Runtime, k)
		if v == "" {
			continue
		}
		out, err := s.req.Expand(v)
		if err != nil && s.err == nil {
			s.err = err
		}
		return out
	}
	return ""
}

func (s *settings) flag(key string, def bool) bool {
	if b, ok := s.req.Runtime[key].(bool); ok {
		return b
	}
	return def
}

func (s *settings) list(key string) []string {
	var out []string
	switch v := s.req.Runtime[key].(type) {
	case string:
		out = []string{v}
	case []any:
		for _, it := range v {
			out = append(out, fmt.Sprint(it))
		}
	}
	for i, v := range out {
		e, err := s.req.Expand(v)
		if err != nil && s.err == nil {
			s.err = err
		}
		out[i] = e
	}
	return out
}

func (s *settings) repository() string { return s.str(repoKeys...) }

// dir is the working copy: runtime.directory, else the repository's name
// under the workdir when a repository is named, else the workdir.
func (s *settings) dir() string {
	d := s.str("directory", "path", "dir", "destination")
	if d == "" {
		if r := s.repository(); r != "" {
			d = repoName(r)
		}
	}
	if d == "" || d == "." {
		return s.req.Workdir
	}
	if filepath.IsAbs(d) {
		return d
	}
	return filepath.Join(s.req.Workdir, d)
}

// repoName is the directory git clone would make for a repository.
func repoName(r string) string {
	r = strings.TrimRight(r, "/")
	if i := strings.LastIndexAny(r, "/:"); i >= 0 {
		r = r[i+1:]
	}
	return strings.TrimSuffix(r, ".git")
}

// step is one git invocation; when says under what condition it runs.
type step struct {
	argv []string
	dir  string
	when string
	// skip, when set, decides at run time that the step is not needed.
	skip func() bool
}

// plan is the git invocations of the node's action, in order.
func (s *settings) plan() []step {
	dir := s.dir()
	in := func(argv ...string) step { return step{argv: append([]string{"git"}, argv...), dir: dir} }
	switch s.action {
	case "clone":
		return []step{s.clone(dir)}
	case "checkout":
		var steps []step
		if s.repository() != "" {
			c := s.clone(dir)
			c.when, c.skip = "when "+dir+" is not a clone yet", func() bool { return isRepo(dir) }
			steps = append(steps, c)
		}
		return append(steps, in("checkout", s.str("branch", "ref"), "--"))
	case "commit":
		return s.commit(in)
	case "tag":
		return s.tag(in)
	case "push":
		return []step{s.push(in)}
	case "pull":
		argv := []string{"pull"}
		if s.flag("ff_only", true) {
			argv = append(argv, "--ff-only")
		}
		if r := s.remote(); r != "" || s.str("branch") != "" {
			argv = append(argv, "--", firstOf(r, "origin"))
			if b := s.str("branch"); b != "" {
				argv = append(argv, b)
			}
		}
		return []step{in(argv...)}
	case "merge":
		var steps []step
		if into := s.str("into", "target"); into != "" {
			steps = append(steps, in("checkout", into, "--"))
		}
		argv := []string{"merge", "--no-edit"}
		if s.flag("no_ff", false) {
			argv = append(argv, "--no-ff")
		}
		if m := s.str("message"); m != "" {
			argv = append(argv, "-m", m)
		}
		return append(steps, in(append(argv, "--", s.str("source", "from", "branch"))...))
	}
	s.err = executor.Errorf(run.CodeConfig, false, "unknown git action %q", s.action)
	return nil
}

func (s *settings) clone(dir string) step {
	argv := []string{"git", "clone"}
	if b := s.str("branch"); b != "" {
		argv = append(argv, "--branch", b)
	}
	if d := s.str("depth"); d != "" {
		argv = append(argv, "--depth", d)
	}
	return step{argv: append(argv, "--", s.repository(), dir)}
}

func (s *settings) commit(in func(...string) step) []step {
	var steps []step
	if b := s.str("branch"); b != "" {
		sw := in("switch", b)
		sw.when = "when not on " + b + "; created from HEAD when new"
		steps = append(steps, sw)
	}
	add := append([]string{"add", "--"}, s.list("add")...)
	if len(add) == 2 {
		add = []string{"add", "--all"}
	}
	argv := []string{"commit", "-m", firstOf(s.str("message"), s.req.Purpose, "osop: "+s.req.NodeID)}
	if a := s.str("author"); a != "" {
		argv = append(argv, "--author", a)
	}
	c := in(argv...)
	c.when = "when anything is staged"
	return append(steps, in(add...), c)
}

func (s *settings) tag(in func(...string) step) []step {
	name := s.str("tag_name", "tag")
	argv := []string{"tag"}
	if m := s.str("message"); m != "" {
		argv = append(argv, "-a", "-m", m)
	}
	argv = append(argv, "--", name)
	if ref := s.str("ref", "commit"); ref != "" {
		argv = append(argv, ref)
	}
	steps := []step{in(argv...)}
	if s.flag("push", false) {
		steps = append(steps, in("push", "--", firstOf(s.remote(), "origin"), "refs/tags/"+name))
	}
	return steps
}

func (s *settings) push(in func(...string) step) step {
	argv := []string{"push"}
	if s.flag("force", false) {
		argv = append(argv, "--force-with-lease")
	}
	if s.flag("tags", false) {
		argv = append(argv, "--tags")
	}
	argv = append(argv, "--", firstOf(s.remote(), "origin"))
	if b := s.str("branch"); b != "" {
		argv = append(argv, b)
	} else if !s.flag("tags", false) {
		argv = append(argv, "HEAD")
	}
	return in(argv...)
}

// remote is runtime.remote, else the repository's URL, else "".
func (s *settings) remote() string { return firstOf(s.str("remote"), s.repository()) }

func firstOf(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

func isRepo(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ".git"))
	return err == nil
}

// run carries out the plan and reads the outputs.
func (s *settings) run(ctx context.Context) (*executor.Result, error) {
	steps := s.plan()
	if s.err != nil {
		return nil, s.err
	}
	env, cleanup, err := s.environment()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	t := proc.Tool{Req: s.req, Env: env}
	dir := s.dir()
	if s.action != "clone" && !isRepo(dir) && !(s.action == "checkout" && s.repository() != "") {
		return nil, executor.Errorf(run.CodeConfig, false, "git %s: %s is not a git working copy; clone it in an earlier step (action: clone) or set runtime.directory", s.action, dir)
	}
	committed := true
	for _, st := range steps {
		if st.skip != nil && st.skip() {
			continue
		}
		t.Dir = st.dir
		switch {
		case st.argv[1] == "clone":
			if done, err := s.reuseClone(ctx, t, dir); err != nil {
				return nil, err
			} else if done {
				continue
			}
		case st.argv[1] == "switch":
			if err := s.switchBranch(ctx, t, st.argv[2]); err != nil {
				return nil, err
			}
			continue
		case st.argv[1] == "commit":
			if _, err := t.Output(ctx, nil, "git", "diff", "--cached", "--quiet"); err == nil {
				fmt.Fprintln(s.req.Stderr, "nothing to commit: the working copy is clean")
				committed = false
				continue
			}
		}
		if _, err := t.Output(ctx, nil, st.argv...); err != nil {
			return nil, err
		}
	}
	out, err := s.outputs(ctx, t, dir)
	if err != nil {
		return nil, err
	}
	if s.action == "commit" {
		out["committed"] = committed
	}
	if s.action == "tag" {
		out["tag"] = s.str("tag_name", "tag")
	}
	return &executor.Result{Outputs: aliases(s.req, out)}, nil
}

// switchBranch switches to branch, creating it from HEAD when it does not
// exist yet.
func (s *settings) switchBranch(ctx context.Context, t proc.Tool, branch string) error {
	t.Quiet = true
	cur, _ := t.Output(ctx, nil, "git", "rev-parse", "--abbrev-ref", "HEAD")
	if strings.TrimSpace(cur) == branch {
		return nil
	}
	if _, err := t.Output(ctx, nil, "git", "rev-parse", "--verify", "--quiet", "refs/heads/"+branch); err == nil {
		_, err = t.Output(ctx, nil, "git", "switch", "--", branch)
		return err
	}
	_, err := t.Output(ctx, nil, "git", "switch", "-c", branch)
	return err
}

// outputs reads the working copy's state after the action.
func (s *settings) outputs(ctx context.Context, t proc.Tool, dir string) (map[string]any, error) {
	t.Dir, t.Quiet = dir, true
	sha, err := t.Output(ctx, nil, "git", "rev-parse", "HEAD")
	if err != nil {
		return nil, err
	}
	branch, _ := t.Output(ctx, nil, "git", "rev-parse", "--abbrev-ref", "HEAD")
	out := map[string]any{"commit_sha": strings.TrimSpace(sha), "branch": strings.TrimSpace(branch), "workspace_path": dir}
	if r := s.repository(); r != "" {
		out["repository"] = r
	}
	return out, nil
}

// outputAliases are declared output names that mean one of the natural
// outputs.
var outputAliases = map[string]string{
	"source_dir": "workspace_path", "workspace": "workspace_path", "repo_dir": "workspace_path", "directory": "workspace_path",
	"checkout_dir": "workspace_path", "path": "workspace_path",
	"sha": "commit_sha", "commit": "commit_sha", "revision": "commit_sha", "git_sha": "commit_sha", "head_sha": "commit_sha",
	"tag_name": "tag", "release_tag": "tag",
}

// aliases gives declared outputs that name a natural output its value.
func aliases(req *executor.Request, out map[string]any) map[string]any {
	for _, name := range req.Outputs {
		if natural, ok := outputAliases[name]; ok {
			if v, ok := out[natural]; ok {
				out[name] = v
			}
		}
	}
	return out
}
