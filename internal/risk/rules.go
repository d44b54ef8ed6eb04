package risk

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/osopdev/osop/internal/ast"
)

// Rules are the risk rule ids and what each finds. The ids never change;
// RISK-001 … RISK-008 mean what they mean in the OSOP editor and the
// Python tools.
var Rules = map[string]string{
	"RISK-001": "a step marked security.risk_level high or critical with no approval gate on it or before it",
	"RISK-002": "broad permissions (write:*, delete:*, admin:*, *:*, root, sudo) in security.permissions",
	"RISK-003": "a destructive command: rm -rf on a broad path, terraform destroy, kubectl delete, helm uninstall, DROP/TRUNCATE/DELETE without WHERE, git push --force, git reset --hard, mkfs, dd to a device, docker system prune",
	"RISK-004": "a secret written in the clear in the file (an API key, token, password or private key, a password in a URL)",
	"RISK-005": "more than two agent steps with no cost estimate (cost.estimated): spending has no bound the file states",
	"RISK-006": "segregation of duties: two steps that must be done by different people share a role",
	"RISK-007": "a step marked risk_level medium or above with no fallback, error edge or retry policy",
	"RISK-008": "an external operation (api, cli, agent, infra, mcp, db) with no timeout",
	"RISK-009": "a download run by a shell: curl or wget piped into sh/bash/python, or bash <(curl …), sh -c \"$(curl …)\"",
	"RISK-010": "a loop with no bound: a loop edge with no max_iterations",
	"RISK-011": "a step that changes production with no approval gate on it or before it",
	"RISK-012": "an agent allowed a shell (allow_shell, a shell tool) with no approval gate on it or before it",
	"RISK-013": "a plain-HTTP (http://) call to a host other than this machine: data and credentials travel unencrypted",
}

type assessor struct {
	w     *ast.Workflow
	lines []string
	found []Finding
	// outs are each node's outgoing edges.
	outs map[string][]*ast.Edge
	// gated holds the nodes an approval precedes (approvedBefore),
	// computed when first asked.
	gated map[string]bool
}

func (a *assessor) index() {
	a.outs = map[string][]*ast.Edge{}
	for _, e := range a.w.Edges {
		a.outs[e.From.V] = append(a.outs[e.From.V], e)
	}
}

func (a *assessor) add(rule string, sev Severity, n *ast.Node, at *ast.Value, summary, detail string) {
	f := Finding{Rule: rule, Severity: sev, Summary: summary, Detail: detail}
	if n != nil {
		f.Node = n.ID.V
		f.Range = n.ID.R
	}
	if at != nil && at.Range.IsValid() {
		f.Range = at.Range
	}
	if !f.Range.IsValid() {
		f.Range.File = a.w.File
	}
	a.found = append(a.found, f)
}

// isApproval reports whether n is a step where a person decides.
func isApproval(n *ast.Node) bool {
	if n.Approval != nil && n.Approval.Required {
		return true
	}
	return n.Type.V == "human"
}

// approvedBefore reports whether a person decides on n or on a step
// every run passes before it (any ancestor, as the editor reads it).
func (a *assessor) approvedBefore(n *ast.Node) bool {
	if isApproval(n) {
		return true
	}
	if a.gated == nil {
		a.gated = a.downstreamOfApprovals()
	}
	return a.gated[n.ID.V]
}

// downstreamOfApprovals returns every node that an approval precedes:
// one walk forward from all approvals at once, so that asking for each
// node of a large workflow costs O(nodes + edges) in all, not a walk of
// each node's ancestors (quadratic on a long chain). As the walk back
// did, it goes only through nodes the workflow declares.
func (a *assessor) downstreamOfApprovals() map[string]bool {
	gated := map[string]bool{}
	var queue []string
	for _, n := range a.w.Nodes {
		if isApproval(n) {
			queue = append(queue, n.ID.V)
		}
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] {
			continue
		}
		seen[id] = true
		for _, e := range a.outs[id] {
			for _, t := range e.Targets() {
				if a.w.Node(t.V) != nil && !gated[t.V] {
					gated[t.V] = true
					queue = append(queue, t.V)
				}
			}
		}
	}
	return gated
}

