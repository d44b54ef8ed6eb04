package ast

import (
	"reflect"
	"testing"
)

func TestParamParse(t *testing.T) {
	tests := []struct {
		typ, in string
		want    any
		bad     bool
	}{
		{"integer", " 42\n", int64(42), false},
		{"integer", "4.2", nil, true},
		{"number", "0.5", 0.5, false},
		{"boolean", "true", true, false},
		{"boolean", "yes", nil, true},
		{"array", `[1, "a"]`, []any{1.0, "a"}, false},
		{"object", `{"ok": true}`, map[string]any{"ok": true}, false},
		{"object", `{`, nil, true},
		{"string", " kept as is ", " kept as is ", false},
		{"", "7", "7", false},
	}
	for _, tt := range tests {
		got, err := (&Param{Name: "p", Type: tt.typ}).Parse(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("Parse(%s %q) = %v, want an error", tt.typ, tt.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%s %q) = %#v, %v; want %#v", tt.typ, tt.in, got, err, tt.want)
		}
	}
}
