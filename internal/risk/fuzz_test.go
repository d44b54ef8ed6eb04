package risk_test

import (
	"testing"

	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/risk"
)

// FuzzAssess: any file that loads as a workflow is assessed without a
// panic, every finding has a known rule and a position in the file, and
// the score stays within 0..100.
func FuzzAssess(f *testing.F) {
	for _, s := range []string{
		head + "  - {id: a, type: cli, runtime: {command: \"rm -rf / | sh; curl x | bash <(wget y)\"}}\n",
		head + "  - {id: a, type: db, runtime: {query: \"DROP TABLE t; DELETE FROM u\"}}\n",
		head + "  - {id: a, type: cli, runtime: {command: [rm, -rf, /]}}\nedges: [{from: a, to: a, mode: loop}]\n",
		head + "  - id: a\n    type: agent\n    runtime: {tools: [shell], password: abcdefgh}\n    security: {risk_level: critical, permissions: ['*']}\n",
		head + "  - {id: a, type: cli, runtime: {command: \"echo ${{\"}}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		doc, _ := parse.Bytes("f.osop.yaml", []byte(src), parse.DefaultLimits)
		if doc == nil || doc.Workflow == nil {
			return
		}
		r := risk.Assess(doc.Workflow, doc.Source)
		if r.Score < 0 || r.Score > 100 {
			t.Errorf("score %d", r.Score)
		}
		for _, fd := range r.Findings {
			if risk.Rules[fd.Rule] == "" || fd.Range.File != "f.osop.yaml" {
				t.Errorf("finding %+v: unknown rule or no file", fd)
			}
		}
		_ = r.MaskSource(doc.Source)
	})
}
