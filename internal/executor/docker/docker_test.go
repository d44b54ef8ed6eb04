package docker

import (
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/executor"
)

func TestSplitImage(t *testing.T) {
	tests := map[string][2]string{
		"app:abc":               {"app", "abc"},
		"app":                   {"app", "latest"},
		"127.0.0.1:5000/app:v1": {"app", "v1"},
		"localhost/team/app":    {"team/app", "latest"},
		"team/app:v2@sha256:00": {"team/app", "v2"},
		"123.dkr.ecr.us-east-1.amazonaws.com/app:1": {"app", "1"},
	}
	for in, want := range tests {
		if n, tag := splitImage(in); n != want[0] || tag != want[1] {
			t.Errorf("splitImage(%q) = %s, %s; want %v", in, n, tag, want)
		}
	}
}

func req(rt map[string]any, inputs map[string]any) *executor.Request {
	return &executor.Request{NodeID: "n", Attempt: 2, Runtime: rt, Inputs: inputs, Workdir: "/w", TempDir: "/tmp/x",
		Expand: func(s string) (string, error) { return strings.ReplaceAll(s, "{{GIT_SHA}}", "abc"), nil }}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		rt     map[string]any
		inputs map[string]any
		want   string
	}{
		{map[string]any{"action": "build", "dockerfile": "Dockerfile", "context": ".", "tags": []any{"app:{{GIT_SHA}}", "app:latest"},
			"build_args": map[string]any{"NODE_ENV": "production", "A": 1, "MSG": "two words"}, "target": "prod"},
			nil, "docker build -f Dockerfile -t app:abc -t app:latest --build-arg A=1 --build-arg 'MSG=two words' --build-arg NODE_ENV=production --target prod --iidfile /tmp/x/n.2.iid ."},
		{map[string]any{"action": "push", "registry": "127.0.0.1:5000/"}, map[string]any{"image_tag": "app:abc"},
			"docker tag app:abc 127.0.0.1:5000/app:abc && docker push 127.0.0.1:5000/app:abc"},
		{map[string]any{"action": "push", "registry": "r.io", "repository": "team/app", "tag": "v1"}, map[string]any{"image_tag": "app:abc"},
			"docker tag app:abc r.io/team/app:v1 && docker push r.io/team/app:v1"},
		{map[string]any{"action": "push"}, map[string]any{"image_tag": "r.io/app:abc"}, "docker push r.io/app:abc"},
		{map[string]any{"action": "run", "image": "app:1", "detach": true, "ports": []any{"127.0.0.1:8080:8080"}, "env": map[string]any{"X": "1"}},
			nil, "docker run -d -p 127.0.0.1:8080:8080 -e X=1 app:1"},
	}
	for _, tt := range tests {
		got, err := (&Docker{}).Describe(req(tt.rt, tt.inputs))
		if err != nil || got != tt.want {
			t.Errorf("Describe(%v)\n got %q (%v)\nwant %q", tt.rt, got, err, tt.want)
		}
	}
	if _, err := (&Docker{}).Describe(req(map[string]any{"action": "push", "registry": "r"}, nil)); err == nil ||
		!strings.Contains(err.Error(), "nothing to push") {
		t.Errorf("push without an image: %v", err)
	}
}

func TestECRRegion(t *testing.T) {
	t.Parallel()
	tests := []struct{ registry, region, why string }{
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com", "us-east-1", ""},
		{"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1", ""},
		{"123456789.dkr.ecr.us-east-1.amazonaws.com", "", "its account id 123456789 has 9 digits; an AWS account id has 12"},
		{"12345678901a.dkr.ecr.eu-west-1.amazonaws.com", "", "its account id 12345678901a has 12 characters, not all digits; an AWS account id has 12 digits"},
		{"127.0.0.1:5000", "", "an ECR registry is named ACCOUNT.dkr.ecr.REGION.amazonaws.com"},
	}
	for _, tt := range tests {
		region, why := ecrRegion(tt.registry)
		if region != tt.region || why != tt.why {
			t.Errorf("ecrRegion(%q) = %q, %q; want %q, %q", tt.registry, region, why, tt.region, tt.why)
		}
	}
}

func TestECRHost(t *testing.T) {
	if m := ecrHost.FindStringSubmatch("123456789012.dkr.ecr.us-east-1.amazonaws.com"); m == nil || m[1] != "us-east-1" {
		t.Errorf("ECR host not recognised: %v", m)
	}
	if ecrHost.MatchString("127.0.0.1:5000") {
		t.Error("a local registry is not ECR")
	}
}
