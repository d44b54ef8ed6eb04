package agent

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/agent/llmtest"
	"github.com/osopdev/osop/internal/run"
)

func codeOf(err error) string {
	var ee *executor.Error
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ""
}

// The SDKs retry 429, 529 and 5xx themselves, honouring Retry-After;
// osop configures how often (max_retries) and classifies what is left.
func TestAgent_retriesHonourRetryAfter(t *testing.T) {
	for _, kind := range []string{"anthropic", "openai"} {
		t.Run(kind, func(t *testing.T) {
			s := serve(t, kind, llmtest.Script{"n": {
				{Status: 429, RetryAfter: "1"},
				{Status: 529},
				{Answer: map[string]any{"category": "support", "confidence": 1}},
			}})
			req, out := request(t, map[string]any{"provider": kind, "model": "m", "base_url": s.URL, "api_key": "k"}, classified...)
			res, err := execute(t, Options{}, req)
			if err != nil {
				t.Fatalf("Execute: %v\n%s", err, out)
			}
			if res.Outputs["category"] != "support" {
				t.Errorf("outputs = %v", res.Outputs)
			}
			rs := s.Requests()
			if len(rs) != 3 {
				t.Fatalf("%d requests, want 3 (429, 529, then the answer)", len(rs))
			}
		})
	}
}

func TestAgent_retryAfterIsWaited(t *testing.T) {
	s := serve(t, "anthropic", llmtest.Script{"n": {{Status: 429, RetryAfter: "1"}, {Answer: map[string]any{"category": "sales", "confidence": 1}}}})
	req, _ := request(t, map[string]any{"provider": "anthropic", "model": "m", "base_url": s.URL, "api_key": "k"}, classified...)
	began := time.Now()
	if _, err := execute(t, Options{}, req); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took < 900*time.Millisecond {
		t.Errorf("answered after %s; Retry-After asked for 1s", took)
	}
}

func TestAgent_failuresAreClassified(t *testing.T) {
	tests := []struct {
		name  string
		turns []llmtest.Turn
		code  string
		retry bool
	}{
		{"server errors past the retries", []llmtest.Turn{{Status: 500}, {Status: 500}}, run.CodeHTTP5xx, true},
		{"rate limited past the retries", []llmtest.Turn{{Status: 429, RetryAfter: "0"}, {Status: 429, RetryAfter: "0"}}, CodeRateLimited, true},
		{"a bad request", []llmtest.Turn{{Status: 400}}, run.CodeHTTP4xx, false},
		{"malformed JSON in the stream", []llmtest.Turn{{Malformed: true}}, CodeMalformed, true},
		{"prose instead of the answer, twice", []llmtest.Turn{{Text: "It is sales."}, {Text: "Sales."}}, CodeInvalidAnswer, true},
	}
	for _, kind := range []string{"anthropic", "openai"} {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				s := serve(t, kind, llmtest.Script{"n": tt.turns})
				req, _ := request(t, map[string]any{"provider": kind, "model": "m", "base_url": s.URL, "api_key": "k", "max_retries": 1}, classified...)
				_, err := execute(t, Options{}, req)
				code, retry := executor.Classify(err)
				if code != tt.code || retry != tt.retry {
					t.Errorf("err = %v: %s (retryable %v), want %s (%v)", err, code, retry, tt.code, tt.retry)
				}
			})
		}
	}
}

func TestAgent_stalledStreamIsClosed(t *testing.T) {
	for _, kind := range []string{"anthropic", "openai"} {
		t.Run(kind, func(t *testing.T) {
			s := serve(t, kind, llmtest.Script{"n": {{Stall: true}}})
			req, _ := request(t, map[string]any{"provider": kind, "model": "m", "base_url": s.URL, "api_key": "k", "idle_timeout_sec": 0.3, "max_retries": 1}, classified...)
			_, err := execute(t, Options{}, req)
			if codeOf(err) != CodeStalled {
				t.Fatalf("err = %v, want %s", err, CodeStalled)
			}
			select {
			case <-s.Gone:
			case <-time.After(10 * time.Second):
				t.Fatal("the stalled stream was not closed")
			}
		})
	}
}

