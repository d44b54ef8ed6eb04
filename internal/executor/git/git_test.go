package git

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
)

// gitEnv is an environment in which git reads no user or system
// configuration and commits as a fixed author.
func gitEnv(home string) []string {
	return append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=osop test", "GIT_AUTHOR_EMAIL=test@osop.invalid",
		"GIT_COMMITTER_NAME=osop test", "GIT_COMMITTER_EMAIL=test@osop.invalid")
}

func need(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("skipping: git is not installed")
	}
}

func sh(t *testing.T, env []string, dir string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out)
	}
	return strings.TrimSpace(string(out))
}

// origin makes a bare repository with one commit on main; it returns the
// bare repository's path and that commit.
func origin(t *testing.T, root string, env []string) (string, string) {
	t.Helper()
	bare := filepath.Join(root, "origin.git")
	sh(t, env, root, "git", "init", "--quiet", "--bare", "--initial-branch=main", bare)
	seed := filepath.Join(root, "seed")
	sh(t, env, root, "git", "clone", "--quiet", bare, seed)
	must(t, os.WriteFile(filepath.Join(seed, "README"), []byte("hello\n"), 0o644))
	sh(t, env, seed, "git", "add", "README")
	sh(t, env, seed, "git", "commit", "--quiet", "-m", "first")
	sh(t, env, seed, "git", "push", "--quiet", "origin", "HEAD:main")
	return bare, sh(t, env, seed, "git", "rev-parse", "HEAD")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type captured struct{ out, err bytes.Buffer }

func request(t *testing.T, workdir string, env []string, rt map[string]any, outputs ...string) (*executor.Request, *captured) {
	c := &captured{}
	secrets := map[string]string{"${secrets.GIT_PASSWORD}": "s3cret-pass-9", "${secrets.GIT_USER}": "alice"}
	expand := func(s string) (string, error) {
		for k, v := range secrets {
			s = strings.ReplaceAll(s, k, v)
		}
		return s, nil
	}
	mask := func(s string) string { return strings.ReplaceAll(s, "s3cret-pass-9", "***") }
	return &executor.Request{NodeID: "g", NodeType: "git", Purpose: "a git step", Attempt: 1, Runtime: rt, Outputs: outputs,
		Workdir: workdir, TempDir: t.TempDir(), Env: env, Expand: expand, Mask: mask, Stdout: &c.out, Stderr: &c.err}, c
}

func execute(t *testing.T, req *executor.Request) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	res, err := (&Git{}).Execute(ctx, req)
	if err != nil {
		t.Fatalf("%v: %v", req.Runtime, err)
	}
	return res.Outputs
}

