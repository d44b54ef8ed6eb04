package httpcall

import (
	"encoding/json"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/template"
)

// expandBody resolves the references in a body written as text. A JSON
// body (its Content-Type says so, or it starts with { or [) gets each
// value as JSON: inside a string literal, escaped as string content;
// elsewhere, as a JSON value (a number, true, false or null as it is,
// anything else as a string). A value never adds keys or ends the
// document. Any other body takes values as they are.
func expandBody(req *executor.Request, body, contentType string) (string, error) {
	trimmed := strings.TrimSpace(body)
	isJSON := strings.Contains(strings.ToLower(contentType), "json") ||
		(contentType == "" && (strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "[")))
	if !isJSON || req.ExpandEach == nil {
		return req.Expand(body)
	}
	inString := jsonStringPlaces(body)
	return req.ExpandEach(body, func(offset int, v string) (string, error) {
		if inString[offset] {
			q := jsonString(v)
			return q[1 : len(q)-1], nil
		}
		var x any
		if t := strings.TrimSpace(v); json.Valid([]byte(t)) && json.Unmarshal([]byte(t), &x) == nil {
			switch x.(type) {
			case float64, bool, nil:
				return t, nil
			}
		}
		return jsonString(v), nil
	})
}

// jsonString is v as a JSON string, with < > & left as they are.
func jsonString(v string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// jsonStringPlaces reports, for each reference in a JSON template (by
// offset), whether it stands inside a string literal.
func jsonStringPlaces(body string) map[int]bool {
	refs := template.Scan(body)
	starts := map[int]int{}
	for _, r := range refs {
		starts[r.Offset] = len(r.Text)
	}
	out := map[int]bool{}
	in, escaped := false, false
	for i := 0; i < len(body); i++ {
		if n, ok := starts[i]; ok {
			out[i] = in
			i += n - 1
			escaped = false
			continue
		}
		switch c := body[i]; {
		case escaped:
			escaped = false
		case in && c == '\\':
			escaped = true
		case c == '"':
			in = !in
		}
	}
	return out
}
