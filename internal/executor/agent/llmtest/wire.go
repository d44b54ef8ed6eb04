package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The streams below follow the providers' documentation: Anthropic's
// "Streaming Messages" event flow (message_start, content_block_start,
// content_block_delta with text_delta or input_json_delta,
// content_block_stop, message_delta, message_stop) and OpenAI's chat
// completion chunk objects ending with a usage chunk and [DONE].

func (s *Server) streamAnthropic(w http.ResponseWriter, r *http.Request, model string, t Turn) {
	w.Header().Set("Content-Type", "text/event-stream")
	in, out := tokens(t)
	sse(w, "message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": "msg_test", "type": "message", "role": "assistant", "content": []any{}, "model": model,
		"stop_reason": nil, "stop_sequence": nil, "usage": map[string]any{"input_tokens": in, "output_tokens": 1}}})
	if t.Stall {
		s.stall(w, r)
		return
	}
	if t.Malformed {
		fmt.Fprint(w, "event: content_block_start\ndata: {\"type\": \"content_block_start\", \"index\": 0, \n\n")
		return
	}
	idx := 0
	if t.Text != "" {
		sse(w, "content_block_start", map[string]any{"type": "content_block_start", "index": idx, "content_block": map[string]any{"type": "text", "text": ""}})
		for _, part := range chunks(t.Text) {
			sse(w, "content_block_delta", map[string]any{"type": "content_block_delta", "index": idx, "delta": map[string]any{"type": "text_delta", "text": part}})
		}
		sse(w, "content_block_stop", map[string]any{"type": "content_block_stop", "index": idx})
		idx++
	}
	stop := "end_turn"
	if name, input, ok := call(t); ok {
		stop = "tool_use"
		sse(w, "content_block_start", map[string]any{"type": "content_block_start", "index": idx, "content_block": map[string]any{
			"type": "tool_use", "id": fmt.Sprintf("toolu_%d", idx), "name": name, "input": map[string]any{}}})
		for _, part := range chunks(input) {
			sse(w, "content_block_delta", map[string]any{"type": "content_block_delta", "index": idx, "delta": map[string]any{"type": "input_json_delta", "partial_json": part}})
		}
		sse(w, "content_block_stop", map[string]any{"type": "content_block_stop", "index": idx})
	}
	sse(w, "message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stop, "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": out}})
	sse(w, "message_stop", map[string]any{"type": "message_stop"})
}

func (s *Server) streamOpenAI(w http.ResponseWriter, r *http.Request, model string, t Turn) {
	w.Header().Set("Content-Type", "text/event-stream")
	in, out := tokens(t)
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
	}
	sse(w, "", chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	if t.Stall {
		s.stall(w, r)
		return
	}
	if t.Malformed {
		fmt.Fprint(w, "data: {\"id\": \"chatcmpl-test\", \"choices\": [\n\n")
		return
	}
	for _, part := range chunks(t.Text) {
		sse(w, "", chunk(map[string]any{"content": part}, nil))
	}
	finish := "stop"
	if name, input, ok := call(t); ok {
		finish = "tool_calls"
		parts := chunks(input)
		for i, part := range parts {
			tc := map[string]any{"index": 0, "function": map[string]any{"arguments": part}}
			if i == 0 {
				tc["id"], tc["type"] = "call_0", "function"
				tc["function"].(map[string]any)["name"] = name
			}
			sse(w, "", chunk(map[string]any{"tool_calls": []any{tc}}, nil))
		}
	}
	sse(w, "", chunk(map[string]any{}, finish))
	sse(w, "", map[string]any{"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
		"choices": []any{}, "usage": map[string]any{"prompt_tokens": in, "completion_tokens": out, "total_tokens": in + out}})
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func call(t Turn) (string, string, bool) {
	switch {
	case t.Answer != nil:
		b, _ := json.Marshal(t.Answer)
		return "answer", string(b), true
	case t.Tool != nil:
		b, _ := json.Marshal(t.Tool.Input)
		return t.Tool.Name, string(b), true
	}
	return "", "", false
}

// chunks splits s in pieces, as a stream delivers it.
func chunks(s string) []string {
	var out []string
	for len(s) > 7 {
		out = append(out, s[:7])
		s = s[7:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func anthropicSystem(body map[string]any) string {
	switch x := body["system"].(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for _, it := range x {
			if m, ok := it.(map[string]any); ok {
				t, _ := m["text"].(string)
				b.WriteString(t)
			}
		}
		return b.String()
	}
	return ""
}

func openaiSystem(body map[string]any) string {
	msgs, _ := body["messages"].([]any)
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		if mm["role"] == "system" || mm["role"] == "developer" {
			s, _ := mm["content"].(string)
			return s
		}
	}
	return ""
}
