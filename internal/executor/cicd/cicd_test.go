package cicd

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

func TestTrigger_data(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		inputs map[string]string // ${inputs.X} that resolve
		env    []string
		want   map[string]any
		note   string
	}{
		{name: "from --input", inputs: map[string]string{"commit_sha": "abc123", "branch": "main", "build_tag": "v7"},
			env:  []string{"GITHUB_SHA=fromenv"},
			want: map[string]any{"commit_sha": "abc123", "branch": "main", "build_tag": "v7", "event": "push"}},
		{name: "from GitHub Actions", env: []string{"GITHUB_SHA=deadbeef", "GITHUB_REF_NAME=release/1", "GITHUB_REPOSITORY=org/app", "GITHUB_EVENT_NAME=push"},
			want: map[string]any{"commit_sha": "deadbeef", "branch": "release/1", "repository": "org/app", "event": "push"},
			note: "trigger: no value for build_tag"},
		{name: "from the checkout", want: map[string]any{"commit_sha": "1111", "branch": "feature/x", "event": "push"},
			note: `branch "feature/x" is not one of runtime.branches`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			req := &executor.Request{NodeID: "push_trigger", NodeType: "cicd", Env: append([]string{"PATH=/bin"}, tt.env...),
				Runtime: map[string]any{"platform": "github-actions", "trigger": "push", "branches": []any{"main", "release/*"}},
				Outputs: []string{"commit_sha", "branch", "build_tag"}, Stderr: &stderr,
				Expand: func(s string) (string, error) {
					if name, ok := strings.CutPrefix(s, "${inputs."); ok {
						if v, ok := tt.inputs[strings.TrimSuffix(name, "}")]; ok {
							return v, nil
						}
						return "", errors.New("no such input")
					}
					return map[string]string{"{{GIT_SHA}}": "1111", "{{GIT_BRANCH}}": "feature/x"}[s], nil
				}}
			res, err := (&CICD{}).Execute(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, res.Outputs); d != "" {
				t.Errorf("outputs (-want +got):\n%s", d)
			}
			if !strings.Contains(stderr.String(), tt.note) {
				t.Errorf("stderr %q; want %q", stderr.String(), tt.note)
			}
		})
	}
}

func TestCICD_decline(t *testing.T) {
	t.Parallel()
	deploy := executor.NodeConfig{Type: "cicd", Runtime: map[string]any{"platform": "jenkins", "action": "deploy", "environment": "staging"}}
	ps := (&CICD{}).Check(deploy)
	if len(ps) != 1 || ps[0].Severity != diag.Info || !strings.Contains(ps[0].Summary, `action "deploy" on jenkins: a step for a person`) {
		t.Errorf("Check = %+v; want one info note", ps)
	}
	_, err := (&CICD{}).Execute(t.Context(), &executor.Request{NodeType: "cicd", Runtime: deploy.Runtime})
	if code, _ := executor.Classify(err); code != run.CodeNoExecutor {
		t.Errorf("Execute: %v (%s); want %s", err, code, run.CodeNoExecutor)
	}
	for _, rt := range []map[string]any{{"trigger": "push"}, {"action": "webhook"}, {"command": "make test"}} {
		if why := (&CICD{}).Decline(executor.NodeConfig{Type: "cicd", Runtime: rt}); why != "" {
			t.Errorf("Decline(%v) = %q; want it run", rt, why)
		}
	}
}
