package infra

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/osopdev/osop/internal/executor"
)

func toolRequest(t *testing.T, rt map[string]any) *executor.Request {
	dir := t.TempDir()
	return &executor.Request{NodeID: "n", Runtime: rt, Workdir: dir, TempDir: t.TempDir(), Env: os.Environ(),
		Expand: func(s string) (string, error) { return s, nil }, Mask: func(s string) string { return s },
		Stdout: io.Discard, Stderr: io.Discard}
}

// TestTerraform runs init, plan, apply and output with the real terraform
// CLI, on a configuration that needs no provider (nothing is downloaded).
func TestTerraform(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		// .ci/run cannot install it: terraform is not in Debian, and
		// github.com/hashicorp/terraform does not build from the Go module
		// proxy (its go.mod replaces nine backends with directories that
		// the module zip leaves out). HashiCorp's release binary works.
		t.Skip("skipping: terraform is not on PATH (not in Debian and not buildable from the Go module proxy; " +
			"install HashiCorp's release from https://developer.hashicorp.com/terraform/install to run this test)")
	}
	req := toolRequest(t, nil)
	if err := os.WriteFile(filepath.Join(req.Workdir, "main.tf"), []byte(`output "greeting" { value = "hello" }`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	for _, action := range []string{"init", "plan", "apply", "output"} {
		req.Runtime = map[string]any{"tool": "terraform", "action": action}
		res, err := (&Infra{}).Execute(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		out = res.Outputs
	}
	if out["greeting"] != "hello" {
		t.Errorf("outputs %v", out)
	}
}

// TestTerraformValidate runs terraform validate on a sound configuration
// (the node completes, valid) and on one that reads an undeclared
// variable (the node fails).
func TestTerraformValidate(t *testing.T) {
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Skip("skipping: terraform is not installed on this machine")
	}
	tests := []struct {
		name, main string
		wantErr    bool
	}{
		{"sound", `output "greeting" { value = "hello" }`, false},
		{"undeclared variable", `output "greeting" { value = var.nobody }`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := toolRequest(t, nil)
			if err := os.WriteFile(filepath.Join(req.Workdir, "main.tf"), []byte(tt.main), 0o644); err != nil {
				t.Fatal(err)
			}
			req.Runtime = map[string]any{"tool": "terraform", "action": "validate"}
			res, err := (&Infra{}).Execute(context.Background(), req)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("validate completed with %v, want it to fail", res.Outputs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Outputs["valid"] != true || res.Outputs["error_count"] != 0 {
				t.Errorf("outputs %v", res.Outputs)
			}
		})
	}
}

// TestHelm runs helm against the e2e cluster when both are here.
func TestHelm(t *testing.T) {
	if _, err := exec.LookPath("helm"); err != nil {
		t.Skip("skipping: helm is not on PATH (test/e2e/run.sh builds it, with the cluster, and puts it there)")
	}
	kc := os.Getenv("OSOP_E2E_KUBECONFIG")
	if kc == "" {
		t.Skip("skipping: no cluster (test/e2e/run.sh provides one)")
	}
	req := toolRequest(t, nil)
	chart := filepath.Join(req.Workdir, "chart")
	files := map[string]string{
		"Chart.yaml":               "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
		"templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  v: {{ .Values.v | quote }}\n",
	}
	for name, body := range files {
		p := filepath.Join(chart, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	req.Runtime = map[string]any{"tool": "helm", "action": "upgrade --install", "release": "demo", "chart": chart,
		"namespace": "default", "kubeconfig": kc, "set": map[string]any{"v": "1"}, "wait": false}
	res, err := (&Infra{}).Execute(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := res.Outputs["release"].(map[string]any); r["release"] != "demo" {
		t.Errorf("outputs %v", res.Outputs)
	}
	// The release is really in the cluster, with the value set.
	got, err := exec.Command("kubectl", "--kubeconfig", kc, "get", "configmap", "demo", "-n", "default",
		"-o", "jsonpath={.data.v}").CombinedOutput()
	if err != nil || string(got) != "1" {
		t.Errorf("configmap demo: %q (%v), want v=1", got, err)
	}
}
