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

var (
	ecrHost = regexp.MustCompile(`^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`)
	// ecrLike is an ECR name whose account id may be wrong.
	ecrLike = regexp.MustCompile(`^([^.]+)\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`)
)

// ecrRegion returns the region of an ECR registry, or why the name is not
// one: an account id that is not 12 digits is the usual mistake.
func ecrRegion(registry string) (region, why string) {
	if m := ecrHost.FindStringSubmatch(registry); m != nil {
		return m[1], ""
	}
	m := ecrLike.FindStringSubmatch(registry)
	switch {
	case m == nil:
		return "", "an ECR registry is named ACCOUNT.dkr.ecr.REGION.amazonaws.com"
	case strings.Trim(m[1], "0123456789") != "":
		return "", fmt.Sprintf("its account id %s has %d characters, not all digits; an AWS account id has 12 digits", m[1], len(m[1]))
	}
	return "", fmt.Sprintf("its account id %s has %d digits; an AWS account id has 12", m[1], len(m[1]))
}

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
		region, why := ecrRegion(registry)
		if region == "" {
			fmt.Fprintf(t.Req.Stderr, "credentials_source aws_iam_role applies to ECR registries; %s is not one (%s), so docker uses its own configuration\n", registry, why)
			return nil
		}
		if _, err := exec.LookPath("aws"); err != nil {
			return executor.Errorf(run.CodeConfig, false,
				"credentials_source aws_iam_role needs the aws CLI to log in to %s: install it, or use credentials_source: docker_config after `docker login`", registry)
		}
		quiet := t
		quiet.Quiet = true // the password
		pass, err := quiet.Output(ctx, nil, "aws", "ecr", "get-login-password", "--region", region)
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
