package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/agent/llm"
	"github.com/osopdev/osop/internal/executor/mcp"
	"github.com/osopdev/osop/internal/run"
)

// session is one attempt's conversation.
type session struct {
	a        *Agent
	req      *executor.Request
	c        config
	provider llm.Provider
	usage    *run.Usage
	tools    map[string]tool // by the name the model sees
	msgs     []llm.Message
	repaired bool
}

var errStalled = errors.New("stream stalled")

func (s *session) run(ctx context.Context) (map[string]any, error) {
	schema := outputSchema(s.c, s.req.OutputSpecs)
	check, err := newChecker(schema)
	if err != nil {
		return nil, executor.Errorf(run.CodeConfig, false, "output_schema: %v", err)
	}
	specs, closeAll, err := s.openTools(ctx)
	defer closeAll()
	if err != nil {
		return nil, s.failure(ctx, err)
	}
	specs = append(specs, llm.Tool{Name: answerTool, Description: "Return the step's result. Call it once, when the step is done.", Schema: schema})
	system := systemPrompt(s.c, s.req)
	s.msgs = []llm.Message{{Role: llm.User, Text: userPrompt(s.req, schema)}}
	s.log("system", system)
	s.log("user", s.msgs[0].Text)
	for turn := 1; turn <= s.c.MaxTurns; turn++ {
		r := &llm.Request{Model: s.c.Model, System: system, Messages: s.msgs, Tools: specs,
			Temperature: s.c.Temperature, MaxTokens: s.c.MaxTokens}
		if len(specs) == 1 {
			r.Force = answerTool
		} else {
			r.ForceAny = true
		}
		resp, err := s.call(ctx, r, turn)
		if err != nil {
			return nil, s.failure(ctx, err)
		}
		said := resp.Text
		if said == "" && len(resp.ToolCalls) == 0 {
			said = "(no answer)" // the APIs refuse an empty turn in the history
		}
		s.msgs = append(s.msgs, llm.Message{Role: llm.Assistant, Text: said, ToolCalls: resp.ToolCalls})
		outputs, results, err := s.handle(ctx, resp, check)
		if outputs != nil || err != nil {
			return outputs, err
		}
		s.msgs = append(s.msgs, llm.Message{Role: llm.User, Results: results.results, Text: results.text})
	}
	return nil, executor.Errorf(CodeMaxTurns, true, "no answer after %d turns (max_turns)", s.c.MaxTurns)
}

// openTools makes the node's tools: built-ins, and the MCP servers' tools.
func (s *session) openTools(ctx context.Context) ([]llm.Tool, func(), error) {
	s.tools = map[string]tool{}
	var sessions []*mcp.Session
	closeAll := func() {
		for _, m := range sessions {
			_ = m.Close(ctx) // a server that ends badly does not change the answer
		}
	}
	if len(s.c.Tools) == 0 {
		return nil, closeAll, nil
	}
	root, err := os.OpenRoot(s.req.Workdir)
	if err != nil {
		return nil, closeAll, executor.Errorf(run.CodeConfig, false, "workdir: %v", err)
	}
	env := &toolEnv{req: s.req, root: root, http: s.a.opts.HTTPClient}
	var specs []llm.Tool
	for _, name := range s.c.Tools {
		if mk, ok := builtins[name]; ok {
			t := mk(env)
			t.name = name
			s.tools[t.spec.Name] = t
			specs = append(specs, t.spec)
		}
	}
	mt, sess, err := mcpTools(ctx, s.req, s.c.Tools)
	sessions = sess
	for _, t := range mt {
		s.tools[t.spec.Name] = t
		specs = append(specs, t.spec)
	}
	prev := closeAll
	return specs, func() { prev(); root.Close() }, err
}

