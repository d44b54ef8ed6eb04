package ast

import (
	"strconv"
	"strings"

	"github.com/osopdev/osop/internal/diag"
)

// Kind is the kind of a [Value].
type Kind uint8

// The kinds of values a YAML or JSON document holds.
const (
	Null Kind = iota
	Bool
	Int
	Float
	String
	List
	Map
)

var kindNames = [...]string{"null", "boolean", "integer", "number", "string", "list", "map"}

func (k Kind) String() string { return kindNames[k] }

// Style records how a string scalar was written, so that positions inside
// it (a CEL error's column, say) can be mapped back to the file.
type Style uint8

// The scalar styles.
const (
	Plain Style = iota
	DoubleQuoted
	SingleQuoted
	Literal // |
	Folded  // >
	Flow    // a JSON-style {…} or […] collection
)

// Value is one node of a parsed document. Aliases and merge keys are
// already expanded, so a Value is a plain tree.
type Value struct {
	Kind   Kind
	Bool   bool
	Int    int64
	Float  float64
	Str    string // the string value; for other scalars, the literal text
	Items  []*Value
	Fields []*Field
	Style  Style
	Range  diag.Range
}

// Field is one key of a map, in document order.
type Field struct {
	Key      string
	KeyRange diag.Range
	Value    *Value
}

// Get returns the value of key in a map, or nil.
func (v *Value) Get(key string) *Value {
	if f := v.Field(key); f != nil {
		return f.Value
	}
	return nil
}

// Field returns the field named key in a map, or nil.
func (v *Value) Field(key string) *Field {
	if v == nil || v.Kind != Map {
		return nil
	}
	for _, f := range v.Fields {
		if f.Key == key {
			return f
		}
	}
	return nil
}

// IsMap reports whether v is a map.
func (v *Value) IsMap() bool { return v != nil && v.Kind == Map }

// IsList reports whether v is a list.
func (v *Value) IsList() bool { return v != nil && v.Kind == List }

// IsScalar reports whether v is a string, number, boolean or null.
func (v *Value) IsScalar() bool { return v != nil && v.Kind < List }

// String returns v as a string when it is a scalar: a string itself, or the
// literal text of a number or boolean. ok is false for lists, maps and nil.
func (v *Value) String() (s string, ok bool) {
	if v == nil || v.Kind == List || v.Kind == Map || v.Kind == Null {
		return "", false
	}
	return v.Str, true
}

// Number returns v as a float64 when it is an integer or a number.
func (v *Value) Number() (float64, bool) {
	switch {
	case v == nil:
		return 0, false
	case v.Kind == Int:
		return float64(v.Int), true
	case v.Kind == Float:
		return v.Float, true
	}
	return 0, false
}

// Lookup follows a path of map keys and list indexes (as decimal strings),
// the form JSON Schema validators report instance locations in.
func (v *Value) Lookup(path []string) *Value {
	for _, p := range path {
		switch {
		case v == nil:
			return nil
		case v.Kind == Map:
			v = v.Get(p)
		case v.Kind == List:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(v.Items) {
				return nil
			}
			v = v.Items[i]
		default:
			return nil
		}
	}
	return v
}

// Interface converts v to plain Go values (map[string]any, []any, string,
// int64, float64, bool, nil), the form JSON Schema and CEL consume.
func (v *Value) Interface() any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case Bool:
		return v.Bool
	case Int:
		return v.Int
	case Float:
		return v.Float
	case String:
		return v.Str
	case List:
		out := make([]any, len(v.Items))
		for i, it := range v.Items {
			out[i] = it.Interface()
		}
		return out
	case Map:
		out := make(map[string]any, len(v.Fields))
		for _, f := range v.Fields {
			out[f.Key] = f.Value.Interface()
		}
		return out
	}
	return nil
}

// Keys returns the keys of a map in document order.
func (v *Value) Keys() []string {
	if v == nil || v.Kind != Map {
		return nil
	}
	keys := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		keys[i] = f.Key
	}
	return keys
}

// Describe names v's kind for messages: "a string", "a list", ….
func (v *Value) Describe() string {
	if v == nil {
		return "nothing"
	}
	k := v.Kind.String()
	if strings.IndexByte("aeiou", k[0]) >= 0 {
		return "an " + k
	}
	return "a " + k
}
