package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/unavailable"
	"github.com/osopdev/osop/internal/run"
)

// TestHealthCheckRetriesThenRollback is the seed's shape against a real
// HTTP server on 127.0.0.1: the service answers 503 "degraded" twice and
// the check retries; then the rollback path runs.
func TestHealthCheckRetriesThenRollback(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"status":"degraded","version":"2"}`)
	}))
	defer srv.Close()
	r := runYAML(t, head+`
nodes:
  - id: health_check
    type: api
    runtime: {method: GET, url: "{{URL}}/api/health"}
    outputs: [health_status]
    retry_policy: {max_retries: 2, backoff_sec: 0.05}
    timeout_sec: 5
  - {id: rollback, type: cli, runtime: {command: "echo rollback >> $DIR/log"}}
edges:
  - {from: health_check, to: rollback, mode: fallback, condition: "health_status.status != 'ok'"}
`, func(o *engine.Options) { o.Vars = map[string]string{"URL": srv.URL} })
	if hits.Load() != 3 || r.attempts("health_check") != 3 {
		t.Errorf("%d requests, %d attempts; want 3 (1 + 2 retries)", hits.Load(), r.attempts("health_check"))
	}
	if got := statuses(r, "health_check", "rollback"); got != "health_check=FAILED rollback=COMPLETED" || !r.Recovered {
		t.Errorf("%s recovered=%v", got, r.Recovered)
	}
	hs, _ := r.Nodes["health_check"].Outputs["health_status"].(map[string]any)
	if hs["status"] != "degraded" {
		t.Errorf("outputs of the failed attempt: %v", r.Nodes["health_check"].Outputs)
	}
}

func TestHealthyServiceSkipsRollback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	}))
	defer srv.Close()
	r := runYAML(t, head+`
nodes:
  - {id: health_check, type: api, runtime: {url: "{{URL}}"}, outputs: [health_status]}
  - {id: rollback, type: cli, runtime: {command: "true"}}
edges:
  - {from: health_check, to: rollback, mode: fallback, condition: "health_status.status != 'ok'"}
`, func(o *engine.Options) { o.Vars = map[string]string{"URL": srv.URL} })
	if got := statuses(r, "health_check", "rollback"); got != "health_check=COMPLETED rollback=SKIPPED" || r.Recovered {
		t.Errorf("%s recovered=%v", got, r.Recovered)
	}
}

func TestAPIErrorsAreClassified(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"no such thing"}`, http.StatusNotFound)
	}))
	defer srv.Close()
	r := runYAML(t, head+`
nodes:
  - id: call
    type: api
    runtime: {url: "{{URL}}/missing", method: POST, body: {a: 1}}
    retry_policy: {max_retries: 3, backoff_sec: 0.01}
  - id: refused
    type: api
    runtime: {url: "http://127.0.0.1:1/"}
    retry_policy: {max_retries: 1, backoff_sec: 0.01}
`, func(o *engine.Options) { o.Vars = map[string]string{"URL": srv.URL} })
	if r.attempts("call") != 1 {
		t.Errorf("a 404 is not retried; got %d attempts", r.attempts("call"))
	}
	if r.attempts("refused") != 2 {
		t.Errorf("a refused connection is retried; got %d attempts", r.attempts("refused"))
	}
	joined := strings.Join(r.Failures, "\n")
	if !strings.Contains(joined, "404 Not Found: {\"error\":\"no such thing\"}") || !strings.Contains(joined, "connection refused") {
		t.Errorf("failures: %s", joined)
	}
}

func TestErrorEdgeFiltersOnError(t *testing.T) {
	r := runYAML(t, head+`
nodes:
  - {id: deploy, type: cli, runtime: {command: "echo OOMKilled >&2; exit 137"}}
  - {id: oom, type: cli, runtime: {command: "echo oom >> $DIR/log"}}
  - {id: other, type: cli, runtime: {command: "echo other >> $DIR/log"}}
edges:
  - {from: deploy, to: oom, mode: error, when: "error_of('deploy').contains('137')"}
  - {from: deploy, to: other, mode: error, when: "error_of('deploy').contains('disk')"}
`)
	if got := statuses(r, "oom", "other"); got != "oom=COMPLETED other=SKIPPED" || !r.Recovered {
		t.Errorf("%s recovered=%v", got, r.Recovered)
	}
}