// call makes one model call within the budget, noticing a stream that
// stalls, and accounts for it.
func (s *session) call(ctx context.Context, r *llm.Request, turn int) (*llm.Response, error) {
	price, priced := s.a.opts.Prices.Lookup(s.c.Provider, s.c.Model)
	est := 0.0
	if s.a.opts.Budget != nil {
		if !priced {
			return nil, executor.Errorf(CodeCostLimit, false,
				"--max-cost is set and the price of %s %s is not known: add it with --prices FILE", canonical(s.c.Provider), s.c.Model)
		}
		est = price.Cost(estimateTokens(r), r.MaxTokens)
		if err := s.a.opts.Budget.Reserve(est); err != nil {
			return nil, executor.Errorf(CodeCostLimit, false, "%v", err)
		}
	}
	cctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(s.c.IdleTimeout, func() { cancel(errStalled) })
	defer idle.Stop()
	r.OnEvent = func() { idle.Reset(s.c.IdleTimeout) }
	r.OnText = func(t string) { fmt.Fprint(s.req.Stdout, t) }
	fmt.Fprintf(s.req.Stdout, "── assistant (turn %d) ──\n", turn)
	resp, err := s.provider.Complete(cctx, r)
	cost := 0.0
	if resp != nil {
		s.usage.Calls++
		s.usage.PromptTokens += resp.Usage.Input
		s.usage.CompletionTokens += resp.Usage.Output
		if priced {
			cost = price.Cost(resp.Usage.Input, resp.Usage.Output)
			total := cost
			if s.usage.CostUSD != nil {
				total += *s.usage.CostUSD
			}
			s.usage.CostUSD = &total
		}
		if resp.Text != "" {
			fmt.Fprintln(s.req.Stdout)
		}
	}
	s.a.opts.Budget.Settle(est, cost)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(cctx), errStalled) {
		return nil, executor.Errorf(CodeStalled, true, "the model's stream delivered nothing for %s; it was closed",
			s.c.IdleTimeout)
	}
	return resp, err
}

// estimateTokens guesses a request's prompt size: about four characters
// a token, which errs high for English.
func estimateTokens(r *llm.Request) int64 {
	n := len(r.System)
	b, _ := json.Marshal(r.Messages)
	n += len(b)
	t, _ := json.Marshal(r.Tools)
	n += len(t)
	return int64(n/3 + 1)
}

type turnResults struct {
	results []llm.ToolResult
	text    string
}

// handle acts on the model's turn: runs the tools it called, or checks
// its answer. It returns outputs when the answer is good, an error when
// the attempt fails, and otherwise what to tell the model next.
func (s *session) handle(ctx context.Context, resp *llm.Response, check *checker) (map[string]any, turnResults, error) {
	var tr turnResults
	if len(resp.ToolCalls) == 0 {
		return s.repair(tr, []string{"no answer: the result must be given by calling the `" + answerTool + "` tool"}, "")
	}
	for _, call := range resp.ToolCalls {
		if call.Name == answerTool {
			s.logCall("→ answer", string(call.Input))
			outputs, problems := check.check(call.Input)
			if len(problems) == 0 {
				return outputs, tr, nil
			}
			return s.repair(tr, problems, call.ID)
		}
	}
	for _, call := range resp.ToolCalls {
		tr.results = append(tr.results, s.runTool(ctx, call))
	}
	if ctx.Err() != nil {
		c, retry := executor.Stopped(ctx)
		return nil, tr, &executor.Error{Code: c, Retryable: retry, Message: "stopped: " + executor.StopReason(ctx)}
	}
	return nil, tr, nil
}

