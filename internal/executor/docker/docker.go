// Package docker runs docker nodes through the docker CLI users already
// have, always with an argument list, never through a shell:
//
//	action: build  dockerfile, context, tags, build_args, target, labels,
//	               platform, cache_from → image_tag, image_tags, image_digest
//	action: push   registry (+ repository, tag); re-tags the upstream
//	               image_tag under the registry and pushes it → the first
//	               declared output (REGISTRY/NAME:TAG), image_url, image_digest
//	action: tag    image, tags
//	action: run    image, name, detach, ports, env, rm, command → container_id
//	action: login  registry
//	action: compose-up, compose-down, compose-pull, compose-build,
//	        compose-ps, compose-stop, compose-start, compose-restart,
//	        compose-logs  compose_file, project, services, detach (up is
//	        detached unless detach: false), build, remove_volumes →
//	        container_ids, services (up, ps, start, restart),
//	        pulled_images (pull); through docker compose, else the
//	        docker-compose program
//
// Any other action is declined: a step for a person.
//
// Registry credentials come from security.credentials_source:
// docker_config (the default: what `docker login` stored), env (username
// and password from secrets), or aws_iam_role (for ECR registries:
// `aws ecr get-login-password` piped to `docker login --password-stdin`).
// Passwords only ever travel on stdin.
package docker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/executor/shell"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

// Register adds the executor for docker nodes.
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "docker", New: func() executor.Executor { return &Docker{} }})
}

// Docker runs one docker action.
type Docker struct{}

var (
	_ executor.Checker   = (*Docker)(nil)
	_ executor.Describer = (*Docker)(nil)
	_ executor.Predictor = (*Docker)(nil)
	_ executor.Decliner  = (*Docker)(nil)
)

// Decline says why a docker node has nothing osop runs: an action it
// does not know.
func (d *Docker) Decline(n executor.NodeConfig) string {
	action, _ := n.Runtime["action"].(string)
	if _, ok := n.Runtime["command"]; ok && action == "" {
		return "" // a docker command, run as a cli node runs it
	}
	if action == "" {
		return "a docker node with no runtime.action: a step for a person (osop runs " + strings.Join(actions, ", ") + ", and compose-" + strings.Join(composeActions, ", compose-") + ")"
	}
	if slices.Contains(actions, action) || composeAction(action) != "" {
		return ""
	}
	return fmt.Sprintf("docker action %q is not one osop runs (it runs %s, and compose-%s): a step for a person",
		action, strings.Join(actions, ", "), strings.Join(composeActions, ", compose-"))
}

var actions = []string{"build", "push", "tag", "run", "login"}

// Check reports an unknown action and missing settings.
func (d *Docker) Check(n executor.NodeConfig) []executor.Problem {
	bad := func(path, summary, detail string) []executor.Problem {
		return []executor.Problem{{Path: strings.Split(path, "."), Severity: diag.Error, Summary: summary, Detail: detail}}
	}
	action, _ := n.Runtime["action"].(string)
	switch action {
	case "build":
		if len(stringList(n.Runtime["tags"])) == 0 && str(n.Runtime, "tag") == "" && str(n.Runtime, "image") == "" {
			return bad("runtime", "docker build needs tags", `add tags: ["app:{{GIT_SHA}}"]`)
		}
	case "push":
		if str(n.Runtime, "registry") == "" && str(n.Runtime, "image") == "" {
			return bad("runtime", "docker push needs a registry (or the image to push)", `add registry: "registry.example.com"`)
		}
	case "tag":
		if len(stringList(n.Runtime["tags"])) == 0 {
			return bad("runtime", "docker tag needs tags", "")
		}
	case "run":
		if str(n.Runtime, "image") == "" {
			return bad("runtime", "docker run needs an image", "")
		}
	case "login":
		if str(n.Runtime, "registry") == "" {
			return bad("runtime", "docker login needs a registry", "")
		}
	case "":
		if _, ok := n.Runtime["command"]; ok {
			return (&shell.Command{}).Check(n)
		}
		return []executor.Problem{{Path: []string{"runtime"}, Severity: diag.Info, Summary: d.Decline(n),
			Detail: "to have osop run it, add action: build (tags, …) or compose-up, or runtime.command"}}
	default:
		if composeAction(action) != "" {
			ps := composeCheck(n.Runtime)
			for i := range ps {
				ps[i].Severity = diag.Error
			}
			return ps
		}
		return []executor.Problem{{Path: []string{"runtime", "action"}, Severity: diag.Info, Summary: d.Decline(n)}}
	}
	return nil
}

