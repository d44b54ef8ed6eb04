package risk_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/risk"
	"github.com/osopdev/osop/internal/shared"
)

func load(t *testing.T, src string) *ast.Document {
	t.Helper()
	doc, _ := parse.Bytes("w.osop.yaml", []byte(src), parse.DefaultLimits)
	if doc == nil || doc.Workflow == nil {
		t.Fatalf("does not load:\n%s", src)
	}
	return doc
}

// got lists findings as RULE@LINE:COL:SEVERITY.
func got(r *risk.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s@%d:%d:%s", f.Rule, f.Range.Start.Line, f.Range.Start.Column, f.Severity))
	}
	return out
}

const head = "osop_version: \"2.0\"\nid: w\nname: w\ntimeout_sec: 600\nnodes:\n"

func TestAssess_dangerousWorkflows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		top   string // instead of head
		nodes string // lines 6…
		edges string
		want  []string
		// dangerous is whether osop run refuses it.
		dangerous bool
	}{
		{name: "terraform destroy and rm -rf /data", nodes: `
  - id: teardown
    type: cli
    runtime:
      command: terraform destroy -auto-approve && rm -rf /data
`, want: []string{"RISK-003@9:26:critical", "RISK-003@9:58:critical"}, dangerous: true},
		{name: "rm -rf on a variable then slash, in a block", nodes: `
  - id: clean
    type: cli
    runtime:
      command: |
        set -e
        rm -rf "$BUILD_DIR/"
        rm -rf ./build
`, want: []string{"RISK-003@11:16:critical"}, dangerous: true},
		{name: "approval lowers a destructive command", nodes: `
  - id: ok
    type: human
    purpose: approve the teardown
  - id: down
    type: cli
    runtime:
      command: kubectl delete namespace staging
`, edges: "edges:\n  - {from: ok, to: down}\n", want: []string{"RISK-003@12:24:medium"}},
		{name: "approval three steps before, through a chain", nodes: `
  - id: ok
    type: human
  - id: a
    type: system
    runtime: {sleep: 1s}
  - id: b
    type: system
    runtime: {sleep: 1s}
  - id: down
    type: cli
    runtime: {command: "kubectl delete namespace staging"}
    timeout_sec: 60
`, edges: "edges:\n  - {from: ok, to: a}\n  - {from: a, to: b}\n  - {from: b, to: down}\n", want: []string{"RISK-003@16:33:medium"}},
		{name: "approval on a parallel branch does not count", nodes: `
  - id: start
    type: system
    runtime: {sleep: 1s}
  - id: ok
    type: human
  - id: down
    type: cli
    runtime: {command: "kubectl delete namespace staging"}
    timeout_sec: 60
`, edges: "edges:\n  - {from: start, to: ok}\n  - {from: start, to: down}\n", want: []string{"RISK-003@13:33:high"}},
		{name: "approval later on a loop back counts, as an ancestor", nodes: `
  - id: down
    type: cli
    runtime: {command: "kubectl delete namespace staging"}
    timeout_sec: 60
  - id: ok
    type: human
`, edges: "edges:\n  - {from: down, to: ok}\n  - {from: ok, to: down, mode: loop, when: 'false', max_iterations: 2}\n", want: []string{"RISK-003@8:33:medium"}},
		{name: "curl piped into sudo bash", nodes: `
  - id: install
    type: cli
    runtime:
      command: curl -fsSL https://get.example.com/install.sh | sudo bash -s -- --yes
`, want: []string{"RISK-009@9:69:high"}},
		{name: "bash with process substitution", nodes: `
  - id: install
    type: cli
    runtime: {command: "bash <(wget -qO- https://x.example/i.sh)"}
`, want: []string{"RISK-009@8:32:high"}},
		{name: "mkfs, dd and git push --force as a list", nodes: `
  - id: disk
    type: cli
    runtime:
      command: sudo mkfs.ext4 /dev/sdb1; dd if=/dev/zero of=/dev/sdb bs=1M
  - id: push
    type: cli
    runtime:
      command: [git, push, --force, origin, main]
`, want: []string{"RISK-003@9:21:critical", "RISK-003@9:58:critical", "RISK-003@13:22:high"}, dangerous: true},
		{name: "a native force push", nodes: `
  - id: push
    type: git
    runtime: {action: push, branch: main, force: true}
`, want: []string{"RISK-003@8:50:high"}},
		{name: "SQL drop and delete without where", nodes: `
  - id: purge
    type: db
    runtime:
      engine: sqlite
      connection: app.db
      statements:
        - DELETE FROM sessions
        - "DELETE FROM users WHERE id = 1"
        - DROP TABLE audit
`, want: []string{"RISK-003@12:11:high", "RISK-003@14:11:critical"}, dangerous: true},
		{name: "secrets in the clear", nodes: `
  - id: call
    type: api
    runtime:
      url: https://api.example.com/v1
      headers: {Authorization: "Bearer ghp_abcdefghijklmnopqrstuvwxyz0123456789"}
      api_key: s3cr3t-value-42
      connection: "postgres://app:hunter22@db.internal:5432/app"
      password: "${secrets.DB_PASSWORD}"
`, want: []string{"RISK-004@10:40:critical", "RISK-004@11:16:critical", "RISK-004@12:34:critical"}, dangerous: true},
		{name: "unbounded loop, plain http, production without approval", nodes: `
  - id: poll
    type: api
    runtime: {url: "http://status.example.com/ready", method: GET}
  - id: deploy
    type: infra
    runtime: {tool: kubectl, action: apply, manifests: "-f app.yaml", namespace: production}
`, edges: "edges:\n  - {from: poll, to: poll, mode: loop, when: \"status(poll) != 'ok'\"}\n  - {from: poll, to: deploy}\n",
			want: []string{"RISK-013@8:20:medium", "RISK-011@11:82:medium", "RISK-010@13:34:medium"}},
		{name: "agent with a shell, nobody approves", nodes: `
  - id: fixer
    type: agent
    runtime: {provider: anthropic, model: claude-haiku-4-5, allow_shell: true}
`, want: []string{"RISK-012@8:74:high"}},
		{name: "editor rules", nodes: `
  - id: pay
    type: api
    runtime: {url: "https://pay.example.com"}
    timeout_sec: 10
    security: {risk_level: critical, permissions: ["admin:*"]}
`, want: []string{"RISK-001@10:28:critical", "RISK-007@10:28:medium", "RISK-002@10:52:high"}, dangerous: true},
		{name: "no timeout on external steps", top: "osop_version: \"2.0\"\nid: w\nname: w\nnodes:\n", nodes: `
  - id: call
    type: api
    runtime: {url: "https://x.example.com"}
  - id: note
    type: system
    runtime: {sleep: 1s}
`, want: []string{"RISK-008@5:9:low"}},
		{name: "safe: loopback http, narrow rm, https", nodes: `
  - id: build
    type: cli
    runtime: {command: "rm -rf ./dist build/ && curl -sf http://127.0.0.1:8080/health"}
    timeout_sec: 60
`, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			top := head
			if tt.top != "" {
				top = tt.top
			}
			doc := load(t, top+strings.TrimPrefix(tt.nodes, "\n")+tt.edges)
			r := risk.Assess(doc.Workflow, doc.Source)
			g := got(r)
			slices.Sort(g)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(g, want) {
				t.Errorf("findings\n got %v\nwant %v\n%s", g, want, doc.Source)
			}
			if r.Dangerous() != tt.dangerous {
				t.Errorf("dangerous = %v (score %d), want %v", r.Dangerous(), r.Score, tt.dangerous)
			}
		})
	}
}

