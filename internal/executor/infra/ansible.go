package infra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/proc"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

// ansible runs ansible-playbook (action playbook, the default) and
// ansible -m ping (action ping). extra_vars go to ansible in a JSON file
// (-e @FILE), so no value, secret or not, is in the argument list.
type ansible struct{}

var ansibleActions = []string{"playbook", "ping"}

func (ansible) check(rt map[string]any, action string) []executor.Problem {
	str := func(k string) string { s, _ := rt[k].(string); return s }
	switch action {
	case "", "playbook", "run":
		if str("playbook") == "" {
			return problem("runtime", "ansible needs runtime.playbook", "add playbook: site.yml")
		}
	case "ping":
	default:
		return unknownAction("ansible", action, ansibleActions)
	}
	if v, ok := rt["extra_vars"]; ok {
		if _, isMap := v.(map[string]any); !isMap {
			return problem("runtime.extra_vars", "extra_vars must be a map of NAME: value", "")
		}
	}
	return nil
}

// varsFile is where an attempt's extra_vars are written.
func varsFile(s *settings) string {
	return filepath.Join(firstNonEmpty(s.req.TempDir, os.TempDir()), fmt.Sprintf("%s.%d.ansible-vars.json", s.req.NodeID, s.req.Attempt))
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

func (ansible) argv(s *settings, action string) []string {
	var argv []string
	if action == "ping" {
		argv = []string{"ansible", firstNonEmpty(s.str("group"), s.str("hosts"), "all"), "-m", "ping"}
	} else {
		argv = []string{"ansible-playbook"}
	}
	if inv := s.str("inventory"); inv != "" {
		argv = append(argv, "-i", inventory(s, inv))
	}
	if c := s.str("connection"); c != "" {
		argv = append(argv, "--connection", c)
	}
	if action != "ping" {
		if l := firstNonEmpty(s.str("limit"), s.str("group")); l != "" {
			argv = append(argv, "--limit", l)
		}
		for _, t := range s.list("tags") {
			argv = append(argv, "--tags", t)
		}
		if s.flag("check") {
			argv = append(argv, "--check")
		}
		if s.flag("diff") {
			argv = append(argv, "--diff")
		}
		if s.flag("become") {
			argv = append(argv, "--become")
		}
		if _, ok := s.req.Runtime["extra_vars"]; ok {
			argv = append(argv, "-e", "@"+varsFile(s))
		}
		argv = append(argv, s.path(s.str("playbook")))
	}
	return argv
}

// inventory is a path under the workdir, or a host list ("localhost,").
func inventory(s *settings, inv string) string {
	if strings.Contains(inv, ",") {
		return inv
	}
	return s.path(inv)
}

func (a ansible) describe(s *settings, action string) (string, error) {
	line := template.ShellJoin(a.argv(s, action))
	if _, ok := s.req.Runtime["extra_vars"]; ok && action != "ping" {
		keys := s.varNames()
		line += "  (extra_vars " + strings.Join(keys, ", ") + " in that file)"
	}
	return line, s.err
}

func (s *settings) varNames() []string {
	m, _ := s.req.Runtime["extra_vars"].(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeVars writes extra_vars, templates resolved, as JSON readable only
// by this user.
func (s *settings) writeVars() error {
	m, ok := s.req.Runtime["extra_vars"].(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for k, v := range m {
		if str, isStr := v.(string); isStr {
			e, err := s.req.Expand(str)
			if err != nil {
				return err
			}
			v = e
		}
		out[k] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		return executor.Errorf(run.CodeConfig, false, "extra_vars: %v", err)
	}
	return os.WriteFile(varsFile(s), b, 0o600)
}

func (a ansible) execute(ctx context.Context, s *settings, action string) (map[string]any, error) {
	argv := a.argv(s, action)
	if s.err != nil {
		return nil, s.err
	}
	if action != "ping" {
		if err := s.writeVars(); err != nil {
			return nil, err
		}
		defer os.Remove(varsFile(s))
	}
	env := append(append([]string{}, s.req.Env...), "ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0", "ANSIBLE_RETRY_FILES_ENABLED=0")
	out, err := proc.Tool{Req: s.req, Env: env}.Output(ctx, nil, argv...)
	if action == "ping" {
		res := pingResult(out)
		if err != nil {
			var ee *executor.Error
			if errors.As(err, &ee) {
				ee.Outputs = res
			}
			return nil, err
		}
		return res, nil
	}
	stats := recap(out)
	if err != nil {
		var ee *executor.Error
		if errors.As(err, &ee) {
			ee.Outputs = stats
		}
		return nil, err
	}
	return named(s.req, "playbook_result", stats["result"], stats), nil
}

var (
	recapLine = regexp.MustCompile(`(?m)^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$`)
	pingLine  = regexp.MustCompile(`(?m)^(\S+) \| (SUCCESS|UNREACHABLE!|FAILED!)`)
)

// recap reads the PLAY RECAP: per host counts, their totals, and a
// one-word result (changed, ok, failed, unreachable).
func recap(out string) map[string]any {
	hosts := map[string]any{}
	total := map[string]int{}
	if i := strings.LastIndex(out, "PLAY RECAP"); i >= 0 {
		for _, m := range recapLine.FindAllStringSubmatch(out[i:], -1) {
			counts := map[string]any{}
			for _, kv := range strings.Fields(m[2]) {
				k, v, _ := strings.Cut(kv, "=")
				n, _ := strconv.Atoi(v)
				counts[k] = n
				total[k] += n
			}
			hosts[m[1]] = counts
		}
	}
	result := "ok"
	switch {
	case total["unreachable"] > 0:
		result = "unreachable"
	case total["failures"]+total["failed"] > 0:
		result = "failed"
	case total["changed"] > 0:
		result = "changed"
	}
	return map[string]any{"hosts": hosts, "result": result, "changed_tasks": total["changed"], "ok_tasks": total["ok"],
		"failed_tasks": total["failed"] + total["failures"], "unreachable_hosts": total["unreachable"]}
}

// pingResult lists the hosts that answered and those that did not.
func pingResult(out string) map[string]any {
	reachable, unreachable := []any{}, []any{}
	for _, m := range pingLine.FindAllStringSubmatch(out, -1) {
		if m[2] == "SUCCESS" {
			reachable = append(reachable, m[1])
		} else {
			unreachable = append(unreachable, m[1])
		}
	}
	return map[string]any{"reachable_hosts": reachable, "unreachable_hosts": unreachable}
}
