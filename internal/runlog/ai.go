package runlog

import (
	"bytes"
	"math"
	"sort"

	"github.com/osopdev/osop/internal/run"
)

// What agent attempts add to the record, in the published schema's words:
// ai_metadata, tools_used and tool_calls on the node record, and the
// run's cost with a per-node breakdown where a model's price is known.

type aiMetadata struct {
	Provider         string   `json:"provider,omitempty"`
	Model            string   `json:"model,omitempty"`
	PromptTokens     int64    `json:"prompt_tokens"`
	CompletionTokens int64    `json:"completion_tokens"`
	Calls            int      `json:"calls,omitempty"`
	CostUSD          *float64 `json:"cost_usd,omitempty"`
	Delegated        bool     `json:"delegated,omitempty"`
}

type toolUsage struct {
	Tool  string `json:"tool"`
	Calls int    `json:"calls"`
}

type toolCall struct {
	Tool       string         `json:"tool"`
	StartedAt  string         `json:"started_at"`
	EndedAt    string         `json:"ended_at"`
	DurationMS int64          `json:"duration_ms"`
	Status     string         `json:"status"`
	Input      map[string]any `json:"input"`
	Output     string         `json:"output"`
	IsError    bool           `json:"is_error"`
}

// renderAI writes the node record's agent fields.
func (r *Record) renderAI(b *bytes.Buffer, in string) {
	u := r.Usage
	if u == nil {
		return
	}
	b.WriteString(in + "ai_metadata: ")
	flow(b, aiMetadata{Provider: u.Provider, Model: u.Model, PromptTokens: u.PromptTokens,
		CompletionTokens: u.CompletionTokens, Calls: u.Calls, CostUSD: u.CostUSD, Delegated: u.Delegated})
	b.WriteByte('\n')
	if len(u.ToolCalls) == 0 {
		return
	}
	counts := map[string]int{}
	calls := make([]toolCall, len(u.ToolCalls))
	for i, c := range u.ToolCalls {
		counts[c.Tool]++
		status := "COMPLETED"
		if c.IsError {
			status = "FAILED"
		}
		calls[i] = toolCall{Tool: c.Tool, StartedAt: stamp(c.Started), EndedAt: stamp(c.Started.Add(c.Duration)),
			DurationMS: c.Duration.Milliseconds(), Status: status, Input: truncated(c.Input), IsError: c.IsError,
			Output: cut(c.Output).(string)}
		if calls[i].Input == nil { // the schema wants an object
			calls[i].Input = map[string]any{}
		}
	}
	used := make([]toolUsage, 0, len(counts))
	for t, n := range counts {
		used = append(used, toolUsage{Tool: t, Calls: n})
	}
	sort.Slice(used, func(i, j int) bool { return used[i].Tool < used[j].Tool })
	b.WriteString(in + "tools_used: ")
	flow(b, used)
	b.WriteString("\n" + in + "tool_calls: ")
	flow(b, calls)
	b.WriteByte('\n')
}

// nano rounds dollars to a billionth, so sums do not show float noise.
func nano(x float64) float64 { return math.Round(x*1e9) / 1e9 }

type costEntry struct {
	NodeID  string  `json:"node_id"`
	CostUSD float64 `json:"cost_usd"`
}

// renderCost writes the run's cost: the sum over every attempt whose
// model has a known price, and each node's share, in the order the nodes
// first ran. Nothing is written when no attempt had a price.
func (d *document) renderCost(b *bytes.Buffer) {
	var order []string
	per := map[string]float64{}
	for _, r := range d.NodeRecords {
		if r.Usage == nil || r.Usage.CostUSD == nil {
			continue
		}
		if _, seen := per[r.NodeID]; !seen {
			order = append(order, r.NodeID)
		}
		per[r.NodeID] += *r.Usage.CostUSD
	}
	if len(order) == 0 {
		return
	}
	total := 0.0
	entries := make([]costEntry, len(order))
	for i, id := range order {
		entries[i] = costEntry{NodeID: id, CostUSD: nano(per[id])}
		total += per[id]
	}
	total = nano(total)
	b.WriteString("cost: ")
	flow(b, map[string]any{"total_usd": total, "currency": "USD", "breakdown": entries})
	b.WriteByte('\n')
}

// usageOf returns the usage an event carries for a finished attempt.
func usageOf(e run.Event) *run.Usage { return e.Usage }
