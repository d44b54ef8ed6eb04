package agent

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/osopdev/osop/internal/executor"
)

// systemPrompt is the node's system prompt, with what osop asks of every
// agent after it.
func systemPrompt(c config, req *executor.Request) string {
	var b strings.Builder
	if c.System != "" {
		b.WriteString(expandOr(req, c.System))
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "You carry out step %q of a workflow run by osop. ", req.NodeID)
	b.WriteString("Use the tools you are given when they help. When the step is done, call the tool `" + answerTool +
		"` once, with exactly the fields its schema asks for; do not answer in prose.")
	return b.String()
}

// userPrompt is the task: the purpose as the instruction, then the
// explanation, the success criteria, the input values and the handoff
// context.
func userPrompt(req *executor.Request, schema map[string]any) string {
	var b strings.Builder
	b.WriteString("Task: " + expandOr(req, req.Purpose) + "\n")
	if ex := explainText(req.Node["explain"]); ex != "" {
		b.WriteString("\nWhy and how:\n" + expandOr(req, ex) + "\n")
	}
	if sc := listOf(req.Node["success_criteria"]); len(sc) > 0 {
		b.WriteString("\nSuccess criteria:\n")
		for _, s := range sc {
			b.WriteString("- " + expandOr(req, s) + "\n")
		}
	}
	writeValues(&b, "Inputs", req.Inputs)
	if h, from := handoff(req); len(h) > 0 {
		title := "Context handed over"
		if from != "" {
			title += " from " + from
		}
		writeValues(&b, title, h)
	}
	fields, _ := json.Marshal(schema["properties"])
	b.WriteString("\nReturn the result with the `" + answerTool + "` tool; its fields: " + string(fields) + "\n")
	return b.String()
}

func writeValues(b *strings.Builder, title string, m map[string]any) {
	if len(m) == 0 {
		return
	}
	b.WriteString("\n" + title + ":\n")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := m[k]
		if s, ok := v.(string); ok {
			fmt.Fprintf(b, "- %s: %s\n", k, s)
			continue
		}
		j, _ := json.Marshal(v)
		fmt.Fprintf(b, "- %s: %s\n", k, j)
	}
}

// handoff reads handoff.context_keys: each key's value from the node's
// inputs, else the handing node's outputs, else any earlier output.
func handoff(req *executor.Request) (map[string]any, string) {
	h, _ := req.Node["handoff"].(map[string]any)
	if h == nil {
		return nil, ""
	}
	from, _ := h["from"].(string)
	out := map[string]any{}
	for _, k := range listOf(h["context_keys"]) {
		if v, ok := req.Inputs[k]; ok {
			out[k] = v
			continue
		}
		refs := []string{"{{" + k + "}}"}
		if from != "" {
			refs = append([]string{"${outputs." + from + "." + k + "}"}, refs...)
		}
		for _, r := range refs {
			if v, err := req.Expand(r); err == nil {
				out[k] = v
				break
			}
		}
	}
	return out, from
}

func explainText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		var parts []string
		for _, k := range []string{"why", "what", "result"} {
			if s, ok := x[k].(string); ok && s != "" {
				parts = append(parts, k+": "+s)
			}
		}
		return strings.Join(parts, "\n")
	}
	return ""
}

func listOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, it := range x {
			if s, ok := it.(string); ok {
				out = append(out, s)
			} else if m, ok := it.(map[string]any); ok {
				j, _ := json.Marshal(m)
				out = append(out, string(j))
			}
		}
		return out
	}
	return nil
}

// expandOr fills templates in s, keeping s as written where something is
// missing: a prompt may mention ${x} as text.
func expandOr(req *executor.Request, s string) string {
	if req.Expand == nil {
		return s
	}
	if v, err := req.Expand(s); err == nil {
		return v
	}
	return s
}
