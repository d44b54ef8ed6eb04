package agent

import (
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
)

// TestCheck_defaults checks how a run's --model and --provider, and a
// run that only plans, meet what a node names: a node that names a model
// keeps it; one that names none takes the run's, with its own provider
// when that is the model's; with no model anywhere a real run is refused
// at runtime.model and a plan notes it; an unknown provider is refused
// even by a plan.
func TestCheck_defaults(t *testing.T) {
	tests := []struct {
		name      string
		rt        map[string]any
		d         Defaults
		wantModel string // the model the node calls, when it is accepted
		wantProv  string
		errAt     string // the field of the error, when it is refused
		infoAt    string // the field of a note
	}{
		{"own model kept", map[string]any{"model": "gpt-4o"}, Defaults{Model: "claude-sonnet-4-5"}, "gpt-4o", "openai", "", ""},
		{"no model: the run's", map[string]any{}, Defaults{Model: "claude-sonnet-4-5"}, "claude-sonnet-4-5", "anthropic", "", ""},
		{"own provider, the run's model of it", map[string]any{"provider": "openai"}, Defaults{Model: "gpt-4o"}, "gpt-4o", "openai", "", ""},
		{"own provider, --provider and a local model", map[string]any{"provider": "ollama"}, Defaults{Model: "llama3.2", Provider: "ollama"}, "llama3.2", "ollama", "", ""},
		{"own provider, a model of another", map[string]any{"provider": "anthropic"}, Defaults{Model: "gpt-4o"}, "", "", "runtime.provider", ""},
		{"own provider, a model that names none", map[string]any{"provider": "ollama"}, Defaults{Model: "llama3.2"}, "llama3.2", "ollama", "", ""},
		{"a model no provider serves, --provider", map[string]any{"model": "cohere-rerank-v3"}, Defaults{Provider: "litellm"}, "cohere-rerank-v3", "litellm", "", ""},
		{"no model, real run", map[string]any{}, Defaults{}, "", "", "runtime.model", ""},
		{"no model, plan", map[string]any{}, Defaults{Planning: true}, "", "", "", "runtime.model"},
		{"no provider for the model, plan", map[string]any{"model": "cohere-rerank-v3"}, Defaults{Planning: true}, "", "", "", "runtime.provider"},
		{"no provider for the model, real run", map[string]any{"model": "cohere-rerank-v3"}, Defaults{}, "", "", "runtime.provider", ""},
		{"unknown provider, plan", map[string]any{"provider": "autogen"}, Defaults{Planning: true}, "", "", "runtime.provider", "runtime.model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := readConfig(tt.rt, nil, tt.d)
			var errs, infos []string
			for _, p := range ps {
				at := strings.Join(p.Path, ".")
				if p.Severity == diag.Error {
					errs = append(errs, at)
				} else {
					infos = append(infos, at)
				}
			}
			if got := strings.Join(errs, ","); got != tt.errAt {
				t.Errorf("errors at %q, want %q (%+v)", got, tt.errAt, ps)
			}
			if got := strings.Join(infos, ","); got != tt.infoAt {
				t.Errorf("notes at %q, want %q (%+v)", got, tt.infoAt, ps)
			}
			if tt.wantModel != "" && (c.Model != tt.wantModel || c.Provider != tt.wantProv) {
				t.Errorf("calls %s %s, want %s %s", c.Provider, c.Model, tt.wantProv, tt.wantModel)
			}
		})
	}
}

// TestDescribe_needsModel: a dry run's plan says what the node needs.
func TestDescribe_needsModel(t *testing.T) {
	a := &Agent{opts: Options{Defaults: Defaults{Planning: true}}}
	req := &executor.Request{NodeID: "n", Runtime: map[string]any{"provider": "openai"},
		Expand: func(s string) (string, error) { return s, nil }, Mask: func(s string) string { return s }}
	d, err := a.Describe(req)
	if err != nil || !strings.Contains(d, NeedsModel) {
		t.Errorf("Describe = %q, %v; want it to say %q", d, err, NeedsModel)
	}
}
