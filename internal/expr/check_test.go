package expr

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	env, err := NewEnv([]Decl{{Name: "health_status"}, {Name: "count", Type: "integer"}, {Name: "tests_failed", Type: "boolean"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		src       string
		wantIssue string // substring of the first issue; "" for none
		idents    []string
		outputs   []string // node.field
		calls     []string // func:node
		hint      string
	}{
		{src: "health_status.status != 'ok'", idents: []string{"health_status"}},
		{src: "tests_failed", idents: []string{"tests_failed"}},
		{src: "outputs.build.digest != ''", outputs: []string{"build.digest"}},
		{src: "outputs.build != null && outputs.test.passed", outputs: []string{"build.", "test.passed"}},
		{src: "status('deploy') == 'timeout' || error_of('deploy').contains('OOM')", calls: []string{"status:deploy", "error_of:deploy"}},
		{src: "attempt() <= 3 && now() > timestamp('2020-01-01T00:00:00Z')"},
		{src: "inputs.tags.exists(t, t == 'urgent')"},
		{src: "count + 1 > 'a'", wantIssue: "no matching overload"},
		{src: "result != success", wantIssue: "undeclared reference to 'result'"},
		{src: "selected_route contains 'x'", wantIssue: "undeclared reference to 'selected_route'"},
		{src: "count contains", wantIssue: "extraneous input"},
		{src: "items.length == 0", wantIssue: "undeclared reference to 'items'"},
		{src: "health_status.errors.length == 0", idents: []string{"health_status"}, hint: "CEL has no .length"},
		{src: strings.Repeat("[", 120) + "1" + strings.Repeat("]", 120), wantIssue: "nest"},
	}
	for _, tt := range tests {
		t.Run(tt.src[:min(len(tt.src), 40)], func(t *testing.T) {
			c, iss := env.Check(tt.src)
			if tt.wantIssue != "" {
				if len(iss) == 0 || !strings.Contains(iss[0].Message, tt.wantIssue) {
					t.Fatalf("issues %v, want one containing %q", iss, tt.wantIssue)
				}
				return
			}
			if len(iss) > 0 {
				t.Fatalf("unexpected issues %v", iss)
			}
			var idents, outs, calls []string
			for _, r := range c.Idents {
				idents = append(idents, r.Name)
			}
			for _, r := range c.Outputs {
				outs = append(outs, r.Name+"."+r.Field)
			}
			for _, r := range c.NodeCalls {
				calls = append(calls, r.Func+":"+r.Name)
			}
			if strings.Join(idents, ",") != strings.Join(tt.idents, ",") {
				t.Errorf("idents %v, want %v", idents, tt.idents)
			}
			if strings.Join(outs, ",") != strings.Join(tt.outputs, ",") {
				t.Errorf("outputs %v, want %v", outs, tt.outputs)
			}
			if strings.Join(calls, ",") != strings.Join(tt.calls, ",") {
				t.Errorf("calls %v, want %v", calls, tt.calls)
			}
			if tt.hint != "" && (len(c.Hints) == 0 || !strings.Contains(c.Hints[0].Message, tt.hint)) {
				t.Errorf("hints %v, want %q", c.Hints, tt.hint)
			}
		})
	}
}
