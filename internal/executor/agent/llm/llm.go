// Package llm is the conversation an agent node has with a language
// model, in terms that do not depend on a provider: messages, tool calls
// and their results, usage, and errors classified for retries. The
// anthropic and openai packages beside it speak it through the providers'
// official SDKs.
//
// It imports only the standard library.
package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Role says who wrote a message.
type Role string

// The roles of a conversation; the system prompt is apart.
const (
	User      Role = "user"
	Assistant Role = "assistant"
)

// Message is one turn. An assistant turn may call tools; the user turn
// after it carries their results.
type Message struct {
	Role      Role         `json:"role"`
	Text      string       `json:"text,omitempty"`
	ToolCalls []ToolCall   `json:"tool_calls,omitempty"`
	Results   []ToolResult `json:"tool_results,omitempty"`
}

// ToolCall is the model asking to run a tool.
type ToolCall struct {
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

// ToolResult is what a tool call gave back.
type ToolResult struct {
	CallID  string `json:"call_id"`
	Output  string `json:"output"`
	IsError bool   `json:"is_error,omitempty"`
}

// Tool is a tool the model may call, with a JSON Schema for its input.
type Tool struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Schema      map[string]any `json:"input_schema"`
}

// Request is one model call.
type Request struct {
	Model       string
	System      string
	Messages    []Message
	Tools       []Tool
	Temperature *float64
	MaxTokens   int64
	// Force names the one tool the model must call; with ForceAny, it must
	// call one of the tools (the answer, or a tool that helps it).
	Force    string
	ForceAny bool
	// OnText receives the answer's text as it streams.
	OnText func(string)
	// OnEvent is told each time the stream delivers something, so a
	// stalled stream can be noticed.
	OnEvent func()
}

// Response is the model's turn.
type Response struct {
	Text       string
	ToolCalls  []ToolCall
	Usage      Usage
	StopReason string
	Model      string // as the provider reports it
}

// Usage counts tokens.
type Usage struct {
	Input  int64 `json:"input_tokens"`
	Output int64 `json:"output_tokens"`
}

// Provider calls a model.
type Provider interface {
	Complete(ctx context.Context, req *Request) (*Response, error)
}

// APIError is an answer the provider refused or failed to give, after
// the SDK's own retries.
type APIError struct {
	Provider string
	Status   int // HTTP status; 0 when no answer came (a connection error)
	Message  string
	Err      error
}

func (e *APIError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: %s", e.Provider, e.Message)
	}
	return fmt.Sprintf("%s: HTTP %d: %s", e.Provider, e.Status, e.Message)
}

func (e *APIError) Unwrap() error { return e.Err }

// Retryable reports whether trying again later may help: rate limits,
// overload (529), server errors and connection failures.
func (e *APIError) Retryable() bool {
	return e.Status == 0 || e.Status == 408 || e.Status == 409 || e.Status == 429 || e.Status >= 500
}

// ErrMalformed marks an answer that could not be read (bad JSON, a
// stream cut short).
var ErrMalformed = errors.New("malformed answer")

// ErrNoCredentials marks a call that could not be made for want of a
// key: trying again does not help.
var ErrNoCredentials = errors.New("no credentials")