// node runs the per-node rules.
func (a *assessor) node(n *ast.Node) {
	a.riskLevel(n)
	a.permissions(n)
	a.commands(n)
	a.infraAction(n)
	a.sql(n)
	a.secrets(n)
	a.timeout(n)
	a.production(n)
	a.agentShell(n)
	a.plainHTTP(n)
}

func securityString(n *ast.Node, key string) (string, *ast.Value) {
	v := n.Security.Get(key)
	s, _ := v.String()
	return strings.ToLower(strings.TrimSpace(s)), v
}

// riskLevel: RISK-001 and RISK-007.
func (a *assessor) riskLevel(n *ast.Node) {
	level, v := securityString(n, "risk_level")
	if (level == "high" || level == "critical") && !a.approvedBefore(n) {
		sev := High
		if level == "critical" {
			sev = Critical
		}
		a.add("RISK-001", sev, n, v, fmt.Sprintf("step %q is marked risk_level %s and nothing approves it", n.ID.V, level),
			"add approval_gate: {required: true} to the step, or a human approval step before it")
	}
	if level == "medium" || level == "high" || level == "critical" {
		handled := n.Retry != nil
		for _, e := range a.outs[n.ID.V] {
			handled = handled || e.IsFailurePath()
		}
		if !handled {
			a.add("RISK-007", Medium, n, v, fmt.Sprintf("step %q is marked risk_level %s and nothing handles its failure", n.ID.V, level),
				"add a fallback or error edge from it, or a retry_policy")
		}
	}
}

var broadPermission = regexp.MustCompile(`^(write:\*|delete:\*|admin:\*|\*:\*|\*|root|sudo)$`)

// permissions: RISK-002.
func (a *assessor) permissions(n *ast.Node) {
	for _, p := range items(n.Security.Get("permissions")) {
		if s, ok := p.String(); ok && broadPermission.MatchString(strings.TrimSpace(s)) {
			a.add("RISK-002", High, n, p, fmt.Sprintf("step %q asks for the broad permission %q", n.ID.V, s),
				"name the resources it needs: write:deployments rather than write:*")
		}
	}
}

var externalTypes = map[string]bool{"api": true, "cli": true, "agent": true, "infra": true, "mcp": true, "db": true}

// timeout: RISK-008.
func (a *assessor) timeout(n *ast.Node) {
	if !externalTypes[n.Type.V] || n.Timeout != nil || a.w.Timeout != nil {
		return
	}
	a.add("RISK-008", Low, n, nil, fmt.Sprintf("%s step %q has no timeout", n.Type.V, n.ID.V),
		"set timeout_sec (or timeout: \"10m\") so a hung call cannot hold the run forever")
}

// workflowRules are the rules over the whole workflow.
func (a *assessor) workflowRules() {
	var unbounded []*ast.Node
	for _, n := range a.w.Nodes {
		if n.Type.V == "agent" && n.Raw.Lookup([]string{"cost", "estimated"}) == nil {
			unbounded = append(unbounded, n)
		}
	}
	if len(unbounded) > 2 {
		a.add("RISK-005", Medium, unbounded[0], nil, fmt.Sprintf("%d agent steps have no cost estimate", len(unbounded)),
			"add cost.estimated to each agent step, and run with --max-cost to stop before a model call would pass a limit")
	}
	a.segregation()
	a.loops()
	a.workflowSecrets()
}

// segregation: RISK-006.
func (a *assessor) segregation() {
	for _, n := range a.w.Nodes {
		for _, o := range items(n.Raw.Lookup([]string{"actors", "segregation_from"})) {
			id, _ := o.String()
			other := a.w.Node(id)
			if other != nil && n.Role.V != "" && n.Role.V == other.Role.V {
				a.add("RISK-006", High, n, o, fmt.Sprintf("steps %q and %q must be done by different people but share the role %q", n.ID.V, id, n.Role.V),
					"give them different roles")
			}
		}
	}
}

