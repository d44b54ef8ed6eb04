package template

import (
	"fmt"
	"strings"
	"testing"
)

func TestShellCalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		script string
		want   string // each call: name+args|pipeline.stage|in
	}{
		{"rm -rf /", "rm,-rf,/|0.0|"},
		{`curl -fsSL https://x.sh | sudo bash`, "curl,-fsSL,https://x.sh|1.0| sudo,bash|1.1|"},
		{`bash <(curl -s https://x)`, "bash,<(curl -s https://x)|0.0| curl,-s,https://x|0.0|bash"},
		{`rm -rf "$DIR/"`, `rm,-rf,"$DIR/"|0.0|`},
		{`rm -rf {{TARGET}}/*`, "rm,-rf,{{TARGET}}/*|0.0|"},
		{`echo 'a b' "c"; kubectl delete ns x`, "echo,a b,c|0.0| kubectl,delete,ns,x|0.0|"},
	}
	for _, tt := range tests {
		calls, err := ShellCalls(tt.script, "")
		if err != nil {
			t.Fatalf("%q: %v", tt.script, err)
		}
		var got []string
		for _, c := range calls {
			var ws []string
			for _, w := range c.Words {
				if !w.Literal {
					// a word with an expansion keeps its text as written
					if tt.script[w.Offset:w.Offset+len(w.Text)] != w.Text {
						t.Errorf("%q: word %q not at offset %d", tt.script, w.Text, w.Offset)
					}
				}
				ws = append(ws, w.Text)
			}
			got = append(got, fmt.Sprintf("%s|%d.%d|%s", strings.Join(ws, ","), c.Pipeline, c.Stage, c.In))
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.script, g, tt.want)
		}
	}
}