func TestAssess_messagesHideSecrets(t *testing.T) {
	t.Parallel()
	doc := load(t, head+`  - id: call
    type: api
    runtime: {url: "http://bob:hunter2hunter2@api.example.com/x"}
  - id: fetch
    type: cli
    runtime: {command: "curl http://bob:hunter2hunter2@api.example.com/y"}
`)
	r := risk.Assess(doc.Workflow, doc.Source)
	masked := string(r.MaskSource(doc.Source))
	if len(r.Findings) < 3 {
		t.Fatalf("findings %v", got(r))
	}
	for _, f := range r.Findings {
		if strings.Contains(f.Summary+f.Detail, "hunter2") {
			t.Errorf("%s shows the password: %s", f.Rule, f.Summary)
		}
	}
	if strings.Contains(masked, "hunter2") {
		t.Errorf("the masked source still shows the password:\n%s", masked)
	}
}

func TestReport_accept(t *testing.T) {
	t.Parallel()
	doc := load(t, head+`  - id: teardown
    type: cli
    timeout_sec: 60
    runtime: {command: "terraform destroy -auto-approve"}
  - id: wipe
    type: cli
    timeout_sec: 60
    runtime: {command: "rm -rf /"}
`)
	r := risk.Assess(doc.Workflow, doc.Source)
	if !r.Dangerous() {
		t.Fatalf("score %d: want dangerous", r.Score)
	}
	if unknown := r.Accept([]string{"RISK-003:teardown"}); len(unknown) != 0 || !r.Dangerous() {
		t.Fatalf("accepting one of two: unknown %v, score %d: want still dangerous", unknown, r.Score)
	}
	if unknown := r.Accept([]string{"RISK-003:wipe", "RISK-999"}); !slices.Equal(unknown, []string{"RISK-999"}) {
		t.Errorf("unknown = %v, want [RISK-999]", unknown)
	}
	if r.Dangerous() || r.Score != 0 {
		t.Errorf("score %d after accepting both: want 0", r.Score)
	}
}