// signals is an in-memory signal source.
type signals struct {
	mu sync.Mutex
	ch map[string]chan map[string]any
}

func (s *signals) get(name string) chan map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = map[string]chan map[string]any{}
	}
	if s.ch[name] == nil {
		s.ch[name] = make(chan map[string]any, 4)
	}
	return s.ch[name]
}

func (s *signals) Wait(ctx context.Context, _ run.ID, name string) (map[string]any, error) {
	select {
	case d := <-s.get(name):
		return d, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestEventEdgeWaitsForSignal(t *testing.T) {
	sig := &signals{}
	go func() {
		time.Sleep(100 * time.Millisecond)
		sig.get("approved") <- map[string]any{"decision": "no"}
		sig.get("approved") <- map[string]any{"decision": "yes"}
	}()
	r := runYAML(t, head+`
nodes:
  - {id: request, type: cli, runtime: {command: "echo request >> $DIR/log"}}
  - {id: deploy, type: cli, runtime: {command: "echo deploy >> $DIR/log"}}
edges:
  - {from: request, to: deploy, mode: event, signal: approved, when: "event.data.decision == 'yes'"}
`, func(o *engine.Options) { o.Signals = sig })
	if got := strings.Join(r.log(t), " "); got != "request deploy" || r.Status != run.Completed {
		t.Errorf("log %q, run %s", got, r.Status)
	}
}

// approver answers with a fixed choice and records what it was asked.
type approver struct {
	choice string
	asked  []string
}

func (a *approver) Approve(_ context.Context, req executor.ApprovalRequest) (executor.Decision, error) {
	a.asked = append(a.asked, req.NodeID+": "+req.Prompt)
	return executor.Decision{Choice: a.choice, By: "tester", Comment: "ok"}, nil
}

func TestHumanApproval(t *testing.T) {
	src := head + `
nodes:
  - {id: approve, type: human, purpose: "Ship it?"}
  - {id: ship, type: cli, runtime: {command: "echo ship >> $DIR/log"}}
  - id: gated
    type: cli
    approval_gate: true
    runtime: {command: "echo gated >> $DIR/log"}
edges:
  - {from: approve, to: ship, mode: conditional, when: "outputs.approve.decision == 'approve'"}
  - {from: ship, to: gated}
`
	yes := &approver{choice: "approve"}
	r := runYAML(t, src, func(o *engine.Options) { o.Approver = yes })
	if got := strings.Join(r.log(t), " "); got != "ship gated" || len(yes.asked) != 2 || yes.asked[0] != "approve: Ship it?" {
		t.Errorf("log %q asked %q", got, yes.asked)
	}
	no := &approver{choice: "reject"}
	r = runYAML(t, src, func(o *engine.Options) { o.Approver = no })
	if got := statuses(r, "approve", "ship", "gated"); got != "approve=FAILED ship=BLOCKED gated=BLOCKED" || r.Status != run.Failed {
		t.Errorf("rejected: %s, run %s", got, r.Status)
	}
}

func TestMissingExecutorFailsLoudly(t *testing.T) {
	// A registry without the type's executor: osop has one for every
	// type the spec names, but a build may leave some out.
	reg := executor.NewRegistry()
	unavailable.Register(reg, "agent")
	r := runYAML(t, head+`
nodes:
  - {id: build, type: agent, runtime: {provider: anthropic, model: claude}}
`, func(o *engine.Options) { o.Registry = reg })
	if r.status("build") != run.Failed || !strings.Contains(r.Failures[0], "no executor for agent nodes") {
		t.Errorf("%s %v", r.status("build"), r.Failures)
	}
}
