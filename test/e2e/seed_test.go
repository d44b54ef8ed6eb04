package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const base = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels: {app: app}
spec:
  replicas: 2
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
        - name: app
          image: app
          ports:
            - containerPort: 8080
`

const overlay = `# production: the image is set by the release pipeline
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: production
resources:
  - ../../base
images: []
`

// newRepo makes the git repository the seed runs in: the app (a static
// binary and a FROM scratch Dockerfile) and overlays/production.
func newRepo(t *testing.T, e *env, status, version string) string {
	t.Helper()
	repo := t.TempDir()
	files := map[string]string{
		"base/deployment.yaml":                   base,
		"base/kustomization.yaml":                "resources:\n  - deployment.yaml\n",
		"overlays/production/kustomization.yaml": overlay,
		".gitignore":                             ".osop/\n.kubecache/\n",
	}
	for name, body := range files {
		write(t, filepath.Join(repo, name), body)
	}
	src, err := os.ReadFile("app/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(repo, "Dockerfile"), string(src))
	bin, err := os.ReadFile(e.app)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "app"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	release(t, repo, status, version)
	return repo
}

// release commits a new version of the app that reports status.
func release(t *testing.T, repo, status, version string) string {
	t.Helper()
	df := filepath.Join(repo, "Dockerfile")
	src, err := os.ReadFile(df)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "ARG APP_STATUS=") {
			lines[i] = "ARG APP_STATUS=" + status
		}
	}
	write(t, df, strings.Join(lines, "\n"))
	write(t, filepath.Join(repo, "version.txt"), version+"\n")
	git := []string{"GIT_AUTHOR_NAME=e2e", "GIT_AUTHOR_EMAIL=e2e@osop.invalid", "GIT_COMMITTER_NAME=e2e", "GIT_COMMITTER_EMAIL=e2e@osop.invalid"}
	if _, err := os.Stat(filepath.Join(repo, ".git")); err != nil {
		sh(t, repo, git, "git", "init", "-q", "-b", "main")
	}
	sh(t, repo, git, "git", "add", "-A")
	sh(t, repo, git, "git", "commit", "-qm", "release "+version)
	return strings.TrimSpace(sh(t, repo, nil, "git", "rev-parse", "HEAD"))
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// seedArgs are the run-time overrides the tests give the seed: the local
// registry, the loopback health endpoint, and a shorter backoff.
func (e *env) seedArgs(id string, extra ...string) []string {
	args := []string{"run", e.seed, "--run-id", id,
		"--set", "nodes.push_to_ecr.runtime.registry=" + e.registry,
		"--set", fmt.Sprintf("nodes.health_check.runtime.url=http://127.0.0.1:%d/api/health", e.appPort),
		"--set", "nodes.health_check.retry_policy.backoff_sec=1",
		"--set", "nodes.rollout_status.retry_policy.backoff_sec=1",
	}
	return append(args, extra...)
}

// TestSeed runs the seed workflow for real: a good release, a bad one that
// rolls back, and the failures a pipeline must name.
func TestSeed(t *testing.T) {
	e := setup(t)
	repo := newRepo(t, e, "ok", "v1")
	ns := "production"
	if _, err := run("", []string{"KUBECONFIG=" + e.kubeconfig}, "kubectl", "create", "namespace", ns); err != nil {
		t.Logf("namespace %s exists already", ns)
	}
	e.follow(t, ns, "app")
	var good string

	t.Run("good release", func(t *testing.T) {
		sha := strings.TrimSpace(sh(t, repo, nil, "git", "rev-parse", "HEAD"))
		r := e.run(t, repo, nil, e.seedArgs("good")...)
		if r.code != 0 {
			t.Fatalf("exit %d, want 0", r.code)
		}
		as := e.attempts(t, repo, "good")
		pushed := fmt.Sprintf("%s/app:%s", e.registry, sha)
		push := last(as, "push_to_ecr")
		if push.Outputs["ecr_image_url"] != pushed {
			t.Errorf("ecr_image_url %v, want %s", push.Outputs["ecr_image_url"], pushed)
		}
		// The image is in the registry under app:<GIT_SHA>, with the digest the run reported.
		if digest := registryDigest(t, e.registry, "app", sha); digest != push.Outputs["image_digest"] {
			t.Errorf("registry has digest %s, the run reported %v", digest, push.Outputs["image_digest"])
		}
		// kustomization.yaml names the pushed image, and keeps its comment.
		k, _ := os.ReadFile(filepath.Join(repo, "overlays/production/kustomization.yaml"))
		if !strings.Contains(string(k), "newName: "+e.registry+"/app") || !strings.Contains(string(k), "newTag: "+sha) ||
			!strings.Contains(string(k), "# production: the image is set by the release pipeline") {
			t.Errorf("kustomization.yaml:\n%s", k)
		}
		// The rendered manifests are kept, and name the image too.
		rm, _ := last(as, "update_manifests").Outputs["rendered_manifests"].(map[string]any)
		if path, _ := rm["path"].(string); path == "" {
			t.Errorf("rendered_manifests: %v", rm)
		} else if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), "image: "+pushed) {
			t.Errorf("rendered manifests at %s: %v\n%s", path, err, b)
		}
		// The Deployment runs that image and its rollout completed.
		if img, ready := e.rolledOut(ns, "app"); img != pushed || !ready {
			t.Errorf("deployment image %s ready=%v, want %s", img, ready, pushed)
		}
		for node, want := range map[string]string{"build_image": "COMPLETED", "apply_manifests": "COMPLETED",
			"rollout_status": "COMPLETED", "health_check": "COMPLETED", "rollback": "SKIPPED"} {
			if got := last(as, node).Status; got != want {
				t.Errorf("%s: %s, want %s", node, got, want)
			}
		}
		rec, _ := os.ReadFile(filepath.Join(repo, ".osop/runs/good.osoplog.yaml"))
		for _, want := range []string{"status: COMPLETED", "node_id: push_to_ecr", pushed, "node_id: rollback\n    node_type: infra\n    status: SKIPPED"} {
			if !strings.Contains(string(rec), want) {
				t.Errorf("the record lacks %q", want)
			}
		}
		// The dry run shows the push (and the overlay edit) the run did.
		plan := e.run(t, repo, nil, e.seedArgs("good-plan", "--dry-run")...)
		for _, node := range []string{"push_to_ecr", "update_manifests"} {
			if a := last(as, node).Action; a == "" || !strings.Contains(plan.stdout, "       "+a+"\n") {
				t.Errorf("the dry run does not show what %s ran, %q:\n%s", node, a, plan.stdout)
			}
		}
		good = pushed
	})

	t.Run("bad release rolls back", func(t *testing.T) {
		if good == "" {
			t.Skip("needs the good release")
		}
		sha := release(t, repo, "degraded", "v2")
		start := time.Now()
		r := e.run(t, repo, nil, e.seedArgs("bad")...)
		if r.code != 3 {
			t.Fatalf("exit %d, want 3 (completed only because the rollback handled the failure)", r.code)
		}
		as := e.attempts(t, repo, "bad")
		if n := count(as, "health_check"); n != 6 {
			t.Errorf("health_check ran %d times, want 6 (1 + 5 retries)", n)
		}
		var starts []time.Time
		for _, a := range as {
			if a.NodeID == "health_check" {
				starts = append(starts, a.StartedAt)
				// The degraded release answers 503; while its container
				// starts, the port may refuse connections instead.
				if a.Status != "FAILED" || (a.ErrorCode != "HTTP_5XX" && a.ErrorCode != "CONNECTION_REFUSED") {
					t.Errorf("health_check attempt %d: %s %s %s", a.Attempt, a.Status, a.ErrorCode, a.ErrorMessage)
				}
			}
		}
		if hc := last(as, "health_check"); hc.ErrorCode != "HTTP_5XX" || !strings.Contains(hc.ErrorMessage, `"status":"degraded"`) {
			t.Errorf("the last check did not reach the degraded release: %s %s", hc.ErrorCode, hc.ErrorMessage)
		}
		for i := 1; i < len(starts); i++ {
			if gap := starts[i].Sub(starts[i-1]); gap < time.Second {
				t.Errorf("attempts %d and %d only %v apart; backoff_sec is 1", i, i+1, gap)
			}
		}
		if a := last(as, "rollback"); a.Status != "COMPLETED" {
			t.Errorf("rollback %s: %s", a.Status, a.ErrorMessage)
		}
		if img, _ := e.rolledOut(ns, "app"); img != good {
			t.Errorf("after rollback the deployment runs %s, want %s (not %s)", img, good, sha)
		}
		rec, _ := os.ReadFile(filepath.Join(repo, ".osop/runs/bad.osoplog.yaml"))
		if n := strings.Count(string(rec), "node_id: health_check"); n != 6 {
			t.Errorf("the record has %d health_check attempts, want 6", n)
		}
		t.Logf("bad release took %v", time.Since(start))
	})

	t.Run("registry down", func(t *testing.T) {
		closed := freePort(t)
		r := e.run(t, repo, nil, e.seedArgs("noregistry", "--set", fmt.Sprintf("nodes.push_to_ecr.runtime.registry=127.0.0.1:%d", closed))...)
		if r.code != 1 {
			t.Fatalf("exit %d, want 1", r.code)
		}
		as := e.attempts(t, repo, "noregistry")
		push := last(as, "push_to_ecr")
		if push.Status != "FAILED" || !strings.Contains(push.ErrorMessage, fmt.Sprintf("registry 127.0.0.1:%d cannot be reached", closed)) {
			t.Errorf("push_to_ecr: %s %s", push.Status, push.ErrorMessage)
		}
		for _, n := range []string{"update_manifests", "apply_manifests", "rollout_status", "health_check"} {
			if s := last(as, n).Status; s != "BLOCKED" {
				t.Errorf("%s: %s, want BLOCKED", n, s)
			}
		}
	})

	t.Run("cluster unreachable", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "unreachable.kubeconfig")
		write(t, bad, fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: gone, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: x}}]
contexts: [{name: gone, context: {cluster: gone, user: u}}]
current-context: gone
`, freePort(t)))
		r := e.run(t, repo, []string{"KUBECONFIG=" + bad}, e.seedArgs("nocluster")...)
		if r.code != 1 {
			t.Fatalf("exit %d, want 1", r.code)
		}
		as := e.attempts(t, repo, "nocluster")
		apply := last(as, "apply_manifests")
		if apply.Status != "FAILED" || !strings.Contains(apply.ErrorMessage, "the Kubernetes cluster cannot be reached") {
			t.Errorf("apply_manifests: %s %s", apply.Status, apply.ErrorMessage)
		}
		for _, n := range []string{"rollout_status", "health_check"} {
			if s := last(as, n).Status; s != "BLOCKED" {
				t.Errorf("%s: %s, want BLOCKED", n, s)
			}
		}
	})

	t.Run("rollout that never becomes ready", func(t *testing.T) {
		release(t, repo, "ok", "v3")
		r := e.run(t, repo, nil, e.seedArgs("neverready",
			"--set", "nodes.push_to_ecr.runtime.repository=app-never-ready",
			"--set", "nodes.rollout_status.timeout_sec=6",
			"--set", "nodes.rollout_status.retry_policy.max_retries=0")...)
		if r.code != 1 {
			t.Fatalf("exit %d, want 1", r.code)
		}
		as := e.attempts(t, repo, "neverready")
		rs := last(as, "rollout_status")
		if rs.Status != "FAILED" && rs.Status != "TIMEOUT" {
			t.Errorf("rollout_status: %s %s", rs.Status, rs.ErrorMessage)
		}
		if s := last(as, "health_check").Status; s != "BLOCKED" {
			t.Errorf("health_check: %s, want BLOCKED", s)
		}
		// Leave the cluster as the good release had it.
		e.kubectl(t, "rollout", "undo", "deployment/app", "-n", ns)
	})
}

// registryDigest asks the registry for a tag's manifest digest.
func registryDigest(t *testing.T, registry, repo, tag string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodHead, fmt.Sprintf("http://%s/v2/%s/manifests/%s", registry, repo, tag), nil)
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("registry: %s:%s: %s", repo, tag, resp.Status)
	}
	return resp.Header.Get("Docker-Content-Digest")
}
