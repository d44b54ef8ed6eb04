package schema

import (
	"strings"
	"testing"
)

func TestField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		object, field, want string
		ok                  bool
	}{
		{"node", "type", "type: string", true},
		{"node", "retry_policy", "max_retries", true},
		{"edge", "mode", "type: string", true},
		{"workflow", "nodes", "minItems: 1", true},
		{"node", "no_such_field", "", false},
		{"case", "to", "", false},
	}
	for _, tt := range tests {
		got, ok := Field(tt.object, tt.field)
		if ok != tt.ok || !strings.Contains(got, tt.want) {
			t.Errorf("Field(%q, %q) = %q, %v; want %q, %v", tt.object, tt.field, got, ok, tt.want, tt.ok)
		}
	}
}
