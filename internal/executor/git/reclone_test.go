package git

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClone_again: a second clone into the same directory (a workflow run
// twice in one workdir) fetches and checks out what the repository has
// now, and says so; a directory holding something else is refused, and a
// failing git command is named with its subcommand and repository.
func TestClone_again(t *testing.T) {
	need(t)
	t.Parallel()
	root := t.TempDir()
	env := gitEnv(root)
	bare, first := origin(t, root, env)
	work := filepath.Join(root, "work")
	must(t, os.MkdirAll(work, 0o755))
	rt := map[string]any{"action": "clone", "repository": bare, "branch": "main"}
	if out := execute(t, first1(request(t, work, env, rt))); out["commit_sha"] != first {
		t.Fatalf("first clone: %v", out)
	}

	// The repository moves on; the second run's clone must see it.
	seed := filepath.Join(root, "seed")
	must(t, os.WriteFile(filepath.Join(seed, "NEWS"), []byte("v2\n"), 0o644))
	sh(t, env, seed, "git", "add", "NEWS")
	sh(t, env, seed, "git", "commit", "--quiet", "-m", "second")
	sh(t, env, seed, "git", "push", "--quiet", "origin", "HEAD:main")
	second := sh(t, env, seed, "git", "rev-parse", "HEAD")
	req, c := request(t, work, env, rt)
	out := execute(t, req)
	if out["commit_sha"] != second || out["branch"] != "main" {
		t.Fatalf("second clone: outputs %v, want main at %s", out, second)
	}
	if !strings.Contains(c.err.String(), "is already a clone of "+bare+": fetched and checked out main instead of cloning") {
		t.Errorf("the node does not say it fetched:\n%s", c.err.String())
	}

	tests := []struct {
		name, dir string
		setup     func(dir string)
		want      string
	}{
		{"not a repository", "plain", func(d string) { must(t, os.WriteFile(filepath.Join(d, "x"), nil, 0o644)) },
			"already exists and is not a git working copy; remove it, or set runtime.directory"},
		{"another repository", "other", func(d string) {
			sh(t, env, d, "git", "init", "--quiet")
			sh(t, env, d, "git", "remote", "add", "origin", "https://example.invalid/else.git")
		}, "is already a clone of another repository (origin https://example.invalid/else.git)"},
	}
	for _, tt := range tests {
		dir := filepath.Join(work, tt.dir)
		must(t, os.MkdirAll(dir, 0o755))
		tt.setup(dir)
		req, _ := request(t, work, env, map[string]any{"action": "clone", "repository": bare, "directory": tt.dir})
		_, err := (&Git{}).Execute(context.Background(), req)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.want)
		}
	}

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	missing := filepath.Join(root, "nosuch.git")
	req, _ = request(t, work, env, map[string]any{"action": "clone", "repository": missing, "branch": "main", "directory": "x"})
	_, err := (&Git{}).Execute(ctx, req)
	if err == nil || !strings.Contains(err.Error(), "git clone "+missing+" ") {
		t.Errorf("a failed clone: %v; want it to name git clone and the repository", err)
	}
}
