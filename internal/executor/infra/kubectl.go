package infra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/shlex"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

type kubectl struct{}

var kubectlActions = []string{"apply", "rollout status", "rollout undo", "rollout history", "get", "wait", "diff", "delete"}

func (kubectl) check(rt map[string]any, action string) []executor.Problem {
	str := func(k string) string { s, _ := rt[k].(string); return s }
	switch action {
	case "apply", "diff":
		if str("manifests") == "" && str("manifest") == "" {
			return problem("runtime", "kubectl "+action+" needs runtime.manifests", `write manifests: "-k overlays/production" or "-f deploy.yaml"`)
		}
	case "rollout status", "rollout undo", "rollout history", "get", "wait":
		if str("resource") == "" {
			return problem("runtime", "kubectl "+action+" needs runtime.resource", `write resource: deployment/app`)
		}
		if action == "wait" && str("for") == "" {
			return problem("runtime", "kubectl wait needs runtime.for", `write for: condition=Available`)
		}
	case "delete":
		if d, _ := rt["allow_destructive"].(bool); !d {
			return problem("runtime.action", "kubectl delete is destructive and refused", "set allow_destructive: true in the runtime to allow it")
		}
		if str("resource") == "" && str("manifests") == "" {
			return problem("runtime", "kubectl delete needs runtime.resource or runtime.manifests", "")
		}
	default:
		return unknownAction("kubectl", action, kubectlActions)
	}
	return nil
}

// base returns kubectl and the flags every action takes.
func (kubectl) base(s *settings) []string {
	argv := []string{"kubectl"}
	if k := s.str("kubeconfig"); k != "" {
		argv = append(argv, "--kubeconfig", s.path(k))
	}
	if c := s.str("context"); c != "" {
		argv = append(argv, "--context", c)
	}
	if n := s.str("namespace"); n != "" {
		argv = append(argv, "--namespace", n)
	}
	return argv
}

// manifests splits runtime.manifests as a shell would, without a shell.
func (kubectl) manifests(s *settings) []string {
	m := s.str("manifests")
	if m == "" {
		if f := s.str("manifest"); f != "" {
			m = "-f " + f
		}
	}
	words, err := shlex.Split(m)
	if err != nil && s.err == nil {
		s.err = executor.Errorf(run.CodeConfig, false, "manifests %q: %v", m, err)
	}
	return words
}

// argv returns the main kubectl invocation of an action.
func (k kubectl) argv(s *settings, action string) []string {
	argv := k.base(s)
	res := s.str("resource")
	switch action {
	case "apply":
		argv = append(append(argv, "apply"), k.manifests(s)...)
		if s.flag("server_side") {
			argv = append(argv, "--server-side")
		}
	case "diff":
		argv = append(append(argv, "diff"), k.manifests(s)...)
	case "rollout status":
		argv = append(argv, "rollout", "status", res, "--timeout="+k.timeout(s))
	case "rollout undo":
		argv = append(argv, "rollout", "undo", res)
		if r := s.str("to_revision"); r != "" {
			argv = append(argv, "--to-revision="+r)
		}
	case "rollout history":
		argv = append(argv, "rollout", "history", res)
	case "get":
		argv = append(argv, "get", res, "-o", "json")
	case "wait":
		argv = append(argv, "wait", res, "--for="+s.str("for"), "--timeout="+k.timeout(s))
	case "delete":
		if res != "" {
			argv = append(argv, "delete", res)
		} else {
			argv = append(append(argv, "delete"), k.manifests(s)...)
		}
	}
	return argv
}

// timeout gives kubectl the node's time limit, less a margin so kubectl
// reports its own error before osop stops it.
func (kubectl) timeout(s *settings) string {
	if t := s.str("timeout"); t != "" {
		return t
	}
	if s.req.Timeout > 0 {
		return fmt.Sprintf("%ds", max(int((s.req.Timeout-2*time.Second)/time.Second), 1))
	}
	return "300s"
}

func (k kubectl) describe(s *settings, action string) (string, error) {
	d := template.ShellJoin(k.argv(s, action))
	if action == "rollout undo" && !s.noWait() {
		d += " && " + template.ShellJoin(k.argv(s, "rollout status"))
	}
	return d, s.err
}

func (s *settings) noWait() bool {
	w, ok := s.req.Runtime["wait"].(bool)
	return ok && !w
}