func TestAgent_cancellationClosesTheStream(t *testing.T) {
	for _, kind := range []string{"anthropic", "openai"} {
		t.Run(kind, func(t *testing.T) {
			s := serve(t, kind, llmtest.Script{"n": {{Stall: true}}})
			req, _ := request(t, map[string]any{"provider": kind, "model": "m", "base_url": s.URL, "api_key": "k"}, classified...)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- (&Agent{opts: Options{Prices: DefaultPrices()}}).execWith(ctx, req) }()
			for len(s.Requests()) == 0 {
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
			select {
			case err := <-done:
				if code, _ := executor.Classify(err); code != run.CodeCancelled {
					t.Errorf("err = %v, want CANCELLED", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Execute did not return after the cancellation")
			}
			select {
			case <-s.Gone:
			case <-time.After(5 * time.Second):
				t.Fatal("the stream was not closed")
			}
		})
	}
}

func (a *Agent) execWith(ctx context.Context, req *executor.Request) error {
	_, err := a.Execute(ctx, req)
	return err
}

func TestAgent_maxCostStopsBeforeTheCall(t *testing.T) {
	s := serve(t, "anthropic", llmtest.Script{"n": {{Answer: map[string]any{"category": "sales", "confidence": 1}, InTokens: 1000, OutTokens: 100}}})
	rt := map[string]any{"provider": "anthropic", "model": "claude-sonnet-4-20250514", "base_url": s.URL, "api_key": "k", "max_tokens": 1000}
	b := NewBudget(0.02) // a call could cost ~$0.015 (1000 output tokens at $15/M) plus its prompt
	req, _ := request(t, rt, classified...)
	if _, err := execute(t, Options{Budget: b}, req); err != nil {
		t.Fatalf("first call: %v", err)
	}
	if got := b.Spent(); got < 0.0044 || got > 0.0046 { // 1000×3/M + 100×15/M
		t.Errorf("spent %v, want 0.0045", got)
	}
	req, _ = request(t, rt, classified...)
	_, err := execute(t, Options{Budget: b}, req)
	if codeOf(err) != CodeCostLimit || !strings.Contains(err.Error(), "--max-cost") {
		t.Fatalf("second call: %v, want COST_LIMIT", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests reached the provider; the refused call must not be made", n)
	}
}

func TestAgent_noCredentialsIsAConfigError(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("ANTHROPIC_AUTH_TOKEN", "")
	t.Setenv("ANTHROPIC_PROFILE", "")
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ANTHROPIC_CONFIG_DIR", t.TempDir())
	s := serve(t, "anthropic", llmtest.Script{})
	req, _ := request(t, map[string]any{"provider": "anthropic", "model": "m", "base_url": s.URL}, classified...)
	_, err := execute(t, Options{}, req)
	code, retry := executor.Classify(err)
	if code != run.CodeConfig || retry || !strings.Contains(err.Error(), "ANTHROPIC_API_KEY") {
		t.Errorf("err = %v (%s, retryable %v), want a CONFIG error naming ANTHROPIC_API_KEY", err, code, retry)
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests were sent without credentials", n)
	}
}

// An empty turn gets the repair turn, and the history sent back stays
// well formed (the shape checks fail the test otherwise).
func TestAgent_emptyTurnIsRepaired(t *testing.T) {
	for _, kind := range []string{"anthropic", "openai"} {
		t.Run(kind, func(t *testing.T) {
			s := serve(t, kind, llmtest.Script{"n": {{}, {Answer: map[string]any{"category": "sales", "confidence": 1}}}})
			req, _ := request(t, map[string]any{"provider": kind, "model": "m", "base_url": s.URL, "api_key": "k"}, classified...)
			if _, err := execute(t, Options{}, req); err != nil {
				t.Fatal(err)
			}
		})
	}
}
