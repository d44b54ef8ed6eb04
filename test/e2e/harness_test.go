// Package e2e runs the seed workflow, unchanged, against real components:
// the docker engine, a registry and a Kubernetes control plane on
// 127.0.0.1, started by test/e2e/run.sh. Without that environment the
// tests skip, saying so.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/shared"
)

// env is the end-to-end environment.
type env struct {
	kubeconfig string
	registry   string // 127.0.0.1:PORT
	osop       string // the osop binary under test
	app        string // the app binary the images carry
	seed       string
	appPort    int
	state      string
}

var (
	buildOnce sync.Once
	built     struct {
		osop, app string
		err       error
	}
)

// setup finds the environment run.sh started, or skips.
func setup(t *testing.T) *env {
	t.Helper()
	kc, reg := os.Getenv("OSOP_E2E_KUBECONFIG"), os.Getenv("OSOP_E2E_REGISTRY")
	if kc == "" || reg == "" {
		t.Skip("skipping: no e2e environment (run test/e2e/run.sh, which starts a registry and a cluster)")
	}
	for _, tool := range []string{"docker", "kubectl", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	seedDir := shared.Dir(t, "seed")
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "osop-e2e-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.osop, built.app = filepath.Join(dir, "osop"), filepath.Join(dir, "app")
		root, _ := filepath.Abs("../..")
		for _, b := range []struct{ out, pkg string }{{built.osop, "./cmd/osop"}, {built.app, "./test/e2e/app"}} {
			cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				built.err = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return &env{
		kubeconfig: kc, registry: reg, osop: built.osop, app: built.app,
		seed: filepath.Join(seedDir, "kubernetes-deploy.osop.yaml"), appPort: freePort(t), state: os.Getenv("OSOP_E2E_STATE"),
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// sh runs a command and returns its stdout, failing the test on error.
func sh(t *testing.T, dir string, envv []string, name string, args ...string) string {
	t.Helper()
	out, err := run(dir, envv, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func run(dir string, envv []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), envv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String() + errb.String(), err
	}
	return out.String(), nil
}

func (e *env) kubectl(t *testing.T, args ...string) string {
	t.Helper()
	return sh(t, "", []string{"KUBECONFIG=" + e.kubeconfig}, "kubectl", args...)
}

// result is one osop run.
type result struct {
	code           int
	stdout, stderr string
}

// osop runs the osop binary in the repository and returns its exit code.
func (e *env) run(t *testing.T, repo string, envv []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(e.osop, args...)
	cmd.Dir = repo
	cmd.Env = append(append(os.Environ(), "KUBECONFIG="+e.kubeconfig, "KUBECACHEDIR="+filepath.Join(repo, ".kubecache")), envv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("osop %v: %v", args, err)
	}
	t.Logf("osop %s → exit %d\n%s%s", strings.Join(args, " "), r.code, r.stderr, r.stdout)
	return r
}

// attempt is a node attempt as `osop runs show --output json` gives it
// (docs/json.md).
type attempt struct {
	NodeID       string         `json:"node"`
	Attempt      int            `json:"attempt"`
	Status       string         `json:"status"`
	ErrorCode    string         `json:"code"`
	ErrorMessage string         `json:"message"`
	StartedAt    time.Time      `json:"started_at"`
	Outputs      map[string]any `json:"outputs"`
	Action       string         `json:"action"`
}

func (e *env) attempts(t *testing.T, repo, id string) []attempt {
	t.Helper()
	out := sh(t, repo, nil, e.osop, "runs", "show", id, "--output", "json")
	var v struct {
		Attempts []attempt `json:"attempts"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("runs show: %v\n%s", err, out)
	}
	return v.Attempts
}

// last returns the last attempt of a node.
func last(as []attempt, node string) attempt {
	var a attempt
	for _, x := range as {
		if x.NodeID == node {
			a = x
		}
	}
	return a
}

func count(as []attempt, node string) int {
	n := 0
	for _, x := range as {
		if x.NodeID == node && x.Attempt > 0 {
			n++
		}
	}
	return n
}

// follow keeps the app that the Deployment currently names running on
// 127.0.0.1:appPort: kwok fakes the pods, so the harness serves the image
// that was rolled out, pulled from the registry, and the health check talks
// to the version that is really deployed.
func (e *env) follow(t *testing.T, ns, deploy string) {
	ctx, cancel := context.WithCancel(context.Background())
	name := fmt.Sprintf("osop-e2e-app-%d", e.appPort)
	done := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		<-done
		_, _ = run("", nil, "docker", "rm", "-f", name)
	})
	go func() {
		defer close(done)
		current := ""
		for ctx.Err() == nil {
			image, ready := e.rolledOut(ns, deploy)
			if image != current && current != "" {
				// A new rollout began: the old version stops serving at
				// once, so no check can reach a version that is going away.
				_, _ = run("", nil, "docker", "rm", "-f", name)
				t.Logf("follower: stopped %s", current)
				current = ""
			}
			if ready && image != "" && current == "" {
				out, err := run("", nil, "docker", "run", "-d", "--label", "osop-e2e", "--name", name,
					"-p", fmt.Sprintf("127.0.0.1:%d:8080", e.appPort), image)
				if err != nil {
					t.Logf("follower: docker run %s: %v %s", image, err, out)
				} else {
					t.Logf("follower: serving %s on 127.0.0.1:%d", image, e.appPort)
					current = image
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
}

// rolledOut returns the Deployment's image, and whether its rollout has
// completed.
func (e *env) rolledOut(ns, deploy string) (string, bool) {
	out, err := run("", []string{"KUBECONFIG=" + e.kubeconfig}, "kubectl", "get", "deployment", deploy, "-n", ns, "-o", "json")
	if err != nil {
		return "", false
	}
	var d struct {
		Metadata struct{ Generation int64 }
		Spec     struct {
			Replicas int64
			Template struct {
				Spec struct{ Containers []struct{ Image string } }
			}
		}
		Status struct {
			ObservedGeneration                                          int64
			Replicas, UpdatedReplicas, ReadyReplicas, AvailableReplicas int64
		}
	}
	if json.Unmarshal([]byte(out), &d) != nil || len(d.Spec.Template.Spec.Containers) == 0 {
		return "", false
	}
	s := d.Status
	ready := s.ObservedGeneration >= d.Metadata.Generation && s.UpdatedReplicas == d.Spec.Replicas &&
		s.ReadyReplicas == d.Spec.Replicas && s.Replicas == d.Spec.Replicas
	return d.Spec.Template.Spec.Containers[0].Image, ready
}