func (k kubectl) execute(ctx context.Context, s *settings, action string) (map[string]any, error) {
	argv := k.argv(s, action)
	if s.err != nil {
		return nil, s.err
	}
	t := proc.Tool{Req: s.req}
	out, err := t.Output(ctx, nil, argv...)
	if action == "diff" {
		// kubectl diff exits 1 when there are differences.
		var ee *executor.Error
		if err != nil && errors.As(err, &ee) && strings.Contains(ee.Message, "status 1:") {
			return map[string]any{"changed": true, "diff": out}, nil
		}
		if err == nil {
			return map[string]any{"changed": false, "diff": ""}, nil
		}
	}
	if err != nil {
		return nil, k.explain(err, s)
	}
	switch action {
	case "apply":
		return named(s.req, "apply_status", applyStatus(out), map[string]any{}), nil
	case "rollout status", "rollout undo":
		if action == "rollout undo" && !s.noWait() {
			if _, err := t.Output(ctx, nil, k.argv(s, "rollout status")...); err != nil {
				return nil, k.explain(err, s)
			}
		}
		res, err := k.rolloutResult(ctx, s)
		if err != nil {
			return nil, err
		}
		return named(s.req, "rollout_result", res, map[string]any{}), nil
	case "rollout history":
		return map[string]any{"history": out, "revisions": revisions(out)}, nil
	case "get":
		var obj any
		if err := json.Unmarshal([]byte(out), &obj); err != nil {
			return nil, executor.Errorf(run.CodeUnclassified, false, "kubectl get printed no JSON: %v", err)
		}
		return named(s.req, "object", obj, map[string]any{}), nil
	}
	return map[string]any{"output": strings.TrimSpace(out)}, nil
}

// explain makes the common kubectl failures say what is wrong.
func (kubectl) explain(err error, s *settings) error {
	var ee *executor.Error
	if !errors.As(err, &ee) {
		return err
	}
	switch {
	case strings.Contains(ee.Message, "connection refused"), strings.Contains(ee.Message, "Unable to connect to the server"),
		strings.Contains(ee.Message, "no such host"), strings.Contains(ee.Message, "i/o timeout"):
		ee.Code = run.CodeConnection
		ee.Message = "the Kubernetes cluster cannot be reached (check KUBECONFIG, runtime.kubeconfig or runtime.context): " + ee.Message
	case strings.Contains(ee.Message, "exceeded its progress deadline"), strings.Contains(ee.Message, "timed out waiting"):
		ee.Code = run.CodeTimeout
		ee.Message = "the rollout did not complete in time: " + ee.Message
	}
	return ee
}

var applyLine = regexp.MustCompile(`^(\S+/\S+) (created|configured|unchanged|serverside-applied|deleted)`)

// applyStatus reads kubectl apply's "kind/name verb" lines.
func applyStatus(out string) map[string]any {
	var resources []any
	counts := map[string]int64{}
	for _, l := range strings.Split(out, "\n") {
		if m := applyLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			resources = append(resources, map[string]any{"resource": m[1], "action": m[2]})
			counts[m[2]]++
		}
	}
	res := map[string]any{"resources": resources, "changed": counts["created"]+counts["configured"]+counts["serverside-applied"] > 0}
	for k, v := range counts {
		res[k] = v
	}
	return res
}

// rolloutResult reads the workload after a rollout: its revision, images
// and ready replicas.
func (k kubectl) rolloutResult(ctx context.Context, s *settings) (map[string]any, error) {
	argv := append(k.base(s), "get", s.str("resource"), "-o", "json")
	out, err := proc.Tool{Req: s.req, Quiet: true}.Output(ctx, nil, argv...)
	if err != nil {
		return nil, k.explain(err, s)
	}
	var obj struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
			Generation  int64             `json:"generation"`
		} `json:"metadata"`
		Spec struct {
			Replicas *int64 `json:"replicas"`
			Template struct {
				Spec struct {
					Containers []struct {
						Name  string `json:"name"`
						Image string `json:"image"`
					} `json:"containers"`
				} `json:"spec"`
			} `json:"template"`
		} `json:"spec"`
		Status struct {
			ReadyReplicas   int64 `json:"readyReplicas"`
			UpdatedReplicas int64 `json:"updatedReplicas"`
			Replicas        int64 `json:"replicas"`
		} `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &obj); err != nil {
		return nil, executor.Errorf(run.CodeUnclassified, false, "kubectl get printed no JSON: %v", err)
	}
	var images []any
	for _, c := range obj.Spec.Template.Spec.Containers {
		images = append(images, c.Image)
	}
	rev, _ := strconv.ParseInt(obj.Metadata.Annotations["deployment.kubernetes.io/revision"], 10, 64)
	res := map[string]any{"resource": s.str("resource"), "revision": rev, "images": images,
		"ready_replicas": obj.Status.ReadyReplicas, "updated_replicas": obj.Status.UpdatedReplicas, "replicas": obj.Status.Replicas}
	if len(images) > 0 {
		res["image"] = images[0]
	}
	return res, nil
}

var historyLine = regexp.MustCompile(`(?m)^(\d+)\s`)

func revisions(out string) []any {
	var revs []any
	for _, m := range historyLine.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		revs = append(revs, n)
	}
	return revs
}
