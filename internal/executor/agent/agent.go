// Package agent runs agent nodes: a language model, reached through its
// provider's official SDK, carries out the node's purpose with the tools
// the node allows, and returns the node's declared outputs through a
// tool whose schema they make. The answer is validated; an invalid one
// gets one repair turn.
//
// Providers: anthropic (Messages API) and openai (Chat Completions), and
// through the latter every OpenAI-compatible server: ollama, vllm,
// llamacpp, lmstudio, litellm, azure, google. Each attempt's tokens, cost
// and tool calls are returned as run.Usage for the execution record; the
// conversation is written to the node's log (stdout), masked by the
// engine, with the answer's text streamed as it comes.
//
// It imports executor, run, schema, mcp and proc, and the provider
// packages beside it.
package agent

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// Options configure the agent executor for a run.
type Options struct {
	// Prices are the models' prices; nil means DefaultPrices.
	Prices Prices
	// Budget, when set, limits what the run's agents may spend.
	Budget *Budget
	// HTTPClient is used for the providers' APIs and http_get; nil means
	// a default client.
	HTTPClient *http.Client
	// Defaults are the run's model for nodes that name none, and whether
	// the run only plans.
	Defaults Defaults
}

// Register adds the agent executor.
func Register(r *executor.Registry, o Options) {
	if o.Prices == nil {
		o.Prices = DefaultPrices()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	r.Register(executor.Info{Type: "agent", New: func() executor.Executor { return &Agent{opts: o} }})
}

// Agent is the agent executor.
type Agent struct {
	opts Options
	// delegate is set for a step handed to an agent (NewDelegate).
	delegate *Delegation
}

var (
	_ executor.Checker   = (*Agent)(nil)
	_ executor.Describer = (*Agent)(nil)
)

// Error codes of agent attempts.
const (
	CodeRateLimited   = "RATE_LIMITED"   // 429 after the SDK's retries
	CodeMalformed     = "MALFORMED"      // an answer that could not be read
	CodeInvalidAnswer = "INVALID_ANSWER" // the answer did not match the outputs, even after a repair turn
	CodeStalled       = "STREAM_STALLED" // the stream delivered nothing for idle_timeout_sec
	CodeCostLimit     = "COST_LIMIT"     // --max-cost would be passed
	CodeMaxTurns      = "MAX_TURNS"      // no answer within max_turns
)

// Check reports an unknown or missing provider, a missing model, unknown
// tools and values of the wrong kind, each at its field.
func (a *Agent) Check(n executor.NodeConfig) []executor.Problem {
	_, ps := readConfig(n.Runtime, n.MCPServers, a.opts.Defaults)
	return ps
}

// Describe says which model is called, where, with which tools.
func (a *Agent) Describe(req *executor.Request) (string, error) {
	c, ps := a.config(req)
	if ps = errorsOf(ps); len(ps) > 0 {
		return "", problemsError(ps)
	}
	model := req.Mask(expandOr(req, c.Model)) // the model the request uses
	switch {
	case c.Model == "":
		model = "(" + NeedsModel + ")"
	case c.Provider == "":
		model += " (" + NeedsProvider + ")"
	}
	d := strings.TrimSpace(fmt.Sprintf("%s %s", canonical(c.Provider), model))
	if c.BaseURL != "" {
		d += " at " + req.Mask(expandOr(req, c.BaseURL))
	}
	if len(c.Tools) > 0 {
		d += " · tools: " + strings.Join(c.Tools, ", ")
	}
	return d, nil
}

func (a *Agent) config(req *executor.Request) (config, []executor.Problem) {
	if a.delegate != nil {
		return a.delegate.config(req)
	}
	return readConfig(req.Runtime, req.MCPServers, a.opts.Defaults)
}

// errorsOf drops the notes among ps: a run that only plans notes what a
// real run would need.
func errorsOf(ps []executor.Problem) []executor.Problem {
	var out []executor.Problem
	for _, p := range ps {
		if p.Severity == diag.Error {
			out = append(out, p)
		}
	}
	return out
}

func problemsError(ps []executor.Problem) error {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = strings.Join(p.Path, ".") + ": " + p.Summary
	}
	return executor.Errorf(run.CodeConfig, false, "%s", strings.Join(msgs, "; "))
}

// Execute runs the conversation.
func (a *Agent) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	c, ps := a.config(req)
	if len(ps) > 0 { // a note too: a model is needed to run
		return nil, problemsError(ps)
	}
	for _, s := range []*string{&c.APIKey, &c.BaseURL, &c.Model} {
		v, err := req.Expand(*s)
		if err != nil {
			return nil, executor.Errorf(run.CodeConfig, false, "%v", err)
		}
		*s = v
	}
	s := &session{a: a, req: req, c: c, usage: &run.Usage{Provider: canonical(c.Provider), Model: c.Model}}
	if a.delegate != nil {
		s.usage.Delegated = true
	}
	s.provider = client(c, envLookup(req.Env), a.opts.HTTPClient)
	outputs, err := s.run(ctx)
	s.usage.ToolCalls = maskCalls(req, s.usage.ToolCalls)
	if err != nil {
		var ee *executor.Error
		if !errors.As(err, &ee) {
			ee = &executor.Error{Code: run.CodeUnclassified, Retryable: true, Message: err.Error(), Err: err}
		}
		ee.Usage = s.usage
		return nil, ee
	}
	return &executor.Result{Outputs: outputs, Usage: s.usage}, nil
}

// envLookup reads a variable from the run's environment, then osop's.
func envLookup(env []string) func(string) string {
	return func(name string) string {
		for i := len(env) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
				return v
			}
		}
		return os.Getenv(name)
	}
}

// maskCalls hides secrets in what the record keeps of tool calls.
func maskCalls(req *executor.Request, calls []run.ToolCall) []run.ToolCall {
	if req.Mask == nil {
		return calls
	}
	for i := range calls {
		calls[i].Output = req.Mask(calls[i].Output)
		calls[i].Input = maskAny(req.Mask, calls[i].Input).(map[string]any)
	}
	return calls
}

func maskAny(mask func(string) string, v any) any {
	switch x := v.(type) {
	case string:
		return mask(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			out[k] = maskAny(mask, it)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = maskAny(mask, it)
		}
		return out
	}
	return v
}