// isCommand reports whether a docker node runs a command rather than an
// action.
func isCommand(rt map[string]any) bool {
	_, ok := rt["command"]
	return ok && str(rt, "action") == ""
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		var out []string
		for _, it := range x {
			out = append(out, fmt.Sprint(it))
		}
		return out
	}
	return nil
}

// settings resolves templates in the runtime fields an action uses.
type settings struct {
	req *executor.Request
	err error
}

func (s *settings) str(key string) string {
	v := str(s.req.Runtime, key)
	if v == "" || s.err != nil {
		return ""
	}
	out, err := s.req.Expand(v)
	if err != nil {
		s.err = err
	}
	return out
}

func (s *settings) list(key string) []string {
	var out []string
	for _, v := range stringList(s.req.Runtime[key]) {
		e, err := s.req.Expand(v)
		if err != nil && s.err == nil {
			s.err = err
		}
		out = append(out, e)
	}
	return out
}

func (s *settings) kv(key string) []string {
	m, _ := s.req.Runtime[key].(map[string]any)
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v, err := s.req.Expand(fmt.Sprint(m[k]))
		if err != nil && s.err == nil {
			s.err = err
		}
		out = append(out, k+"="+v)
	}
	return out
}

// Describe shows the docker commands the action runs.
func (d *Docker) Describe(req *executor.Request) (string, error) {
	if why := d.Decline(executor.NodeConfig{Runtime: req.Runtime}); why != "" {
		return "(" + why + ")", nil
	}
	if isCommand(req.Runtime) {
		return (&shell.Command{}).Describe(req)
	}
	cmds, err := d.commands(req)
	if err != nil {
		return "", err
	}
	parts := make([]string, len(cmds))
	for i, c := range cmds {
		parts[i] = template.ShellJoin(c)
	}
	return strings.Join(parts, " && "), nil
}

// commands returns the docker invocations of an action (without login).
func (d *Docker) commands(req *executor.Request) ([][]string, error) {
	s := &settings{req: req}
	switch action := str(req.Runtime, "action"); action {
	case "build":
		return [][]string{buildArgs(s, iidFile(req))}, s.err
	case "push":
		src, dst := pushNames(s)
		if src == dst {
			return [][]string{{"docker", "push", dst}}, s.err
		}
		return [][]string{{"docker", "tag", src, dst}, {"docker", "push", dst}}, s.err
	case "tag":
		src := s.str("image")
		var out [][]string
		for _, t := range s.list("tags") {
			out = append(out, []string{"docker", "tag", src, t})
		}
		return out, s.err
	case "run":
		return [][]string{runArgs(s)}, s.err
	case "login":
		return [][]string{{"docker", "login", s.str("registry"), "--password-stdin"}}, s.err
	default:
		if sub := composeAction(action); sub != "" {
			return [][]string{composeArgs(s, sub)}, s.err
		}
		return nil, executor.Errorf(run.CodeConfig, false, "unknown docker action %q", action)
	}
}

// iidFile is where docker build writes the image id: one file per node
// attempt in the run's scratch directory.
func iidFile(req *executor.Request) string {
	return filepath.Join(req.TempDir, fmt.Sprintf("%s.%d.iid", req.NodeID, req.Attempt))
}

// buildTags are the tags a build gives its image: tags, then image:tag.
func buildTags(s *settings) []string {
	tags := s.list("tags")
	if t := s.str("tag"); t != "" {
		image := s.str("image")
		if image != "" {
			t = image + ":" + t
		}
		tags = append(tags, t)
	}
	return tags
}

