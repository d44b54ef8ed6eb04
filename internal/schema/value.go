package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Value is a JSON Schema compiled for checking values that are not
// workflow files: an agent's answer against the outputs its node declares.
type Value struct{ s *jsonschema.Schema }

// CompileValue compiles a schema given as decoded JSON.
func CompileValue(schema map[string]any) (*Value, error) {
	// The compiler reads JSON's own types only ([]any, not []string).
	b, err := json.Marshal(schema)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://osop.dev/schemas/value.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return &Value{s: s}, nil
}

// Problems checks x (decoded JSON) and returns one line per problem, each
// naming the field it concerns; none when x is valid.
func (v *Value) Problems(x any) []string {
	err := v.s.Validate(x)
	if err == nil {
		return nil
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return []string{err.Error()}
	}
	var out []string
	leaves(verr, &out)
	sort.Strings(out)
	return out
}

func leaves(e *jsonschema.ValidationError, out *[]string) {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			leaves(c, out)
		}
		return
	}
	where := "the answer"
	if len(e.InstanceLocation) > 0 {
		where = strings.Join(e.InstanceLocation, ".")
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			if len(e.InstanceLocation) > 0 {
				m = where + "." + m
			}
			*out = append(*out, m+" is missing")
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			*out = append(*out, fmt.Sprintf("%s is not a declared field", p))
		}
	default:
		*out = append(*out, where+": "+e.ErrorKind.LocalizedString(printer))
	}
}
