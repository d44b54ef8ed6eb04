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
