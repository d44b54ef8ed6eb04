package all

import (
	"testing"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
)

// TestManual asks the standard registry which nodes are manual steps: a
// node that gives nothing its executor runs, of any type, and a human node
// that asks no decision; never one that gives a command, URL, query, tool
// call or known action, nor a node that only structures the graph.
func TestManual(t *testing.T) {
	rt := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name   string
		node   executor.NodeConfig
		manual bool
	}{
		{"cli with a command", executor.NodeConfig{Type: "cli", Runtime: rt("command", "make")}, false},
		{"cli with an empty command (Check refuses it)", executor.NodeConfig{Type: "cli", Runtime: rt("command", "")}, false},
		{"cli with a list command", executor.NodeConfig{Type: "cli", Runtime: rt("command", []any{"make"})}, false},
		{"cli without a command", executor.NodeConfig{Type: "cli", Runtime: rt("shell", "bash")}, true},
		{"cli with nothing", executor.NodeConfig{Type: "cli", Runtime: rt()}, true},
		{"git commit (native)", executor.NodeConfig{Type: "git", Runtime: rt("action", "commit")}, false},
		{"git with an action osop does not know", executor.NodeConfig{Type: "git", Subtype: "pr", Runtime: rt("action", "open-pr")}, true},
		{"api with a url", executor.NodeConfig{Type: "api", Runtime: rt("url", "https://x")}, false},
		{"api naming an endpoint only", executor.NodeConfig{Type: "api", Runtime: rt("endpoint", "/users")}, true},
		{"db with a query", executor.NodeConfig{Type: "db", Runtime: rt("query", "SELECT 1")}, false},
		{"db with statements", executor.NodeConfig{Type: "db", Runtime: rt("statements", []any{"SELECT 1"})}, false},
		{"db naming a table", executor.NodeConfig{Type: "db", Runtime: rt("table", "users")}, true},
		{"mcp with a tool", executor.NodeConfig{Type: "mcp", Runtime: rt("tool", "search", "server", "x")}, false},
		{"mcp without a tool", executor.NodeConfig{Type: "mcp", Runtime: rt("server", "x")}, true},
		{"system file operation", executor.NodeConfig{Type: "system", Runtime: rt("file", map[string]any{})}, false},
		{"system router (native)", executor.NodeConfig{Type: "system", Subtype: "router", Runtime: rt()}, false},
		{"system that names nothing", executor.NodeConfig{Type: "system", Runtime: rt()}, true},
		{"data transform", executor.NodeConfig{Type: "data", Runtime: rt("transform", "{}")}, false},
		{"data with a tool", executor.NodeConfig{Type: "data", Runtime: rt("tool", "pandas")}, true},
		{"docker build", executor.NodeConfig{Type: "docker", Runtime: rt("action", "build")}, false},
		{"docker compose-pull (native)", executor.NodeConfig{Type: "docker", Runtime: rt("action", "compose-pull")}, false},
		{"docker with an unknown action", executor.NodeConfig{Type: "docker", Runtime: rt("action", "teleport")}, true},
		{"infra kubectl apply", executor.NodeConfig{Type: "infra", Runtime: rt("tool", "kubectl", "action", "apply")}, false},
		{"infra ansible (native)", executor.NodeConfig{Type: "infra", Runtime: rt("tool", "ansible")}, false},
		{"infra with a tool osop does not run", executor.NodeConfig{Type: "infra", Runtime: rt("tool", "pulumi")}, true},
		{"agent", executor.NodeConfig{Type: "agent", Runtime: rt()}, false},
		{"gateway", executor.NodeConfig{Type: "gateway", Runtime: rt()}, false},
		{"event", executor.NodeConfig{Type: "event", Runtime: rt()}, false},
		{"an unknown type", executor.NodeConfig{Type: "robot", Runtime: rt()}, true},
		{"human that does work", executor.NodeConfig{Type: "human", Purpose: "Pick the items", Runtime: rt()}, true},
		{"human input", executor.NodeConfig{Type: "human", Subtype: "input", Purpose: "Enter the figures", Runtime: rt()}, true},
		{"human approval subtype", executor.NodeConfig{Type: "human", Subtype: "approval", Purpose: "Ship", Runtime: rt()}, false},
		{"human review subtype", executor.NodeConfig{Type: "human", Subtype: "Review", Runtime: rt()}, false},
		{"human with an approval gate", executor.NodeConfig{Type: "human", Approval: true, Runtime: rt()}, false},
		{"human with options", executor.NodeConfig{Type: "human", Runtime: rt("options", []any{"a", "b"})}, false},
		{"human with approvers", executor.NodeConfig{Type: "human", Runtime: rt("approvers", []any{"x"})}, false},
		{"human declaring a decision", executor.NodeConfig{Type: "human", Outputs: []string{"decision"}, Runtime: rt()}, false},
		{"human asking a question", executor.NodeConfig{Type: "human", Purpose: "Release it?", Runtime: rt()}, false},
		{"human about approving", executor.NodeConfig{Type: "human", Purpose: "Manager approves the invoice", Runtime: rt()}, false},
		{"human deciding", executor.NodeConfig{Type: "human", Purpose: "Decide whether to ship", Runtime: rt()}, false},
	}
	r := Registry()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.node.ID = "n"
			if got := r.Manual(tt.node); got != tt.manual {
				t.Fatalf("Manual = %v, want %v", got, tt.manual)
			}
			ex, ok := r.For(tt.node)
			if !ok {
				t.Fatal("For found no executor")
			}
			_, isManual := ex.(interface {
				Describe(*executor.Request) (string, error)
			})
			if !isManual {
				t.Fatalf("For gave %T, which cannot describe itself", ex)
			}
			ps := r.Check(tt.node)
			if tt.manual && (len(ps) != 1 || ps[0].Severity != diag.Info) {
				t.Errorf("Check of a manual step = %+v, want one note that it is a step for a person", ps)
			}
		})
	}
}

// TestManual_withoutManualExecutor: a registry with no manual-step
// executor has no manual steps; nodes are refused as before.
func TestManual_withoutManualExecutor(t *testing.T) {
	r := executor.NewRegistry()
	if r.Manual(executor.NodeConfig{Type: "cli"}) {
		t.Fatal("a registry without SetManual called a node manual")
	}
	if _, ok := r.For(executor.NodeConfig{Type: "cli"}); ok {
		t.Fatal("For found an executor in an empty registry")
	}
}
