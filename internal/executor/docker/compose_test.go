package docker

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
)

// sleeper is a program that waits to be stopped: the whole content of an
// image built FROM scratch, since no image can be pulled here.
const sleeper = `package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
}
`

// TestCompose_upPsDown starts a real compose project (one service, its
// image built FROM scratch with a static binary), reads its containers,
// and takes it down.
func TestCompose_upPsDown(t *testing.T) {
	if err := exec.Command("docker", "info").Run(); err != nil {
		t.Skip("skipping: no docker engine here")
	}
	prog := composeProgram()
	if _, err := exec.LookPath(prog[0]); err != nil || (len(prog) == 2 && exec.Command("docker", "compose", "version").Run() != nil) {
		t.Skip("skipping: neither docker compose nor docker-compose is installed (Debian: docker-compose)")
	}
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "main.go"), []byte(sleeper), 0o644))
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "sleeper"), filepath.Join(dir, "main.go"))
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	must(os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY sleeper /sleeper\nCMD [\"/sleeper\"]\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("version: \"3\"\nservices:\n  app:\n    build: .\n    image: osop-compose-test-app\n    stop_grace_period: 2s\n"), 0o644))
	project := fmt.Sprintf("osoptest%d", time.Now().UnixNano()%1e9)

	run := func(action string, extra map[string]any) map[string]any {
		t.Helper()
		rt := map[string]any{"action": action, "compose_file": "compose.yaml", "project": project}
		for k, v := range extra {
			rt[k] = v
		}
		var stderr lockedBuffer // docker compose writes both streams at once, as the engine's writers allow
		req := &executor.Request{NodeID: "c", Attempt: 1, Runtime: rt, Workdir: dir, TempDir: t.TempDir(), Env: os.Environ(),
			Expand: func(s string) (string, error) { return s, nil }, Mask: func(s string) string { return s },
			Stdout: &stderr, Stderr: &stderr}
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
		defer cancel()
		res, err := (&Docker{}).Execute(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v\n%s", action, err, stderr.String())
		}
		return res.Outputs
	}
	t.Cleanup(func() {
		down := exec.Command(prog[0], append(prog[1:], "-f", "compose.yaml", "-p", project, "down", "--rmi", "local")...)
		down.Dir = dir
		_ = down.Run() // best effort: the test's own compose-down normally did it
	})

	desc, err := (&Docker{}).Describe(&executor.Request{NodeID: "c", Runtime: map[string]any{"action": "compose-up", "compose_file": "compose.yaml",
		"project": project, "build": true, "services": []any{"app"}}, Expand: func(s string) (string, error) { return s, nil }})
	want := strings.Join(prog, " ") + " -f compose.yaml -p " + project + " up -d --build app"
	if err != nil || desc != want {
		t.Errorf("Describe = %q, %v; want %q", desc, err, want)
	}

	out := run("compose-up", map[string]any{"build": true})
	ids, _ := out["container_ids"].([]any)
	if len(ids) != 1 || fmt.Sprint(out["services"]) != "[app]" {
		t.Fatalf("compose-up outputs %v; want one container of service app", out)
	}
	state, err := exec.Command("docker", "inspect", "-f", "{{.State.Running}}", ids[0].(string)).Output()
	if err != nil || strings.TrimSpace(string(state)) != "true" {
		t.Fatalf("container %v running: %q, %v", ids[0], state, err)
	}
	if ps := run("compose-ps", nil); fmt.Sprint(ps["container_ids"]) != fmt.Sprint(ids) {
		t.Errorf("compose-ps %v; want %v", ps, ids)
	}
	run("compose-down", nil)
	if err := exec.Command("docker", "inspect", ids[0].(string)).Run(); err == nil {
		t.Errorf("container %v still exists after compose-down", ids[0])
	}
}

func TestDocker_declinesUnknownActions(t *testing.T) {
	n := executor.NodeConfig{Type: "docker", Runtime: map[string]any{"action": "swarm-deploy"}}
	if ps := (&Docker{}).Check(n); len(ps) != 1 || ps[0].Severity != diag.Info || !strings.Contains(ps[0].Summary, "a step for a person") {
		t.Errorf("Check = %v; want one info note", ps)
	}
	if ps := (&Docker{}).Check(executor.NodeConfig{Type: "docker", Runtime: map[string]any{"image": "x"}}); len(ps) != 1 || ps[0].Severity != diag.Info {
		t.Errorf("no action: Check = %v; want one info note", ps)
	}
	cmd := executor.NodeConfig{Type: "docker", Runtime: map[string]any{"command": "docker build -t x ."}}
	if why, ps := (&Docker{}).Decline(cmd), (&Docker{}).Check(cmd); why != "" || len(ps) != 0 {
		t.Errorf("a docker command: Decline %q, Check %v; want it run as a command", why, ps)
	}
	for _, a := range []string{"compose-up", "compose-pull", "build"} {
		if why := (&Docker{}).Decline(executor.NodeConfig{Runtime: map[string]any{"action": a}}); why != "" {
			t.Errorf("Decline(%s) = %q", a, why)
		}
	}
}

// lockedBuffer is a bytes.Buffer two goroutines may write: a node's stdout
// and stderr are copied concurrently.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