// repair gives the model one more turn to fix its answer, then fails the
// attempt naming what is wrong.
func (s *session) repair(tr turnResults, problems []string, callID string) (map[string]any, turnResults, error) {
	if s.repaired {
		return nil, tr, executor.Errorf(CodeInvalidAnswer, true, "the answer does not match the declared outputs: %s",
			strings.Join(problems, "; ")) // the caller names the node
	}
	s.repaired = true
	msg := "Your answer was not accepted: " + strings.Join(problems, "; ") + ". Call `" + answerTool + "` again with every field, as its schema says."
	s.log("user (repair)", msg)
	if callID != "" {
		tr.results = append(tr.results, llm.ToolResult{CallID: callID, Output: msg, IsError: true})
		// Tool results for the other calls of the turn keep the
		// conversation well formed.
		for _, c := range s.msgs[len(s.msgs)-1].ToolCalls {
			if c.ID != callID {
				tr.results = append(tr.results, llm.ToolResult{CallID: c.ID, Output: "not run: the answer was given in the same turn", IsError: true})
			}
		}
		return nil, tr, nil
	}
	tr.text = msg
	return nil, tr, nil
}

// runTool runs one tool call, records it and shows it live.
func (s *session) runTool(ctx context.Context, call llm.ToolCall) llm.ToolResult {
	t, ok := s.tools[call.Name]
	var input map[string]any
	started := time.Now()
	var out string
	var err error
	switch {
	case !ok:
		err = fmt.Errorf("there is no tool %q", call.Name)
	case json.Unmarshal(orEmpty(call.Input), &input) != nil:
		err = fmt.Errorf("the input is not a JSON object: %s", call.Input)
	default:
		out, err = t.run(ctx, input)
	}
	name := t.name
	if name == "" {
		name = call.Name
	}
	took := time.Since(started)
	rec := run.ToolCall{Tool: name, Started: started, Duration: took, Input: input, Output: out}
	if err != nil {
		rec.IsError, rec.Output = true, err.Error()
	}
	s.usage.ToolCalls = append(s.usage.ToolCalls, rec)
	status := "ok"
	if rec.IsError {
		status = "error"
	}
	line := fmt.Sprintf("tool %s %s → %s in %s", name, orEmpty(call.Input), status, took.Round(time.Millisecond))
	s.logCall("→", line)
	s.logCall("←", rec.Output)
	if s.req.Note != nil {
		s.req.Note(s.req.Mask(line))
	}
	return llm.ToolResult{CallID: call.ID, Output: rec.Output, IsError: rec.IsError}
}

func orEmpty(b json.RawMessage) json.RawMessage {
	if len(strings.TrimSpace(string(b))) == 0 {
		return json.RawMessage("{}")
	}
	return b
}

// failure classifies an error of the conversation for retries and the
// record.
func (s *session) failure(ctx context.Context, err error) error {
	var ee *executor.Error
	if errors.As(err, &ee) {
		return ee
	}
	if ctx.Err() != nil {
		c, retry := executor.Stopped(ctx)
		return &executor.Error{Code: c, Retryable: retry, Message: "stopped: " + executor.StopReason(ctx), Err: err}
	}
	var api *llm.APIError
	if !errors.As(err, &api) {
		return &executor.Error{Code: run.CodeConnection, Retryable: true, Message: err.Error(), Err: err}
	}
	if errors.Is(err, llm.ErrNoCredentials) {
		return &executor.Error{Code: run.CodeConfig, Message: fmt.Sprintf("%s (or give runtime.api_key: ${secrets.NAME})", api.Message), Err: err}
	}
	code := run.CodeHTTP4xx
	switch {
	case errors.Is(err, llm.ErrMalformed):
		code = CodeMalformed
	case api.Status == 0:
		code = run.CodeConnection
	case api.Status == 429:
		code = CodeRateLimited
	case api.Status >= 500:
		code = run.CodeHTTP5xx
	}
	return &executor.Error{Code: code, Retryable: api.Retryable() || code == CodeMalformed,
		Message: api.Error(), Err: err}
}

// log writes a part of the conversation to the node's log.
func (s *session) log(who, text string) {
	fmt.Fprintf(s.req.Stdout, "── %s ──\n%s\n", who, strings.TrimRight(text, "\n"))
}

func (s *session) logCall(arrow, text string) {
	if len(text) > 2000 {
		text = text[:2000] + "…"
	}
	fmt.Fprintf(s.req.Stdout, "%s %s\n", arrow, text)
}
