package run

import "time"

// Usage is what one attempt spent on language models and tools: the
// osoplog's ai_metadata, tool_calls and tools_used of a node record, and
// its share of the run's cost. Executors that call no model leave it nil.
type Usage struct {
	Provider         string `json:"provider,omitempty"`
	Model            string `json:"model,omitempty"`
	PromptTokens     int64  `json:"prompt_tokens,omitempty"`
	CompletionTokens int64  `json:"completion_tokens,omitempty"`
	// Calls counts the model calls (turns) the attempt made.
	Calls int `json:"calls,omitempty"`
	// CostUSD is the attempt's cost; nil when the model's price is not
	// known (a local model, a model missing from the price table).
	CostUSD *float64 `json:"cost_usd,omitempty"`
	// Delegated is set when an agent did a step the workflow leaves to a
	// person or says only what, not how (osop run --delegate agent).
	Delegated bool       `json:"delegated,omitempty"`
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
}

// ToolCall is one call an agent made to a tool, as the osoplog's
// tool_calls entries have it.
type ToolCall struct {
	Tool     string         `json:"tool"`
	Started  time.Time      `json:"started_at"`
	Duration time.Duration  `json:"duration_ns"`
	Input    map[string]any `json:"input,omitempty"`
	Output   string         `json:"output,omitempty"`
	IsError  bool           `json:"is_error,omitempty"`
}
