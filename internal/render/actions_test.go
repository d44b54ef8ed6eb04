package render

import (
	"strings"
	"testing"
)

func TestWriteAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a    Action
		ok   bool
		want string
	}{
		{"none", Action{}, false, ""},
		{"one line", Action{Text: "make lint"}, true, "- Does: `make lint`\n"},
		{"backticks inside", Action{Text: "echo `date` ``x``"}, true, "- Does: ``` echo `date` ``x`` ```\n"},
		{"starts with a backtick", Action{Text: "`cmd`"}, true, "- Does: `` `cmd` ``\n"},
		{"cannot be shown", Action{Err: "nothing gives a value for {{X}}"}, true,
			"- Does: (cannot be shown before the run: nothing gives a value for {{X}})\n"},
		{"several lines", Action{Text: "sh -c 'a\n  b\n```\n'"}, true,
			"- Does:\n\n  ````\n  sh -c 'a\n    b\n  ```\n  '\n  ````\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			writeAction(&b, "- Does:", "  ", tt.a, tt.ok)
			if b.String() != tt.want {
				t.Errorf("got %q, want %q", b.String(), tt.want)
			}
		})
	}
}