// loops: RISK-010.
func (a *assessor) loops() {
	for _, e := range a.w.Edges {
		if e.Mode.V != "loop" || e.MaxIterations > 0 || e.ForEach.V != "" {
			continue
		}
		if t := a.w.Node(e.To.V); t != nil && t.Raw.Get("max_iterations") != nil {
			continue
		}
		f := Finding{Rule: "RISK-010", Severity: Medium, Range: e.Mode.R,
			Summary: fmt.Sprintf("loop %s → %s has no max_iterations", e.From.V, e.To.V),
			Detail:  "add max_iterations to the edge; without it the run stops the loop only at osop's default bound"}
		if !f.Range.IsValid() {
			f.Range = e.Range
		}
		a.found = append(a.found, f)
	}
}

var productionWord = regexp.MustCompile(`(?i)^(prod|production|live)$`)

// productionKeys are runtime fields that name where a step acts.
var productionKeys = []string{"environment", "env", "namespace", "context", "stage", "target", "cluster", "workspace", "overlay"}

// production: RISK-011.
func (a *assessor) production(n *ast.Node) {
	if a.approvedBefore(n) || n.Type.V == "human" {
		return
	}
	if at := productionTarget(n); at != nil {
		a.add("RISK-011", Medium, n, at, fmt.Sprintf("step %q acts on production and nothing approves it first", n.ID.V),
			"add approval_gate: {required: true} to the step, or a human approval step before it")
	}
}

// productionTarget returns the field that points n at production, or nil.
func productionTarget(n *ast.Node) *ast.Value {
	for _, k := range productionKeys {
		v := n.Runtime.Get(k)
		s, ok := v.String()
		if ok && (productionWord.MatchString(strings.TrimSpace(s)) || strings.HasSuffix(s, "/production")) {
			return v
		}
	}
	return nil
}

// agentShell: RISK-012.
func (a *assessor) agentShell(n *ast.Node) {
	if n.Type.V != "agent" || a.approvedBefore(n) {
		return
	}
	at := n.Runtime.Get("allow_shell")
	if at == nil || !at.Bool {
		at = nil
		for _, t := range items(n.Runtime.Get("tools")) {
			if s, _ := t.String(); s == "shell" || s == "bash" {
				at = t
			}
		}
	}
	if at != nil {
		a.add("RISK-012", High, n, at, fmt.Sprintf("agent %q may run shell commands and no person approves it", n.ID.V),
			"add approval_gate: {required: true} to the agent step, or a human step before it; or take the shell away")
	}
}

// plainHTTP: RISK-013, for api nodes' URLs (commands are checked with
// their calls).
func (a *assessor) plainHTTP(n *ast.Node) {
	for _, k := range []string{"url", "endpoint", "base_url"} {
		v := n.Runtime.Get(k)
		if s, ok := v.String(); ok && plainRemote(s) {
			a.add("RISK-013", Medium, n, v, fmt.Sprintf("step %q calls %s over plain HTTP", n.ID.V, redactURL(s)),
				"use https://")
		}
	}
}

// plainRemote reports whether s is an http:// URL to another machine.
func plainRemote(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(strings.ToLower(s), "http://") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return true
	}
	h := u.Hostname()
	return !(h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.") || h == "0.0.0.0" ||
		strings.HasSuffix(h, ".localhost") || strings.Contains(h, "{") || strings.Contains(h, "$"))
}

// items returns a list's items; nothing for nil or a non-list.
func items(v *ast.Value) []*ast.Value {
	if !v.IsList() {
		return nil
	}
	return v.Items
}

// redactURL hides a password written in a URL, for messages.
func redactURL(s string) string {
	if u, err := url.Parse(strings.TrimSpace(s)); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}
