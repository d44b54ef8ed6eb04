package llmtest

import (
	"fmt"
	"net/http"
	"strings"
)

// checkAnthropic checks a Messages API request against the documented
// shape: POST /v1/messages with x-api-key and anthropic-version; model,
// max_tokens, messages alternating from user, each tool_use answered by
// a tool_result in the next message; tools with an object input_schema;
// a tool_choice of auto, any, tool (a declared one) or none; stream.
func checkAnthropic(r *http.Request, b map[string]any) []string {
	var p problems
	p.want(r.Method == http.MethodPost && r.URL.Path == "/v1/messages", "want POST /v1/messages, got %s %s", r.Method, r.URL.Path)
	p.want(r.Header.Get("x-api-key") != "" || r.Header.Get("Authorization") != "", "no x-api-key header")
	p.want(r.Header.Get("anthropic-version") != "", "no anthropic-version header")
	p.want(str(b["model"]) != "", "model is missing")
	mt, ok := b["max_tokens"].(float64)
	p.want(ok && mt >= 1, "max_tokens must be a positive integer")
	p.want(b["stream"] == true, "stream must be true")
	tools := map[string]bool{}
	for _, t := range list(b["tools"]) {
		tm, _ := t.(map[string]any)
		name := str(tm["name"])
		p.want(name != "", "a tool has no name")
		schema, _ := tm["input_schema"].(map[string]any)
		p.want(schema["type"] == "object", "tool %s: input_schema.type must be object", name)
		tools[name] = true
	}
	if tc, ok := b["tool_choice"].(map[string]any); ok {
		typ := str(tc["type"])
		p.want(typ == "auto" || typ == "any" || typ == "tool" || typ == "none", "tool_choice.type %q", typ)
		p.want(typ != "tool" || tools[str(tc["name"])], "tool_choice names an undeclared tool %q", tc["name"])
	}
	p.anthropicMessages(list(b["messages"]))
	return p
}

// anthropicMessages checks that roles alternate from user and that each
// tool_use is answered by a tool_result in the next message.
func (p *problems) anthropicMessages(msgs []any) {
	p.want(len(msgs) > 0, "messages is empty")
	var pending map[string]bool
	for i, m := range msgs {
		mm, _ := m.(map[string]any)
		role := str(mm["role"])
		want := "user"
		if i%2 == 1 {
			want = "assistant"
		}
		p.want(role == want, "messages[%d].role is %q; roles alternate from user", i, role)
		blocks := list(mm["content"])
		if s, ok := mm["content"].(string); ok {
			p.want(s != "", "messages[%d] is empty", i)
			continue
		}
		p.want(len(blocks) > 0, "messages[%d] has no content", i)
		answered := map[string]bool{}
		calls := map[string]bool{}
		for _, bl := range blocks {
			bm, _ := bl.(map[string]any)
			switch str(bm["type"]) {
			case "text":
				p.want(str(bm["text"]) != "", "messages[%d]: an empty text block", i)
			case "tool_use":
				p.want(role == "assistant", "messages[%d]: tool_use in a %s message", i, role)
				_, isObj := bm["input"].(map[string]any)
				p.want(isObj, "messages[%d]: tool_use input must be an object", i)
				calls[str(bm["id"])] = true
			case "tool_result":
				p.want(role == "user", "messages[%d]: tool_result in a %s message", i, role)
				answered[str(bm["tool_use_id"])] = true
			default:
				p.add("messages[%d]: unknown block type %q", i, bm["type"])
			}
		}
		for id := range pending {
			p.want(answered[id], "messages[%d]: tool_use %s has no tool_result", i, id)
		}
		pending = calls
	}
}

// checkOpenAI checks a Chat Completions request against the documented
// shape: POST /v1/chat/completions with a bearer token; model; messages
// with known roles, each tool message answering an earlier tool call;
// function tools with object parameters; tool_choice auto, required,
// none or a declared function; stream with stream_options.include_usage.
func checkOpenAI(r *http.Request, b map[string]any) []string {
	var p problems
	p.want(r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chat/completions"), "want POST …/chat/completions, got %s %s", r.Method, r.URL.Path)
	p.want(strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "), "no bearer token")
	p.want(str(b["model"]) != "", "model is missing")
	p.want(b["stream"] == true, "stream must be true")
	so, _ := b["stream_options"].(map[string]any)
	p.want(so["include_usage"] == true, "stream_options.include_usage must be true to count tokens")
	tools := map[string]bool{}
	for _, t := range list(b["tools"]) {
		tm, _ := t.(map[string]any)
		p.want(tm["type"] == "function", "a tool's type must be function")
		fn, _ := tm["function"].(map[string]any)
		params, _ := fn["parameters"].(map[string]any)
		p.want(params["type"] == "object", "function %s: parameters.type must be object", fn["name"])
		tools[str(fn["name"])] = true
	}
	switch tc := b["tool_choice"].(type) {
	case string:
		p.want(tc == "auto" || tc == "required" || tc == "none", "tool_choice %q", tc)
	case map[string]any:
		fn, _ := tc["function"].(map[string]any)
		p.want(tc["type"] == "function" && tools[str(fn["name"])], "tool_choice names an undeclared function")
	}
	calls := map[string]bool{}
	for i, m := range list(b["messages"]) {
		mm, _ := m.(map[string]any)
		switch role := str(mm["role"]); role {
		case "system", "developer", "user":
			p.want(str(mm["content"]) != "" || len(list(mm["content"])) > 0, "messages[%d] is empty", i)
		case "assistant":
			for _, tc := range list(mm["tool_calls"]) {
				tm, _ := tc.(map[string]any)
				calls[str(tm["id"])] = true
				fn, _ := tm["function"].(map[string]any)
				_, isStr := fn["arguments"].(string)
				p.want(tm["type"] == "function" && isStr, "messages[%d]: a tool call needs type function and string arguments", i)
			}
		case "tool":
			p.want(calls[str(mm["tool_call_id"])], "messages[%d]: tool message for unknown call %v", i, mm["tool_call_id"])
		default:
			p.add("messages[%d]: unknown role %q", i, role)
		}
	}
	return p
}

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p *problems) want(ok bool, format string, args ...any) {
	if !ok {
		p.add(format, args...)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
