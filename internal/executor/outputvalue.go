package executor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/osopdev/osop/internal/ast"
)

// Check reads s, a value a person gave for this output (a manual step's
// answer, an approver's), as the declared type, and checks it against the
// declared enum. A value that is not what the workflow declares must be
// refused where it is given: downstream a condition on it would read
// nothing, every branch would be false, and the run would end "completed".
func (o OutputSpec) Check(s string) (any, error) {
	v, err := ast.ParseAs(o.Type, s)
	if err != nil {
		return nil, fmt.Errorf("output %s: %q is not %s", o.Name, s, typePhrase(o.Type))
	}
	if len(o.Enum) == 0 {
		return v, nil
	}
	allowed := make([]string, len(o.Enum))
	for i, e := range o.Enum {
		allowed[i] = fmt.Sprint(e)
		if allowed[i] == fmt.Sprint(v) {
			return v, nil
		}
	}
	return nil, fmt.Errorf("output %s: %q is not one of %s", o.Name, s, strings.Join(allowed, ", "))
}

// Want says what the output takes, for a hint: "an integer", "one of ok, redo".
func (o OutputSpec) Want() string {
	if len(o.Enum) > 0 {
		allowed := make([]string, len(o.Enum))
		for i, e := range o.Enum {
			allowed[i] = fmt.Sprint(e)
		}
		return "one of " + strings.Join(allowed, ", ")
	}
	return typePhrase(o.Type)
}

func typePhrase(t string) string {
	switch t {
	case "integer":
		return "an integer"
	case "number":
		return "a number"
	case "boolean":
		return "true or false"
	case "array":
		return "a JSON array"
	case "object":
		return "a JSON object"
	}
	return "a string"
}

// CheckOutputs checks each given value against the spec of its name (see
// [OutputSpec.Check]), in name order; a name without a spec keeps its text.
func CheckOutputs(specs []OutputSpec, given map[string]string) (map[string]any, error) {
	names := make([]string, 0, len(given))
	for k := range given {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]any, len(given))
	for _, name := range names {
		spec := OutputSpec{Name: name}
		for _, s := range specs {
			if s.Name == name {
				spec = s
			}
		}
		v, err := spec.Check(given[name])
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}
