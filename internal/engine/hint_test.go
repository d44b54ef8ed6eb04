package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/executor/all"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/run"
)

// TestRun_missingValueHint: a value nothing gives fails its node with the
// flag that gives it (--input for inputs, --secret for secrets, --var for
// variables), without repeating the node's id.
func TestRun_missingValueHint(t *testing.T) {
	t.Parallel()
	tests := []struct{ command, want string }{
		{"echo ${inputs.zone}", "nothing gives a value for ${inputs.zone} (pass --input zone=…)"},
		{"echo ${secrets.TOKEN}", "nothing gives a value for ${secrets.TOKEN} (pass --secret TOKEN=…)"},
		{"echo {{REGION}} {{ZONE}}", "nothing gives a value for {{REGION}}, {{ZONE}} (pass --var REGION=… and --var ZONE=…, or make an earlier node output them)"},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			t.Parallel()
			src := "osop_version: \"2.0\"\nid: w\nname: W\nnodes:\n  - {id: a, type: cli, runtime: {command: '" + tt.command + "'}}\n"
			doc, _ := parse.Bytes("w.osop.yaml", []byte(src), parse.DefaultLimits)
			r, err := Run(context.Background(), Options{Workflow: doc.Workflow, Registry: all.Registry(), RunID: "r", Workdir: t.TempDir(), TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != run.Failed || len(r.Failures) != 1 || r.Failures[0] != "a: "+tt.want {
				t.Errorf("failures %q, want [%q]", r.Failures, "a: "+tt.want)
			}
			if strings.Count(r.Failures[0], "a: ") != 1 {
				t.Errorf("the node is named more than once: %q", r.Failures[0])
			}
		})
	}
}
