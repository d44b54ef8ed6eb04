package agent

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/schema"
)

// answerTool is the tool the model returns its result through.
const answerTool = "answer"

// outputSchema is the JSON Schema of the answer: output_schema where the
// node gives one (a JSON Schema, or the corpus's shorthand of field to
// type name), else an object with one property per declared output,
// typed where the declaration says, all required.
func outputSchema(c config, specs []executor.OutputSpec) map[string]any {
	if m, ok := c.OutputSchema.(map[string]any); ok && len(m) > 0 {
		if _, isSchema := m["properties"]; isSchema || m["type"] == "object" {
			return m
		}
		return shorthand(m).(map[string]any)
	}
	props := map[string]any{}
	required := []string{}
	for _, o := range specs {
		p := map[string]any{}
		if o.Type != "" {
			p["type"] = o.Type
		}
		if o.Description != "" {
			p["description"] = o.Description
		}
		if len(o.Enum) > 0 {
			p["enum"] = o.Enum
		}
		props[o.Name] = p
		required = append(required, o.Name)
	}
	if len(specs) == 0 {
		// A node that declares nothing still gets its answer recorded.
		props["result"] = map[string]any{"type": "string", "description": "the outcome of the task"}
		required = append(required, "result")
	}
	return map[string]any{"type": "object", "properties": props, "required": required}
}

// shorthand reads {field: "string", score: "float", tags: ["string"],
// verdict: "approve | request_changes"} as a JSON Schema.
func shorthand(v any) any {
	switch x := v.(type) {
	case map[string]any:
		props := map[string]any{}
		required := make([]string, 0, len(x))
		for k, t := range x {
			props[k] = shorthand(t)
			required = append(required, k)
		}
		sort.Strings(required)
		return map[string]any{"type": "object", "properties": props, "required": required}
	case []any:
		if len(x) == 0 {
			return map[string]any{"type": "array"}
		}
		return map[string]any{"type": "array", "items": shorthand(x[0])}
	case string:
		if strings.Contains(x, "|") {
			var enum []any
			for _, e := range strings.Split(x, "|") {
				enum = append(enum, strings.TrimSpace(e))
			}
			return map[string]any{"type": "string", "enum": enum}
		}
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "int", "integer":
			return map[string]any{"type": "integer"}
		case "float", "number", "double":
			return map[string]any{"type": "number"}
		case "bool", "boolean":
			return map[string]any{"type": "boolean"}
		case "list", "array":
			return map[string]any{"type": "array"}
		case "object", "map", "dict":
			return map[string]any{"type": "object"}
		case "", "any":
			return map[string]any{}
		}
		return map[string]any{"type": "string"}
	}
	return map[string]any{}
}

// checker validates answers against the output schema.
type checker struct {
	v      *schema.Value
	fields []string
}

func newChecker(s map[string]any) (*checker, error) {
	v, err := schema.CompileValue(s)
	if err != nil {
		return nil, err
	}
	c := &checker{v: v}
	if props, ok := s["properties"].(map[string]any); ok {
		for k := range props {
			c.fields = append(c.fields, k)
		}
		sort.Strings(c.fields)
	}
	return c, nil
}

// check decodes an answer and returns its fields, or what is wrong with
// it, field by field.
func (c *checker) check(input json.RawMessage) (map[string]any, []string) {
	var v any
	if err := json.Unmarshal(input, &v); err != nil {
		return nil, []string{"the answer is not JSON: " + err.Error()}
	}
	if problems := c.v.Problems(v); len(problems) > 0 {
		return nil, problems
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, []string{fmt.Sprintf("the answer is %T; want an object", v)}
	}
	return m, nil
}
