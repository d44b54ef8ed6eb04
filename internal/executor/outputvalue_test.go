package executor

import (
	"reflect"
	"strings"
	"testing"
)

func TestOutputSpecCheck(t *testing.T) {
	tests := []struct {
		spec    OutputSpec
		in      string
		want    any
		wantErr string
	}{
		{OutputSpec{Name: "n", Type: "integer"}, " 12 ", int64(12), ""},
		{OutputSpec{Name: "n", Type: "integer"}, "abc", nil, `output n: "abc" is not an integer`},
		{OutputSpec{Name: "n", Type: "integer"}, "1.5", nil, "not an integer"},
		{OutputSpec{Name: "x", Type: "number"}, "1.5", 1.5, ""},
		{OutputSpec{Name: "x", Type: "number"}, "one", nil, "not a number"},
		{OutputSpec{Name: "b", Type: "boolean"}, "true", true, ""},
		{OutputSpec{Name: "b", Type: "boolean"}, "maybe", nil, "not true or false"},
		{OutputSpec{Name: "o", Type: "object"}, `{"a":1}`, map[string]any{"a": 1.0}, ""},
		{OutputSpec{Name: "o", Type: "object"}, `[1]`, nil, "not a JSON object"},
		{OutputSpec{Name: "l", Type: "array"}, `[1]`, []any{1.0}, ""},
		{OutputSpec{Name: "l", Type: "array"}, `{}`, nil, "not a JSON array"},
		{OutputSpec{Name: "s"}, "anything", "anything", ""},
		{OutputSpec{Name: "v", Type: "string", Enum: []any{"ok", "redo"}}, "redo", "redo", ""},
		{OutputSpec{Name: "v", Type: "string", Enum: []any{"ok", "redo"}}, "bogus", nil, `output v: "bogus" is not one of ok, redo`},
		{OutputSpec{Name: "k", Type: "integer", Enum: []any{int64(1), int64(2)}}, "2", int64(2), ""},
		{OutputSpec{Name: "k", Type: "integer", Enum: []any{int64(1), int64(2)}}, "3", nil, "not one of 1, 2"},
	}
	for _, tt := range tests {
		got, err := tt.spec.Check(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v.Check(%q) = %v, %v; want error %q", tt.spec, tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v.Check(%q) = %#v, %v; want %#v", tt.spec, tt.in, got, err, tt.want)
		}
	}
}
