// Package openai speaks the llm conversation to OpenAI's Chat Completions
// API through the official Go SDK (github.com/openai/openai-go), streaming;
// with a base URL, to every server that speaks that API (Ollama, vLLM,
// llama.cpp's server, LM Studio, LiteLLM, Azure OpenAI's v1 endpoint).
// The SDK reads OPENAI_API_KEY and OPENAI_BASE_URL unless the node gives
// them, and retries 408, 409, 429 and 5xx answers, honouring Retry-After.
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/osopdev/osop/internal/executor/agent/llm"
)

// Options configure a client; empty fields keep the SDK's defaults.
type Options struct {
	// Name is the provider as the node names it, for messages.
	Name       string
	BaseURL    string
	APIKey     string
	MaxRetries int
	HTTPClient *http.Client
	// Compatible servers take max_tokens; OpenAI's newer models want
	// max_completion_tokens.
	Compatible bool
	// Headers are added to every request (Azure's api-key, say).
	Headers map[string]string
}

type provider struct {
	c    sdk.ChatCompletionService
	opts Options
}

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
	for k, v := range o.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	if o.Name == "" {
		o.Name = "openai"
	}
	// Only the chat service, built as NewClient builds its services (the
	// environment's defaults first): a whole Client makes every service of
	// the SDK reachable, which triples osop's binary.
	return &provider{c: sdk.NewChatCompletionService(append(sdk.DefaultClientOptions(), opts...)...), opts: o}
}

func (p *provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	stream := p.c.NewStreaming(ctx, p.params(req))
	defer stream.Close()
	var acc sdk.ChatCompletionAccumulator
	for stream.Next() {
		chunk := stream.Current()
		if req.OnEvent != nil {
			req.OnEvent()
		}
		acc.AddChunk(chunk)
		if len(chunk.Choices) > 0 && chunk.Choices[0].Delta.Content != "" && req.OnText != nil {
			req.OnText(chunk.Choices[0].Delta.Content)
		}
	}
	if err := stream.Err(); err != nil {
		return nil, p.classify(ctx, err)
	}
	out := &llm.Response{Model: acc.Model, Usage: llm.Usage{Input: acc.Usage.PromptTokens, Output: acc.Usage.CompletionTokens}}
	if len(acc.Choices) == 0 {
		return nil, &llm.APIError{Provider: p.opts.Name, Message: "the answer had no choices", Err: llm.ErrMalformed}
	}
	ch := acc.Choices[0]
	out.StopReason = string(ch.FinishReason)
	out.Text = ch.Message.Content
	for _, tc := range ch.Message.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, llm.ToolCall{ID: tc.ID, Name: tc.Function.Name, Input: json.RawMessage(tc.Function.Arguments)})
	}
	return out, nil
}

func (p *provider) params(req *llm.Request) sdk.ChatCompletionNewParams {
	params := sdk.ChatCompletionNewParams{Model: shared.ChatModel(req.Model),
		StreamOptions: sdk.ChatCompletionStreamOptionsParam{IncludeUsage: sdk.Bool(true)}}
	if req.System != "" {
		params.Messages = append(params.Messages, sdk.SystemMessage(req.System))
	}
	for _, m := range req.Messages {
		params.Messages = append(params.Messages, messages(m)...)
	}
	for _, t := range req.Tools {
		fn := shared.FunctionDefinitionParam{Name: t.Name, Parameters: shared.FunctionParameters(t.Schema)}
		if t.Description != "" {
			fn.Description = sdk.String(t.Description)
		}
		params.Tools = append(params.Tools, sdk.ChatCompletionFunctionTool(fn))
	}
	switch {
	case req.Force != "":
		params.ToolChoice = sdk.ToolChoiceOptionFunctionToolChoice(sdk.ChatCompletionNamedToolChoiceFunctionParam{Name: req.Force})
	case req.ForceAny:
		params.ToolChoice = sdk.ChatCompletionToolChoiceOptionUnionParam{OfAuto: sdk.String("required")}
	}
	if req.Temperature != nil {
		params.Temperature = sdk.Float(*req.Temperature)
	}
	if req.MaxTokens > 0 {
		if p.opts.Compatible {
			params.MaxTokens = sdk.Int(req.MaxTokens)
		} else {
			params.MaxCompletionTokens = sdk.Int(req.MaxTokens)
		}
	}
	return params
}

func messages(m llm.Message) []sdk.ChatCompletionMessageParamUnion {
	var out []sdk.ChatCompletionMessageParamUnion
	if m.Role == llm.Assistant {
		a := &sdk.ChatCompletionAssistantMessageParam{}
		if m.Text != "" {
			a.Content.OfString = sdk.String(m.Text)
		}
		for _, c := range m.ToolCalls {
			a.ToolCalls = append(a.ToolCalls, sdk.ChatCompletionMessageToolCallUnionParam{OfFunction: &sdk.ChatCompletionMessageFunctionToolCallParam{
				ID: c.ID, Function: sdk.ChatCompletionMessageFunctionToolCallFunctionParam{Name: c.Name, Arguments: string(c.Input)}}})
		}
		return append(out, sdk.ChatCompletionMessageParamUnion{OfAssistant: a})
	}
	for _, r := range m.Results {
		text := r.Output
		if r.IsError {
			// Chat Completions has no error flag on a tool message.
			text = "error: " + text
		}
		out = append(out, sdk.ToolMessage(text, r.CallID))
	}
	if m.Text != "" {
		out = append(out, sdk.UserMessage(m.Text))
	}
	return out
}

// classify turns the SDK's error into an llm.APIError, leaving the
// context's own errors alone so a timeout stays a timeout.
func (p *provider) classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var apiErr *sdk.Error
	if errors.As(err, &apiErr) {
		msg := apiErr.Message
		if msg == "" {
			msg = http.StatusText(apiErr.StatusCode)
		}
		return &llm.APIError{Provider: p.opts.Name, Status: apiErr.StatusCode, Message: msg, Err: err}
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) {
		return &llm.APIError{Provider: p.opts.Name, Message: "malformed answer: " + err.Error(), Err: errors.Join(llm.ErrMalformed, err)}
	}
	return &llm.APIError{Provider: p.opts.Name, Message: err.Error(), Err: err}
}