// TestActions_bareRepository runs every action against a real bare
// repository on this machine.
func TestActions_bareRepository(t *testing.T) {
	need(t)
	t.Parallel()
	root := t.TempDir()
	env := gitEnv(root)
	bare, first := origin(t, root, env)
	work := filepath.Join(root, "work")
	must(t, os.MkdirAll(work, 0o755))

	out := execute(t, first1(request(t, work, env, map[string]any{"action": "clone", "repository": bare, "branch": "main"}, "source_dir")))
	dir := filepath.Join(work, "origin")
	if out["workspace_path"] != dir || out["source_dir"] != dir || out["commit_sha"] != first || out["branch"] != "main" {
		t.Fatalf("clone outputs %v; want workspace_path %s, commit_sha %s, branch main", out, dir, first)
	}

	must(t, os.WriteFile(filepath.Join(dir, "report.txt"), []byte("q3\n"), 0o644))
	out = execute(t, first1(request(t, work, env, map[string]any{"action": "commit", "repository": bare, "branch": "reports/q3", "message": "add the report"})))
	if out["committed"] != true || out["branch"] != "reports/q3" || out["commit_sha"] == first {
		t.Fatalf("commit outputs %v", out)
	}
	if msg := sh(t, env, dir, "git", "log", "-1", "--format=%s"); msg != "add the report" {
		t.Errorf("commit message %q", msg)
	}
	feature := out["commit_sha"]
	out = execute(t, first1(request(t, work, env, map[string]any{"action": "commit", "directory": "origin", "message": "again"})))
	if out["committed"] != false || out["commit_sha"] != feature {
		t.Errorf("a clean working copy: outputs %v, want committed false and the same commit", out)
	}

	execute(t, first1(request(t, dir, env, map[string]any{"action": "tag", "tag_name": "v1.0.0", "message": "release", "push": true})))
	execute(t, first1(request(t, dir, env, map[string]any{"action": "push", "branch": "reports/q3"})))
	if got := sh(t, env, bare, "git", "rev-parse", "refs/heads/reports/q3", "refs/tags/v1.0.0^{commit}"); got != feature.(string)+"\n"+feature.(string) {
		t.Errorf("origin has %q; want the branch and the tag at %s", got, feature)
	}

	out = execute(t, first1(request(t, dir, env, map[string]any{"action": "merge", "source": "reports/q3", "into": "main"})))
	if out["branch"] != "main" || out["commit_sha"] != feature {
		t.Errorf("merge outputs %v; want main fast-forwarded to %s", out, feature)
	}
	execute(t, first1(request(t, dir, env, map[string]any{"action": "push", "branch": "main"})))

	other := filepath.Join(root, "other")
	sh(t, env, root, "git", "clone", "--quiet", "--branch", "main", bare, other)
	sh(t, env, other, "git", "reset", "--quiet", "--hard", first)
	out = execute(t, first1(request(t, other, env, map[string]any{"action": "pull", "branch": "main"})))
	if out["commit_sha"] != feature {
		t.Errorf("pull outputs %v; want %s", out, feature)
	}

	out = execute(t, first1(request(t, other, env, map[string]any{"action": "checkout", "branch": "reports/q3"})))
	if out["branch"] != "reports/q3" {
		t.Errorf("checkout outputs %v", out)
	}
}

func first1(req *executor.Request, _ *captured) *executor.Request { return req }

// TestCheckout_clonesWhenMissing: checkout with a repository clones it
// first, then checks the branch out, and describes both.
func TestCheckout_clonesWhenMissing(t *testing.T) {
	need(t)
	t.Parallel()
	root := t.TempDir()
	env := gitEnv(root)
	bare, first := origin(t, root, env)
	req, _ := request(t, root, env, map[string]any{"action": "checkout", "repository": bare, "branch": "main", "directory": "app"}, "source_dir")
	desc, err := (&Git{}).Describe(req)
	if err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(root, "app")
	for _, want := range []string{"git clone --branch main -- " + bare + " " + app + "  (when " + app + " is not a clone yet)", "cd " + app + " && git checkout main --"} {
		if !strings.Contains(desc, want) {
			t.Errorf("describe:\n%s\nwant %q", desc, want)
		}
	}
	if p := (&Git{}).Predict(req); p["source_dir"] != app || p["branch"] != "main" {
		t.Errorf("predict %v", p)
	}
	out := execute(t, req)
	if out["source_dir"] != app || out["commit_sha"] != first {
		t.Errorf("outputs %v", out)
	}
	out = execute(t, req) // already cloned: only the checkout runs
	if out["commit_sha"] != first {
		t.Errorf("second checkout outputs %v", out)
	}
}

// freePort returns a TCP port nothing listens on at 127.0.0.1.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestCloneAndPush_gitDaemon clones and pushes over the network, through
// git daemon on 127.0.0.1.
func TestCloneAndPush_gitDaemon(t *testing.T) {
	need(t)
	t.Parallel()
	root := t.TempDir()
	env := gitEnv(root)
	bare, first := origin(t, root, env)
	port := freePort(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	daemon := exec.CommandContext(ctx, "git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
		"--listen=127.0.0.1", fmt.Sprintf("--port=%d", port), "--base-path="+root, root)
	daemon.Env = env
	must(t, daemon.Start())
	defer func() { cancel(); _ = daemon.Wait() }()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("git daemon did not listen on %s", addr)
		}
	}
	url := "git://" + addr + "/origin.git"
	work := filepath.Join(root, "net")
	out := execute(t, first1(request(t, root, env, map[string]any{"action": "clone", "repository": url, "directory": work})))
	if out["commit_sha"] != first || out["repository"] != url {
		t.Fatalf("clone over git://: %v", out)
	}
	must(t, os.WriteFile(filepath.Join(work, "new.txt"), []byte("n\n"), 0o644))
	out = execute(t, first1(request(t, work, env, map[string]any{"action": "commit", "message": "over the network"})))
	execute(t, first1(request(t, work, env, map[string]any{"action": "push", "remote": url, "branch": "main"})))
	if got := sh(t, env, bare, "git", "rev-parse", "refs/heads/main"); got != out["commit_sha"] {
		t.Errorf("origin main is %s; want the pushed %v", got, out["commit_sha"])
	}
}

