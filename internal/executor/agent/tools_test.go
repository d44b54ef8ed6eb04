package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/agent/llmtest"
)

func TestTools_stayInsideTheWorkdir(t *testing.T) {
	base := t.TempDir()
	work := filepath.Join(base, "work")
	outside := filepath.Join(base, "secret.txt")
	must(t, os.MkdirAll(filepath.Join(work, "sub"), 0o755))
	must(t, os.WriteFile(outside, []byte("top secret"), 0o600))
	must(t, os.WriteFile(filepath.Join(work, "sub", "ok.txt"), []byte("fine"), 0o600))
	must(t, os.Symlink(outside, filepath.Join(work, "link.txt")))
	must(t, os.Symlink(base, filepath.Join(work, "up")))
	root, err := os.OpenRoot(work)
	must(t, err)
	defer root.Close()
	e := &toolEnv{root: root}
	for _, p := range []string{"../secret.txt", "sub/../../secret.txt", outside, "link.txt", "up/secret.txt"} {
		if out, err := e.readFile(t.Context(), map[string]any{"path": p}); err == nil || strings.Contains(out, "top secret") {
			t.Errorf("read_file %q = %q, %v; want a refusal", p, out, err)
		}
		if _, err := e.writeFile(t.Context(), map[string]any{"path": p, "content": "x"}); err == nil {
			t.Errorf("write_file %q succeeded", p)
		}
	}
	if b, _ := os.ReadFile(outside); string(b) != "top secret" {
		t.Fatalf("the file outside the workdir was changed: %q", b)
	}
	if out, err := e.readFile(t.Context(), map[string]any{"path": "sub/ok.txt"}); err != nil || out != "fine" {
		t.Errorf("read_file inside = %q, %v", out, err)
	}
	if _, err := e.writeFile(t.Context(), map[string]any{"path": "new/dir/f.txt", "content": "hello"}); err != nil {
		t.Errorf("write_file inside: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(work, "new", "dir", "f.txt")); string(b) != "hello" {
		t.Errorf("write_file wrote %q", b)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCheck_problemsAtTheirFields(t *testing.T) {
	servers := map[string]any{"files": map[string]any{"command": "true"}}
	tests := []struct {
		name string
		rt   map[string]any
		path string
		want string
	}{
		{"unknown provider", map[string]any{"provider": "autogen", "model": "m"}, "runtime.provider", "known providers: anthropic, azure, google, litellm, llamacpp, lmstudio, ollama, openai, vllm"},
		{"no provider", map[string]any{"model": "mystery"}, "runtime.provider", "missing"},
		{"no model", map[string]any{"provider": "openai"}, "runtime.model", "pass --model M"},
		{"unknown tool", map[string]any{"provider": "openai", "model": "m", "config": map[string]any{"tools": []any{"read_file", "web_search"}}}, "runtime.config.tools.1", "web_search"},
		{"shell without allow_shell", map[string]any{"provider": "openai", "model": "m", "tools": []any{"shell"}}, "runtime.tools.0", "allow_shell"},
		{"a temperature of 7", map[string]any{"provider": "openai", "model": "m", "temperature": 7}, "runtime.temperature", "temperature"},
	}
	a := &Agent{}
	for _, tt := range tests {
		ps := a.Check(executor.NodeConfig{ID: "n", Type: "agent", Runtime: tt.rt, MCPServers: servers})
		found := false
		for _, p := range ps {
			if strings.Join(p.Path, ".") == tt.path && strings.Contains(p.Summary+" "+p.Detail, tt.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: problems %+v, want one at %s mentioning %q", tt.name, ps, tt.path, tt.want)
		}
	}
	good := []map[string]any{
		{"provider": "anthropic", "model": "claude-sonnet-4-5", "tools": []any{"read_file", "files.search", "files.*"}},
		{"model": "claude-haiku-4-20250414"},
		{"provider": "ollama", "model": "llama3.2", "tools": []any{"shell"}, "allow_shell": true},
		{"provider": "llama.cpp", "model": "any"},
	}
	for _, rt := range good {
		if ps := a.Check(executor.NodeConfig{ID: "n", Type: "agent", Runtime: rt, MCPServers: servers}); len(ps) > 0 {
			t.Errorf("Check(%v) = %+v, want none", rt, ps)
		}
	}
}

// A tool-call turn: the model reads a file, then answers from it.
func TestAgent_toolLoop(t *testing.T) {
	for _, kind := range []string{"anthropic", "openai"} {
		t.Run(kind, func(t *testing.T) {
			s := serve(t, kind, llmtest.Script{"n": {
				{Text: "Let me read it.", Tool: &llmtest.ToolCall{Name: "read_file", Input: map[string]any{"path": "query.txt"}}},
				{Tool: &llmtest.ToolCall{Name: "read_file", Input: map[string]any{"path": "../escape.txt"}}},
				{Answer: map[string]any{"category": "technical", "confidence": 0.8}},
			}})
			req, out := request(t, map[string]any{"provider": kind, "model": "m", "base_url": s.URL, "api_key": "k", "tools": []any{"read_file"}}, classified...)
			must(t, os.WriteFile(filepath.Join(req.Workdir, "query.txt"), []byte("my API returns 500"), 0o600))
			var notes []string
			req.Note = func(m string) { notes = append(notes, m) }
			res, err := execute(t, Options{}, req)
			if err != nil {
				t.Fatalf("Execute: %v\n%s", err, out)
			}
			calls := res.Usage.ToolCalls
			if len(calls) != 2 || calls[0].Tool != "read_file" || calls[0].Output != "my API returns 500" || calls[0].IsError ||
				calls[0].Input["path"] != "query.txt" || !calls[1].IsError {
				t.Fatalf("tool calls = %+v", calls)
			}
			if len(notes) != 2 || !strings.Contains(notes[0], "read_file") {
				t.Errorf("notes shown live = %q", notes)
			}
			rs := s.Requests()
			if !strings.Contains(bodyText(rs[1].Body), "my API returns 500") {
				t.Errorf("the tool's result did not go back to the model")
			}
			if f := rs[0].Body["tool_choice"]; f == nil {
				t.Errorf("no tool_choice: the model must be made to call a tool")
			}
		})
	}
}

func TestPrices(t *testing.T) {
	p := DefaultPrices()
	tests := []struct {
		provider, model string
		in, out         float64
		ok              bool
	}{
		{"anthropic", "claude-sonnet-4-20250514", 3, 15, true},
		{"anthropic", "claude-opus-4-5-20251101", 5, 25, true},
		{"openai", "gpt-4o-mini-2024-07-18", 0.15, 0.6, true},
		{"openai", "gpt-4o", 2.5, 10, true},
		{"ollama", "llama3.2", 0, 0, true},
		{"openai", "my-finetune", 0, 0, false},
	}
	for _, tt := range tests {
		pr, ok := p.Lookup(tt.provider, tt.model)
		if ok != tt.ok || pr.Input != tt.in || pr.Output != tt.out {
			t.Errorf("Lookup(%s, %s) = %+v, %v", tt.provider, tt.model, pr, ok)
		}
	}
	f := filepath.Join(t.TempDir(), "prices.json")
	must(t, os.WriteFile(f, []byte(`{"openai/my-finetune": {"input": 1, "output": 2}, "openai/gpt-4o": {"input": 9, "output": 9}}`), 0o600))
	p, err := LoadPrices(f)
	must(t, err)
	if pr, ok := p.Lookup("openai", "my-finetune"); !ok || pr.Output != 2 {
		t.Errorf("the file's price was not used: %+v", pr)
	}
	if pr, _ := p.Lookup("openai", "gpt-4o"); pr.Input != 9 {
		t.Errorf("the file did not override the built-in price: %+v", pr)
	}
	must(t, os.WriteFile(f, []byte(`{"x": {"input": -1}}`), 0o600))
	if _, err := LoadPrices(f); err == nil {
		t.Error("a negative price was accepted")
	}
}

func TestOllamaHost(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:11434": "http://127.0.0.1:11434/v1", "gpu-box:11434": "http://gpu-box:11434/v1",
		"http://h:1/v1": "http://h:1/v1", "https://h/": "https://h/v1", "0.0.0.0": "http://0.0.0.0:11434/v1",
	} {
		if got := ollamaURL(in); got != want {
			t.Errorf("ollamaURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// A step handed to an agent: a human node's purpose, done by the
// delegation's model with the built-in tools, recorded as delegated.
func TestDelegate_doesAManualStep(t *testing.T) {
	s := serve(t, "anthropic", llmtest.Script{"review": {
		{Tool: &llmtest.ToolCall{Name: "write_file", Input: map[string]any{"path": "REVIEW.md", "content": "approved"}}},
		{Answer: map[string]any{"decision": "approve"}},
	}})
	t.Setenv("ANTHROPIC_BASE_URL", s.URL)
	t.Setenv("ANTHROPIC_API_KEY", "k")
	req, _ := request(t, nil, executor.OutputSpec{Name: "decision", Type: "string"})
	req.NodeID, req.NodeType, req.Purpose = "review", "human", "Review the change and write REVIEW.md"
	ex := NewDelegate(Options{}, Delegation{Provider: "anthropic", Model: "claude-sonnet-4-5"})
	res, err := ex.Execute(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outputs["decision"] != "approve" || !res.Usage.Delegated || len(res.Usage.ToolCalls) != 1 {
		t.Errorf("result = %+v, usage %+v", res.Outputs, res.Usage)
	}
	if b, _ := os.ReadFile(filepath.Join(req.Workdir, "REVIEW.md")); string(b) != "approved" {
		t.Errorf("REVIEW.md = %q", b)
	}
	var names []string
	for _, tl := range list(s.Requests()[0].Body["tools"]) {
		names = append(names, tl.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "read_file,write_file,http_get,answer" {
		t.Errorf("tools offered = %v; shell must not be among them unless allowed", names)
	}
}

func list(v any) []any { l, _ := v.([]any); return l }
