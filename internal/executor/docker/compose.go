package docker

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"sync"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/run"
)

// composeActions are the docker compose actions osop runs, each the
// compose subcommand after "compose-".
var composeActions = []string{"up", "down", "pull", "build", "ps", "stop", "start", "restart", "logs"}

// composeAction returns the compose subcommand of an action
// ("compose-up" → "up"), or "".
func composeAction(action string) string {
	sub, ok := strings.CutPrefix(strings.ToLower(action), "compose-")
	if !ok || !slices.Contains(composeActions, sub) {
		return ""
	}
	return sub
}

// composeProgram is how compose runs here: the docker CLI plugin (docker
// compose) when docker has it, else the docker-compose program.
var composeProgram = sync.OnceValue(func() []string {
	if err := exec.Command("docker", "compose", "version").Run(); err == nil {
		return []string{"docker", "compose"}
	}
	if _, err := exec.LookPath("docker-compose"); err == nil {
		return []string{"docker-compose"}
	}
	return []string{"docker", "compose"} // fails, naming docker compose
})

// composeBase is the program with the project's files and name.
func composeBase(s *settings) []string {
	argv := append([]string{}, composeProgram()...)
	for _, f := range append(s.list("compose_file"), s.list("compose_files")...) {
		argv = append(argv, "-f", f)
	}
	if p := s.str("project"); p != "" {
		argv = append(argv, "-p", p)
	} else if p := s.str("project_name"); p != "" {
		argv = append(argv, "-p", p)
	}
	return argv
}

// composeArgs is the compose command of an action.
func composeArgs(s *settings, sub string) []string {
	argv := append(composeBase(s), sub)
	switch sub {
	case "up":
		// A compose up that stays attached never ends: a step must.
		if d, ok := s.req.Runtime["detach"].(bool); !ok || d {
			argv = append(argv, "-d")
		}
		if b, _ := s.req.Runtime["build"].(bool); b {
			argv = append(argv, "--build")
		}
	case "down":
		if v, _ := s.req.Runtime["remove_volumes"].(bool); v {
			argv = append(argv, "--volumes")
		}
	case "logs":
		argv = append(argv, "--no-color")
	}
	if sub != "down" && sub != "ps" {
		argv = append(argv, s.list("services")...)
	}
	return argv
}

// composeCheck checks a compose action's settings.
func composeCheck(rt map[string]any) []executor.Problem {
	if v, ok := rt["services"]; ok {
		if _, isList := v.([]any); !isList {
			if _, isStr := v.(string); !isStr {
				return []executor.Problem{{Path: []string{"runtime", "services"}, Summary: "services must be a list of service names"}}
			}
		}
	}
	return nil
}

// compose runs a compose action; up also outputs the project's container
// ids and services, pull the services pulled.
func (d *Docker) compose(ctx context.Context, t proc.Tool, s *settings, sub string) (*executor.Result, error) {
	argv := composeArgs(s, sub)
	if s.err != nil {
		return nil, s.err
	}
	out, err := t.Output(ctx, nil, argv...)
	if err != nil {
		return nil, err
	}
	outputs := map[string]any{}
	services := toAny(s.list("services"))
	switch sub {
	case "up", "ps", "start", "restart":
		t.Quiet = true
		ids, err := t.Output(ctx, nil, append(composeBase(s), "ps", "-q")...)
		if err != nil {
			return nil, err
		}
		outputs["container_ids"] = toAny(strings.Fields(ids))
		if len(services) == 0 {
			names, err := t.Output(ctx, nil, append(composeBase(s), "config", "--services")...)
			if err != nil {
				return nil, executor.Errorf(run.CodeUnclassified, true, "compose config --services: %v", err)
			}
			services = toAny(strings.Fields(names))
		}
		outputs["services"] = services
	case "pull":
		outputs["pulled_images"] = services
	case "logs":
		outputs["logs"] = out
	}
	return &executor.Result{Outputs: outputs}, nil
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