// TestClone_credentialsFromSecrets clones from an HTTP server that wants
// a password: git gets it through the askpass helper, and it is in no
// argument list and no output.
func TestClone_credentialsFromSecrets(t *testing.T) {
	need(t)
	backend := "/usr/lib/git-core/git-http-backend"
	if out, err := exec.Command("git", "--exec-path").Output(); err == nil {
		backend = filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	}
	if _, err := os.Stat(backend); err != nil {
		t.Skip("skipping: git-http-backend is not installed")
	}
	t.Parallel()
	root := t.TempDir()
	env := gitEnv(root)
	_, first := origin(t, root, env)
	cgiH := &cgi.Handler{Path: backend, Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "s3cret-pass-9" {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		cgiH.ServeHTTP(w, r)
	}))
	defer srv.Close()
	url := srv.URL + "/origin.git"

	rt := map[string]any{"action": "clone", "repository": url, "directory": "authed",
		"username": "${secrets.GIT_USER}", "password": "${secrets.GIT_PASSWORD}"}
	req, c := request(t, root, env, rt)
	desc, _ := (&Git{}).Describe(req)
	out := execute(t, req)
	if out["commit_sha"] != first {
		t.Fatalf("outputs %v", out)
	}
	all := desc + c.out.String() + c.err.String()
	if strings.Contains(all, "s3cret-pass-9") || !strings.Contains(desc, "GIT_ASKPASS") {
		t.Errorf("the password shows, or the plan does not say how it is given:\n%s", all)
	}
	if entries, _ := filepath.Glob(filepath.Join(req.TempDir, "git-*")); len(entries) != 0 {
		t.Errorf("credential files left behind: %v", entries)
	}

	// Without the password git fails at once: it never prompts.
	req, _ = request(t, root, env, map[string]any{"action": "clone", "repository": url, "directory": "anon"})
	start := time.Now()
	if _, err := (&Git{}).Execute(t.Context(), req); err == nil || time.Since(start) > 20*time.Second {
		t.Errorf("clone without credentials: err %v after %v; want a quick failure", err, time.Since(start))
	}
}

// TestDecline: actions osop does not know are a step for a person, noted
// at validate time, never an error.
func TestDecline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg     executor.NodeConfig
		decline bool
	}{
		{executor.NodeConfig{Type: "git", Subtype: "pr"}, true},
		{executor.NodeConfig{Type: "git", Runtime: map[string]any{"action": "rebase-interactive"}}, true},
		{executor.NodeConfig{Type: "git", Runtime: map[string]any{"action": "commit"}}, false},
		{executor.NodeConfig{Type: "git", Runtime: map[string]any{"action": "webhook", "branch": "main"}}, false},
		{executor.NodeConfig{Type: "git", Runtime: map[string]any{"command": "gh pr create"}}, false},
	}
	for _, tt := range tests {
		why := (&Git{}).Decline(tt.cfg)
		if (why != "") != tt.decline {
			t.Errorf("Decline(%v) = %q; want declined %v", tt.cfg, why, tt.decline)
		}
		ps := (&Git{}).Check(tt.cfg)
		for _, p := range ps {
			if p.Severity == diag.Error {
				t.Errorf("Check(%v): an error %q; a declined or known node is never an error here", tt.cfg, p.Summary)
			}
		}
		if tt.decline && (len(ps) != 1 || ps[0].Severity != diag.Info) {
			t.Errorf("Check(%v) = %v; want one info note", tt.cfg, ps)
		}
	}
	if ps := (&Git{}).Check(executor.NodeConfig{Type: "git", Runtime: map[string]any{"action": "tag"}}); len(ps) != 1 || ps[0].Severity != diag.Error {
		t.Errorf("a tag without tag_name: %v; want an error", ps)
	}
}
