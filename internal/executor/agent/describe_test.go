package agent

import (
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/executor"
)

// TestDescribe_resolvesModel: the action names the model the request
// uses, its template resolved (--var MODEL=…), not the template.
func TestDescribe_resolvesModel(t *testing.T) {
	req := &executor.Request{NodeID: "n", Runtime: map[string]any{"provider": "openai", "model": "{{MODEL}}", "tools": []any{"read_file"}},
		Expand: func(s string) (string, error) { return strings.ReplaceAll(s, "{{MODEL}}", "gpt-test"), nil },
		Mask:   func(s string) string { return s }}
	got, err := (&Agent{}).Describe(req)
	if err != nil || got != "openai gpt-test · tools: read_file" {
		t.Errorf("Describe = %q, %v; want %q", got, err, "openai gpt-test · tools: read_file")
	}
}