func buildArgs(s *settings, iidfile string) []string {
	tags := buildTags(s)
	argv := []string{"docker", "build"}
	if f := s.str("dockerfile"); f != "" {
		argv = append(argv, "-f", f)
	}
	for _, t := range tags {
		argv = append(argv, "-t", t)
	}
	for _, a := range s.kv("build_args") {
		argv = append(argv, "--build-arg", a)
	}
	for _, l := range s.kv("labels") {
		argv = append(argv, "--label", l)
	}
	if t := s.str("target"); t != "" {
		argv = append(argv, "--target", t)
	}
	if p := s.str("platform"); p != "" {
		argv = append(argv, "--platform", p)
	}
	for _, c := range s.list("cache_from") {
		argv = append(argv, "--cache-from", c)
	}
	if nc, _ := s.req.Runtime["no_cache"].(bool); nc {
		argv = append(argv, "--no-cache")
	}
	argv = append(argv, "--iidfile", iidfile)
	ctx := s.str("context")
	if ctx == "" {
		ctx = "."
	}
	return append(argv, ctx)
}

// pushNames returns the image to push (the upstream image_tag, or
// runtime.image) and its name under the registry.
func pushNames(s *settings) (src, dst string) {
	src = s.str("image")
	if src == "" {
		if v, ok := s.req.Inputs["image_tag"].(string); ok {
			src = v
		}
	}
	if src == "" && s.err == nil {
		s.err = executor.Errorf(run.CodeConfig, false, "docker push: nothing to push: set runtime.image, or take image_tag from a build node (inputs: [image_tag])")
		return "", ""
	}
	name, tag := splitImage(src)
	if r := s.str("repository"); r != "" {
		name = r
	}
	if t := s.str("tag"); t != "" {
		tag = t
	}
	registry := strings.TrimSuffix(s.str("registry"), "/")
	if registry == "" {
		return src, src
	}
	return src, registry + "/" + name + ":" + tag
}

// splitImage splits [registry/]name[:tag][@digest] into the name without
// its registry and the tag (latest when absent).
func splitImage(ref string) (name, tag string) {
	ref, _, _ = strings.Cut(ref, "@")
	tag = "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref, tag = ref[:i], ref[i+1:]
	}
	if first, rest, ok := strings.Cut(ref, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		ref = rest
	}
	return ref, tag
}

func runArgs(s *settings) []string {
	argv := []string{"docker", "run"}
	if d, _ := s.req.Runtime["detach"].(bool); d {
		argv = append(argv, "-d")
	}
	if rm, ok := s.req.Runtime["rm"].(bool); !ok || rm {
		if d, _ := s.req.Runtime["detach"].(bool); !d {
			argv = append(argv, "--rm")
		}
	}
	if n := s.str("name"); n != "" {
		argv = append(argv, "--name", n)
	}
	for _, p := range s.list("ports") {
		argv = append(argv, "-p", p)
	}
	for _, e := range s.kv("env") {
		argv = append(argv, "-e", e)
	}
	argv = append(argv, s.str("image"))
	return append(argv, s.list("command")...)
}

// Predict gives the outputs known before the action runs: a build's
// image_tag and image_tags, a push's image_url (and its first declared
// output). Digests are known only after.
func (d *Docker) Predict(req *executor.Request) map[string]any {
	s := &settings{req: req}
	switch str(req.Runtime, "action") {
	case "build":
		tags := buildTags(s)
		if s.err != nil || len(tags) == 0 {
			return nil
		}
		list := make([]any, len(tags))
		for i, t := range tags {
			list[i] = t
		}
		return map[string]any{"image_tag": tags[0], "image_tags": list}
	case "push":
		_, dst := pushNames(s)
		if s.err != nil {
			return nil
		}
		out := map[string]any{"image_url": dst}
		if len(req.Outputs) > 0 {
			out[req.Outputs[0]] = dst
		}
		return out
	}
	return nil
}

