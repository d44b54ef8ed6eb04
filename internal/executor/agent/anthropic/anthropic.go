// Package anthropic speaks the llm conversation to Anthropic's Messages
// API through the official Go SDK (github.com/anthropics/anthropic-sdk-go),
// streaming. Credentials and the address come from the SDK's own
// environment (ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, ANTHROPIC_BASE_URL,
// profiles) unless the node gives them; the SDK retries 408, 409, 429,
// 529 and other 5xx answers, honouring Retry-After.
package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	sdk "github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/osopdev/osop/internal/executor/agent/llm"
)

// Options configure a client; empty fields keep the SDK's defaults.
type Options struct {
	BaseURL    string
	APIKey     string
	MaxRetries int // the SDK's retries of a failed request; 0 keeps its default
	HTTPClient *http.Client
}

type provider struct{ c sdk.Client }

// New returns a provider.
func New(o Options) llm.Provider {
	var opts []option.RequestOption
	if o.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(o.HTTPClient))
	}
	if o.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(o.BaseURL))
	}
	if o.APIKey != "" {
		opts = append(opts, option.WithAPIKey(o.APIKey))
	}
	if o.MaxRetries > 0 {
		opts = append(opts, option.WithMaxRetries(o.MaxRetries))
	}
	return &provider{c: sdk.NewClient(opts...)}
}

func (p *provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	params, opts := p.params(req)
	stream := p.c.Messages.NewStreaming(ctx, params, opts...)
	defer stream.Close()
	var msg sdk.Message
	for stream.Next() {
		ev := stream.Current()
		if req.OnEvent != nil {
			req.OnEvent()
		}
		if err := msg.Accumulate(ev); err != nil {
			return nil, &llm.APIError{Provider: "anthropic", Message: "reading the stream: " + err.Error(), Err: llm.ErrMalformed}
		}
		if ev.Type == "content_block_delta" && ev.Delta.Type == "text_delta" && req.OnText != nil {
			req.OnText(ev.Delta.Text)
		}
	}
	if err := stream.Err(); err != nil {
		return nil, classify(ctx, err)
	}
	out := &llm.Response{StopReason: string(msg.StopReason), Model: string(msg.Model),
		Usage: llm.Usage{Input: msg.Usage.InputTokens + msg.Usage.CacheReadInputTokens + msg.Usage.CacheCreationInputTokens,
			Output: msg.Usage.OutputTokens}}
	for _, b := range msg.Content {
		switch b.Type {
		case "text":
			out.Text += b.Text
		case "tool_use":
			out.ToolCalls = append(out.ToolCalls, llm.ToolCall{ID: b.ID, Name: b.Name, Input: b.Input})
		}
	}
	return out, nil
}

func (p *provider) params(req *llm.Request) (sdk.MessageNewParams, []option.RequestOption) {
	params := sdk.MessageNewParams{Model: sdk.Model(req.Model), MaxTokens: req.MaxTokens}
	if req.System != "" {
		params.System = []sdk.TextBlockParam{{Text: req.System}}
	}
	for _, m := range req.Messages {
		params.Messages = append(params.Messages, message(m))
	}
	for _, t := range req.Tools {
		params.Tools = append(params.Tools, tool(t))
	}
	switch {
	case req.Force != "":
		params.ToolChoice = sdk.ToolChoiceParamOfTool(req.Force)
	case req.ForceAny:
		params.ToolChoice = sdk.ToolChoiceUnionParam{OfAny: &sdk.ToolChoiceAnyParam{}}
	}
	var opts []option.RequestOption
	if req.Temperature != nil {
		// The Messages API takes temperature; this SDK's params no
		// longer name it, so it is set on the JSON body.
		opts = append(opts, option.WithJSONSet("temperature", *req.Temperature))
	}
	return params, opts
}

func message(m llm.Message) sdk.MessageParam {
	var blocks []sdk.ContentBlockParamUnion
	for _, r := range m.Results {
		blocks = append(blocks, sdk.NewToolResultBlock(r.CallID, r.Output, r.IsError))
	}
	if m.Text != "" {
		blocks = append(blocks, sdk.NewTextBlock(m.Text))
	}
	for _, c := range m.ToolCalls {
		blocks = append(blocks, sdk.NewToolUseBlock(c.ID, c.Input, c.Name))
	}
	if m.Role == llm.Assistant {
		return sdk.NewAssistantMessage(blocks...)
	}
	return sdk.NewUserMessage(blocks...)
}

func tool(t llm.Tool) sdk.ToolUnionParam {
	schema := sdk.ToolInputSchemaParam{ExtraFields: map[string]any{}}
	for k, v := range t.Schema {
		switch k {
		case "type":
		case "properties":
			schema.Properties = v
		case "required":
			for _, r := range asList(v) {
				if s, ok := r.(string); ok {
					schema.Required = append(schema.Required, s)
				}
			}
		default:
			schema.ExtraFields[k] = v
		}
	}
	tp := &sdk.ToolParam{Name: t.Name, InputSchema: schema}
	if t.Description != "" {
		tp.Description = sdk.String(t.Description)
	}
	return sdk.ToolUnionParam{OfTool: tp}
}

func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return nil
}

// classify turns the SDK's error into an llm.APIError, leaving the
// context's own errors alone so a timeout stays a timeout.
func classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var apiErr *sdk.Error
	if errors.As(err, &apiErr) {
		msg := apiErr.Message
		if msg == "" {
			msg = http.StatusText(apiErr.StatusCode)
		}
		return &llm.APIError{Provider: "anthropic", Status: apiErr.StatusCode, Message: msg, Err: err}
	}
	if strings.HasPrefix(err.Error(), "no Anthropic credentials") {
		// The SDK's credential chain found nothing; its error type is
		// internal, its message stable and explicit.
		return &llm.APIError{Provider: "anthropic", Message: err.Error(), Err: errors.Join(llm.ErrNoCredentials, err)}
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) {
		return &llm.APIError{Provider: "anthropic", Message: "malformed answer: " + err.Error(), Err: errors.Join(llm.ErrMalformed, err)}
	}
	return &llm.APIError{Provider: "anthropic", Message: err.Error(), Err: err}
}