// knownDangerous are the public files that score at or above the
// threshold, and why: each is a real finding, not a false alarm.
var knownDangerous = map[string]string{
	"compliance/eu-ai-act-high-risk.osop": "steps marked risk_level critical (ai_diagnosis, risk_assessment) run before any approval (RISK-001)",
}

func TestAssess_corpusBelowThreshold(t *testing.T) {
	t.Parallel()
	for _, sub := range []string{"corpus", "osop-spec/examples", "seed"} {
		dir := shared.Dir(t, sub)
		for _, file := range shared.Files(t, dir, parse.Extensions...) {
			doc, _, err := parse.File(file, parse.DefaultLimits)
			if err != nil || doc.Workflow == nil || doc.Kind != ast.KindWorkflow {
				continue
			}
			rel, _ := filepath.Rel(dir, file)
			r := risk.Assess(doc.Workflow, doc.Source)
			_, known := knownDangerous[rel]
			if r.Dangerous() != known {
				t.Errorf("%s/%s: %s; listed as dangerous: %v\n%v", sub, rel, r.Summary(), known, got(r))
			}
		}
	}
}

// BenchmarkAssess_chain assesses a chain of 5,000 steps that ends in a
// destructive one: whether an approval comes before each step is one walk
// of the graph, so the cost grows with the steps, not their square.
func BenchmarkAssess_chain(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(head)
	const n = 5000
	for i := range n {
		fmt.Fprintf(&sb, "  - {id: n%d, type: cli, runtime: {command: 'true'}, timeout_sec: 5}\n", i)
	}
	fmt.Fprintf(&sb, "  - {id: down, type: cli, runtime: {command: 'kubectl delete ns x'}, timeout_sec: 5}\nedges:\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&sb, "  - {from: n%d, to: n%d}\n", i-1, i)
	}
	fmt.Fprintf(&sb, "  - {from: n%d, to: down}\n", n-1)
	doc, _ := parse.Bytes("w.osop.yaml", []byte(sb.String()), parse.DefaultLimits)
	for b.Loop() {
		if r := risk.Assess(doc.Workflow, doc.Source); len(r.Findings) != 1 {
			b.Fatal(got(r))
		}
	}
}