// Execute runs the action.
func (d *Docker) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	t := proc.Tool{Req: req}
	s := &settings{req: req}
	switch str(req.Runtime, "action") {
	case "build":
		return d.build(ctx, t, s)
	case "push":
		return d.push(ctx, t, s)
	case "login":
		if err := login(ctx, t, s, s.str("registry")); err != nil {
			return nil, err
		}
		return &executor.Result{Outputs: map[string]any{"registry": s.str("registry")}}, nil
	}
	if sub := composeAction(str(req.Runtime, "action")); sub != "" {
		return d.compose(ctx, t, s, sub)
	}
	if isCommand(req.Runtime) {
		return (&shell.Command{}).Execute(ctx, req)
	}
	if why := d.Decline(executor.NodeConfig{Runtime: req.Runtime}); why != "" {
		return nil, executor.Errorf(run.CodeNoExecutor, false, "%s", why)
	}
	cmds, err := d.commands(req)
	if err != nil {
		return nil, err
	}
	var last string
	for _, c := range cmds {
		if last, err = t.Output(ctx, nil, c...); err != nil {
			return nil, err
		}
	}
	out := map[string]any{}
	if str(req.Runtime, "action") == "run" {
		out["container_id"] = strings.TrimSpace(last)
	}
	return &executor.Result{Outputs: out}, nil
}

func (d *Docker) build(ctx context.Context, t proc.Tool, s *settings) (*executor.Result, error) {
	iid := iidFile(t.Req)
	argv := buildArgs(s, iid)
	if s.err != nil {
		return nil, s.err
	}
	if _, err := t.Output(ctx, nil, argv...); err != nil {
		return nil, err
	}
	digest, err := os.ReadFile(iid)
	if err != nil {
		return nil, executor.Errorf(run.CodeUnclassified, false, "docker build gave no image id: %v", err)
	}
	var tags []any
	for i := 0; i < len(argv); i++ {
		if argv[i] == "-t" {
			tags = append(tags, argv[i+1])
		}
	}
	out := map[string]any{"image_digest": strings.TrimSpace(string(digest)), "image_id": strings.TrimSpace(string(digest)), "image_tags": tags}
	if len(tags) > 0 {
		out["image_tag"] = tags[0]
	}
	return &executor.Result{Outputs: out}, nil
}

var pushDigest = regexp.MustCompile(`digest: (sha256:[0-9a-f]{64})`)

func (d *Docker) push(ctx context.Context, t proc.Tool, s *settings) (*executor.Result, error) {
	src, dst := pushNames(s)
	if s.err != nil {
		return nil, s.err
	}
	registry, _, _ := strings.Cut(strings.TrimPrefix(dst, "https://"), "/")
	if s.str("registry") != "" {
		if err := login(ctx, t, s, registry); err != nil {
			return nil, err
		}
	}
	if src != dst {
		if _, err := t.Output(ctx, nil, "docker", "tag", src, dst); err != nil {
			return nil, err
		}
	}
	out, err := t.Output(ctx, nil, "docker", "push", dst)
	if err != nil {
		var ee *executor.Error
		if errors.As(err, &ee) && strings.Contains(ee.Message, "connection refused") {
			ee.Code, ee.Message = run.CodeConnection, fmt.Sprintf("registry %s cannot be reached: %s", registry, ee.Message)
		}
		return nil, err
	}
	m := pushDigest.FindStringSubmatch(out)
	if m == nil {
		return nil, executor.Errorf(run.CodeUnclassified, false, "docker push %s printed no digest", dst)
	}
	name := strings.TrimSuffix(dst, ":"+lastTag(dst))
	outputs := map[string]any{"image_url": dst, "image_digest": m[1], "repo_digest": name + "@" + m[1], "registry": registry}
	if len(t.Req.Outputs) > 0 {
		outputs[t.Req.Outputs[0]] = dst
	}
	return &executor.Result{Outputs: outputs}, nil
}

func lastTag(ref string) string {
	_, tag := splitImage(ref)
	return tag
}
