package infra

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/executor"
)

func TestParseImage(t *testing.T) {
	tests := []struct {
		in   string
		want image
	}{
		{"app=127.0.0.1:5000/app:abc", image{Name: "app", NewName: "127.0.0.1:5000/app", NewTag: "abc"}},
		{"app=app:v2", image{Name: "app", NewTag: "v2"}},
		{"app=reg/app@sha256:aa", image{Name: "app", NewName: "reg/app", Digest: "sha256:aa"}},
		{"nginx:1.27", image{Name: "nginx", NewTag: "1.27"}},
		{"localhost:5000/nginx", image{Name: "localhost:5000/nginx"}},
	}
	for _, tt := range tests {
		got, err := parseImage(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseImage(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseImage("=x"); err == nil {
		t.Error("an empty name must be refused")
	}
}

func TestSetImageKeepsCommentsAndOrder(t *testing.T) {
	dir := t.TempDir()
	src := `# production overlay
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: production # where it runs
resources:
  - ../../base
images:
  - name: sidecar # pinned
    newTag: "1.0"
  - name: app
    newName: old/app
    newTag: old
    digest: sha256:old
`
	path := filepath.Join(dir, "kustomization.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := setImage(dir, "app=127.0.0.1:5000/app:abc123"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := `# production overlay
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: production # where it runs
resources:
  - ../../base
images:
  - name: sidecar # pinned
    newTag: "1.0"
  - name: app
    newName: 127.0.0.1:5000/app
    newTag: abc123
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("kustomization (-want +got):\n%s", diff)
	}
	// A new image is added; images: [] becomes a block list.
	if err := os.WriteFile(path, []byte("resources: [a.yaml]\nimages: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := setImage(dir, "web=reg/web@sha256:beef"); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(path)
	if !strings.Contains(string(got), "images:\n  - name: web\n    newName: reg/web\n    digest: sha256:beef\n") {
		t.Errorf("got:\n%s", got)
	}
}

func TestApplyStatus(t *testing.T) {
	out := "namespace/production unchanged\nservice/app created\ndeployment.apps/app configured\nWarning: something\n"
	got := applyStatus(out)
	if got["created"] != int64(1) || got["configured"] != int64(1) || got["unchanged"] != int64(1) || got["changed"] != true {
		t.Errorf("%v", got)
	}
	if rs := got["resources"].([]any); len(rs) != 3 || rs[2].(map[string]any)["resource"] != "deployment.apps/app" {
		t.Errorf("resources %v", rs)
	}
}

func req(rt map[string]any) *executor.Request {
	return &executor.Request{NodeID: "n", Runtime: rt, Workdir: "/work",
		Expand: func(s string) (string, error) { return s, nil }, Mask: func(s string) string { return s }}
}

func TestKubectlArgv(t *testing.T) {
	tests := []struct {
		rt   map[string]any
		want string
	}{
		{map[string]any{"tool": "kubectl", "action": "apply", "manifests": `-k "overlays/prod env"`, "namespace": "prod"},
			`kubectl --namespace prod apply -k 'overlays/prod env'`}, // one word, as it runs
		{map[string]any{"tool": "kubectl", "action": "rollout  undo", "resource": "deployment/app", "to_revision": 3, "wait": false, "kubeconfig": "kc", "context": "c"},
			`kubectl --kubeconfig /work/kc --context c rollout undo deployment/app --to-revision=3`},
		{map[string]any{"tool": "kubectl", "action": "rollout status", "resource": "deployment/app"},
			`kubectl rollout status deployment/app --timeout=300s`},
	}
	for _, tt := range tests {
		got, err := (&Infra{}).Describe(req(tt.rt))
		if err != nil || got != tt.want {
			t.Errorf("Describe(%v) = %q, %v; want %q", tt.rt, got, err, tt.want)
		}
	}
	words := kubectl{}.argv(&settings{req: req(map[string]any{"manifests": `-f "a b.yaml" -f c.yaml`})}, "apply")
	if strings.Join(words, "|") != "kubectl|apply|-f|a b.yaml|-f|c.yaml" {
		t.Errorf("manifests were not split like a shell: %q", words)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		rt   map[string]any
		want string // substring of the summary; "" for none
	}{
		{map[string]any{"tool": "kubectl", "action": "delete", "resource": "deployment/app"}, "destructive"},
		{map[string]any{"tool": "kubectl", "action": "delete", "resource": "deployment/app", "allow_destructive": true}, ""},
		{map[string]any{"tool": "kubectl", "action": "apply"}, "needs runtime.manifests"},
		{map[string]any{"tool": "kubectl", "action": "explode"}, `cannot "explode"`},
		{map[string]any{"tool": "pulumi", "action": "up"}, `infra tool "pulumi" is not one osop runs`},
		{map[string]any{"tool": "ansible"}, "ansible needs runtime.playbook"},
		{map[string]any{"tool": "ansible", "playbook": "site.yml", "extra_vars": "x=1"}, "extra_vars must be a map"},
		{map[string]any{"tool": "kustomize", "action": "edit set image"}, "needs runtime.image"},
		{map[string]any{"tool": "helm", "action": "uninstall", "release": "x"}, "destructive"},
		{map[string]any{"tool": "terraform", "action": "plan"}, ""},
		{map[string]any{"tool": "terraform", "action": "validate"}, ""},
	}
	for _, tt := range tests {
		ps := (&Infra{}).Check(executor.NodeConfig{Type: "infra", Runtime: tt.rt})
		switch {
		case tt.want == "" && len(ps) > 0:
			t.Errorf("%v: unexpected %v", tt.rt, ps)
		case tt.want != "" && (len(ps) == 0 || !strings.Contains(ps[0].Summary, tt.want)):
			t.Errorf("%v: got %v, want %q", tt.rt, ps, tt.want)
		}
	}
}
