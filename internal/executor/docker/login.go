package docker

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/run"
)

var ecrHost = regexp.MustCompile(`^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`)

// login signs in to registry as security.credentials_source says.
func login(ctx context.Context, t proc.Tool, s *settings, registry string) error {
	source, _ := t.Req.Security["credentials_source"].(string)
	switch source {
	case "", "docker_config":
		return nil // docker uses what `docker login` stored
	case "env":
		user := firstOf(s, "username", "${secrets.REGISTRY_USERNAME}")
		pass := firstOf(s, "password", "${secrets.REGISTRY_PASSWORD}")
		if s.err != nil {
			return executor.Errorf(run.CodeConfig, false,
				"credentials_source env needs a username and password: set runtime.username/password, or pass --secret REGISTRY_USERNAME=… --secret REGISTRY_PASSWORD=…")
		}
		_, err := t.Output(ctx, strings.NewReader(pass), "docker", "login", registry, "--username", user, "--password-stdin")
		return err
	case "aws_iam_role":
		m := ecrHost.FindStringSubmatch(registry)
		if m == nil {
			fmt.Fprintf(t.Req.Stderr, "credentials_source aws_iam_role applies to ECR registries; %s is not one, so docker uses its own configuration\n", registry)
			return nil
		}
		if _, err := exec.LookPath("aws"); err != nil {
			return executor.Errorf(run.CodeConfig, false,
				"credentials_source aws_iam_role needs the aws CLI to log in to %s: install it, or use credentials_source: docker_config after `docker login`", registry)
		}
		quiet := t
		quiet.Quiet = true // the password
		pass, err := quiet.Output(ctx, nil, "aws", "ecr", "get-login-password", "--region", m[1])
		if err != nil {
			return fmt.Errorf("aws ecr get-login-password (no AWS credentials for this role?): %w", err)
		}
		_, err = t.Output(ctx, strings.NewReader(strings.TrimSpace(pass)), "docker", "login", "--username", "AWS", "--password-stdin", registry)
		return err
	}
	return executor.Errorf(run.CodeConfig, false, "unknown credentials_source %q: want docker_config, env or aws_iam_role", source)
}

// firstOf resolves runtime[key], or the fallback template.
func firstOf(s *settings, key, fallback string) string {
	if v := s.str(key); v != "" {
		return v
	}
	v, err := s.req.Expand(fallback)
	if err != nil && s.err == nil {
		s.err = err
	}
	return v
}
