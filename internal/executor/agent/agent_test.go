package agent

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/agent/llmtest"
)

// serve starts a loopback provider for one test.
func serve(t *testing.T, kind string, sc llmtest.Script) *llmtest.Server {
	t.Helper()
	s, err := llmtest.Start(kind, sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	t.Cleanup(func() {
		for _, p := range s.Problems() {
			t.Errorf("request shape: %s", p)
		}
	})
	return s
}

// request is an attempt of node "n" with the given runtime.
func request(t *testing.T, rt map[string]any, outs ...executor.OutputSpec) (*executor.Request, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	names := make([]string, len(outs))
	for i, o := range outs {
		names[i] = o.Name
	}
	return &executor.Request{
		RunID: "r1", NodeID: "n", NodeType: "agent", Purpose: "Classify the query", Attempt: 1,
		Runtime: rt, Inputs: map[string]any{"query_text": "How much is the pro plan?"},
		Outputs: names, OutputSpecs: outs, Workdir: t.TempDir(),
		Node:   map[string]any{"explain": "Fast model.", "success_criteria": []any{"category is one of support, sales, technical"}},
		Expand: func(s string) (string, error) { return s, nil }, Mask: func(s string) string { return s },
		Stdout: &out, Stderr: &out,
	}, &out
}

func execute(t *testing.T, o Options, req *executor.Request) (*executor.Result, error) {
	t.Helper()
	if o.Prices == nil {
		o.Prices = DefaultPrices()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	return (&Agent{opts: o}).Execute(ctx, req)
}

var classified = []executor.OutputSpec{{Name: "category", Type: "string", Enum: []any{"support", "sales", "technical"}}, {Name: "confidence", Type: "number"}}

func TestAgent_answersThroughEachProvider(t *testing.T) {
	for _, kind := range []string{"anthropic", "openai"} {
		t.Run(kind, func(t *testing.T) {
			s := serve(t, kind, llmtest.Script{"n": {{Text: "Pricing question.", Answer: map[string]any{"category": "sales", "confidence": 0.92},
				InTokens: 1000, OutTokens: 200}}})
			model := map[string]string{"anthropic": "claude-sonnet-4-20250514", "openai": "gpt-4o"}[kind]
			req, out := request(t, map[string]any{"provider": kind, "model": model, "base_url": s.URL, "api_key": "k",
				"config": map[string]any{"system_prompt": "You route customer queries.", "temperature": 0.2}}, classified...)
			res, err := execute(t, Options{}, req)
			if err != nil {
				t.Fatalf("Execute: %v\n%s", err, out)
			}
			if res.Outputs["category"] != "sales" || res.Outputs["confidence"] != 0.92 {
				t.Errorf("outputs = %v", res.Outputs)
			}
			u := res.Usage
			if u.Provider != kind || u.Model != model || u.PromptTokens != 1000 || u.CompletionTokens != 200 || u.Calls != 1 {
				t.Errorf("usage = %+v", u)
			}
			if u.CostUSD == nil || *u.CostUSD <= 0 {
				t.Errorf("cost = %v, want a price", u.CostUSD)
			}
			if !strings.Contains(out.String(), "Pricing question.") || !strings.Contains(out.String(), "Task: Classify the query") {
				t.Errorf("log lacks the streamed text or the prompt:\n%s", out)
			}
			body := s.Requests()[0].Body
			sent := bodyText(body)
			for _, want := range []string{"You route customer queries.", "Classify the query", "Fast model.", "category is one of", "How much is the pro plan?"} {
				if !strings.Contains(sent, want) {
					t.Errorf("the request does not carry %q", want)
				}
			}
			if body["temperature"] != 0.2 {
				t.Errorf("temperature = %v, want 0.2", body["temperature"])
			}
		})
	}
}

func bodyText(b map[string]any) string {
	var sb strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			sb.WriteString(x + "\n")
		case map[string]any:
			for _, it := range x {
				walk(it)
			}
		case []any:
			for _, it := range x {
				walk(it)
			}
		}
	}
	walk(b)
	return sb.String()
}

func TestAgent_repairsOnceThenFails(t *testing.T) {
	for _, kind := range []string{"anthropic", "openai"} {
		t.Run(kind, func(t *testing.T) {
			s := serve(t, kind, llmtest.Script{"n": {
				{Answer: map[string]any{"category": "sales"}},
				{Answer: map[string]any{"category": "sales", "confidence": 0.5}},
			}})
			req, out := request(t, map[string]any{"provider": kind, "model": "m", "base_url": s.URL, "api_key": "k"}, classified...)
			res, err := execute(t, Options{}, req)
			if err != nil {
				t.Fatalf("Execute: %v\n%s", err, out)
			}
			if res.Outputs["confidence"] != 0.5 || res.Usage.Calls != 2 {
				t.Errorf("outputs %v after %d calls", res.Outputs, res.Usage.Calls)
			}
			if !strings.Contains(bodyText(s.Requests()[1].Body), "confidence is missing") {
				t.Errorf("the repair turn does not name the missing field")
			}
		})
	}
	s := serve(t, "anthropic", llmtest.Script{"n": {
		{Answer: map[string]any{"category": "billing", "confidence": "high"}},
		{Answer: map[string]any{"category": "billing", "confidence": 0.5}},
	}})
	req, _ := request(t, map[string]any{"provider": "anthropic", "model": "m", "base_url": s.URL, "api_key": "k"}, classified...)
	_, err := execute(t, Options{}, req)
	var ee *executor.Error
	if !errors.As(err, &ee) || ee.Code != CodeInvalidAnswer || !strings.Contains(ee.Message, "category") || ee.Usage == nil || ee.Usage.Calls != 2 {
		t.Fatalf("err = %v, want INVALID_ANSWER naming category, with usage", err)
	}
}
