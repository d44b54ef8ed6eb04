// Package llmtest is the one stand-in osop's tests allow: no language
// model runs on the test machines and no provider can be reached, so a
// loopback server speaks each provider's wire protocol as documented
// (Anthropic's Messages API, OpenAI's Chat Completions, both streamed as
// server-sent events), answering from a script. It checks every request
// body against the documented shape and records what is wrong; the
// client side in the tests is the real SDK.
package llmtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
)

// Turn is one scripted answer.
type Turn struct {
	Text   string         `json:"text,omitempty"`
	Answer map[string]any `json:"answer,omitempty"` // a call of the answer tool
	Tool   *ToolCall      `json:"tool,omitempty"`   // a call of another tool
	// Status answers with an HTTP error instead (429, 500, 529, …),
	// with RetryAfter as the Retry-After header.
	Status     int    `json:"status,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"`
	Stall      bool   `json:"stall,omitempty"`     // start the stream, then send nothing
	Malformed  bool   `json:"malformed,omitempty"` // send an event that is not JSON
	InTokens   int64  `json:"in_tokens,omitempty"`
	OutTokens  int64  `json:"out_tokens,omitempty"`
}

// ToolCall is a scripted tool call.
type ToolCall struct {
	Name  string         `json:"name"`
	Input map[string]any `json:"input"`
}

// Script maps a node id to its turns, in order; "*" serves any node.
type Script map[string][]Turn

// Request is a request the server received.
type Request struct {
	Node string
	Body map[string]any
	// Stalled is closed when a stalled stream's client went away.
	Header http.Header
}

// Server is a loopback provider.
type Server struct {
	URL      string
	kind     string // anthropic or openai
	script   Script
	srv      *http.Server
	ln       net.Listener
	mu       sync.Mutex
	next     map[string]int
	requests []Request
	problems []string
	// Gone is told each time a client left a stalled stream.
	Gone chan struct{}
}

// Start serves kind ("anthropic" or "openai") on 127.0.0.1.
func Start(kind string, script Script) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{kind: kind, script: script, ln: ln, next: map[string]int{}, Gone: make(chan struct{}, 16)}
	s.URL = "http://" + ln.Addr().String()
	if kind == "openai" {
		s.URL += "/v1"
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve)}
	go s.srv.Serve(ln) //nolint:errcheck // ends with Close
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests returns the requests received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Problems returns what was wrong with the requests' shapes.
func (s *Server) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

var stepRe = regexp.MustCompile(`step "([^"]+)"`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, `{"error":{"message":"body is not JSON"}}`, http.StatusBadRequest)
		return
	}
	var problems []string
	var system string
	if s.kind == "anthropic" {
		problems = checkAnthropic(r, body)
		system = anthropicSystem(body)
	} else {
		problems = checkOpenAI(r, body)
		system = openaiSystem(body)
	}
	node := ""
	if m := stepRe.FindStringSubmatch(system); m != nil {
		node = m[1]
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Node: node, Body: body, Header: r.Header.Clone()})
	for _, p := range problems {
		s.problems = append(s.problems, node+": "+p)
	}
	turn, ok := s.turn(node)
	s.mu.Unlock()
	if len(problems) > 0 {
		writeError(w, s.kind, http.StatusBadRequest, strings.Join(problems, "; "), "")
		return
	}
	if !ok {
		writeError(w, s.kind, http.StatusBadRequest, "the script has no more turns for node "+node, "")
		return
	}
	if turn.Status != 0 {
		writeError(w, s.kind, turn.Status, fmt.Sprintf("scripted %d", turn.Status), turn.RetryAfter)
		return
	}
	model, _ := body["model"].(string)
	if s.kind == "anthropic" {
		s.streamAnthropic(w, r, model, turn)
	} else {
		s.streamOpenAI(w, r, model, turn)
	}
}

// turn takes the node's next turn; the caller holds mu.
func (s *Server) turn(node string) (Turn, bool) {
	key := node
	turns, ok := s.script[node]
	if !ok {
		key, turns = "*", s.script["*"]
	}
	i := s.next[key]
	if i >= len(turns) {
		return Turn{}, false
	}
	s.next[key] = i + 1
	return turns[i], true
}

func writeError(w http.ResponseWriter, kind string, status int, msg, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	typ := "invalid_request_error"
	switch {
	case status == 429:
		typ = "rate_limit_error"
	case status == 529:
		typ = "overloaded_error"
	case status >= 500:
		typ = "api_error"
	}
	if kind == "anthropic" {
		fmt.Fprintf(w, `{"type":"error","error":{"type":%q,"message":%q}}`, typ, msg)
		return
	}
	fmt.Fprintf(w, `{"error":{"message":%q,"type":%q,"param":null,"code":null}}`, msg, typ)
}

func sse(w http.ResponseWriter, event string, data any) {
	b, _ := json.Marshal(data)
	if event != "" {
		fmt.Fprintf(w, "event: %s\n", event)
	}
	fmt.Fprintf(w, "data: %s\n\n", b)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) stall(w http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
	s.Gone <- struct{}{}
}

func tokens(t Turn) (int64, int64) {
	in, out := t.InTokens, t.OutTokens
	if in == 0 {
		in = 100
	}
	if out == 0 {
		out = 20
	}
	return in, out
}

// Serve starts a server from a script file and prints its URL: for the
// CLI tests, which run it beside osop.
func Serve(kind, scriptFile string) (*Server, error) {
	b, err := os.ReadFile(scriptFile)
	if err != nil {
		return nil, err
	}
	var sc Script
	if err := json.Unmarshal(b, &sc); err != nil {
		return nil, fmt.Errorf("%s: %w", scriptFile, err)
	}
	return Start(kind, sc)
}
