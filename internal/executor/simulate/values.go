package simulate

import "github.com/osopdev/osop/internal/executor"

// Synthesize makes a value for each declared output: the first allowed
// value when the declaration lists them, else a value of the declared type
// (string, integer, number, boolean, array, object), else a string naming
// the output. names are outputs declared without a spec.
func Synthesize(specs []executor.OutputSpec, names []string) map[string]any {
	out := make(map[string]any, len(names))
	for _, n := range names {
		out[n] = "simulated " + n
	}
	for _, s := range specs {
		out[s.Name] = valueFor(s)
	}
	return out
}

func valueFor(s executor.OutputSpec) any {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch s.Type {
	case "integer", "int":
		return int64(1)
	case "number", "float":
		return 1.0
	case "boolean", "bool":
		return true
	case "array", "list":
		return []any{}
	case "object", "map":
		return map[string]any{}
	}
	return "simulated " + s.Name
}

// builtins are the outputs the standard executors give whatever a node
// declares, by node type, as a simulated attempt gives them: a command's
// exit code, a response's status, a query's rows.
var builtins = map[string]map[string]any{
	"cli":   {"exit_code": int64(0)},
	"cicd":  {"exit_code": int64(0)},
	"git":   {"exit_code": int64(0)},
	"api":   {"status_code": int64(200), "headers": map[string]any{}, "body": map[string]any{}},
	"db":    {"rows": []any{}, "row_count": int64(0), "rows_affected": int64(0)},
	"event": {"signal": "", "data": map[string]any{}},
	"mcp":   {"text": "", "is_error": false},
}

// Builtins returns a fresh copy of the outputs a node type's executor
// gives whatever the node declares.
func Builtins(nodeType string) map[string]any {
	out := map[string]any{}
	for k, v := range builtins[nodeType] {
		switch x := v.(type) {
		case map[string]any:
			out[k] = map[string]any{}
		case []any:
			out[k] = []any{}
		default:
			out[k] = x
		}
	}
	return out
}
