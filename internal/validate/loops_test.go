package validate

import (
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/parse"
)

// notes validates src and returns "LINE:COL severity code: summary | detail"
// for every diagnostic with one of the codes.
func notes(t *testing.T, src string, codes ...string) []string {
	t.Helper()
	doc, ds := parse.Bytes("w.osop.yaml", []byte(src), parse.DefaultLimits)
	ds = append(ds, Document(doc, Options{})...)
	ds.Sort()
	var out []string
	for _, d := range ds {
		for _, c := range codes {
			if d.Code == c {
				out = append(out, posString(d.Subject)+" "+d.Severity.String()+" "+d.Code+": "+d.Summary+" | "+d.Detail)
			}
		}
	}
	return out
}

func TestLoops(t *testing.T) {
	const head = "osop_version: \"2.0\"\nid: w\nname: W\n"
	tests := []struct {
		name, src string
		want      []string // prefixes
	}{{
		name: "a review loop is a bounded loop, noted",
		src: head + `nodes: [{id: revise, type: cli}, {id: review, type: cli, outputs: [verdict]}, {id: publish, type: cli}]
edges:
  - {from: revise, to: review}
  - {from: review, to: revise, mode: conditional, when: "verdict == 'reject'"}
  - {from: review, to: publish, mode: conditional, when: "verdict == 'approve'"}
`,
		want: []string{"7:24 info loop: loop revise → review → revise | review → revise (conditional) decides whether it goes round again; " +
			"each time, revise, review run again as a new iteration. Bound: 10 (the default"},
	}, {
		name: "a fallback loop with its own bound",
		src: head + `nodes: [{id: extract, type: cli}, {id: validate, type: cli}]
edges:
  - {from: extract, to: validate}
  - {from: validate, to: extract, mode: fallback, max_iterations: 3}
`,
		want: []string{"7:26 info loop: loop extract → validate → extract | validate → extract (fallback) decides whether it goes round again; " +
			"each time, extract, validate run again as a new iteration. Bound: 3 (max_iterations of validate → extract); at the bound, validate fails"},
	}, {
		name: "a cycle nothing guards is an error",
		src: head + `nodes: [{id: a, type: cli}, {id: b, type: cli}]
edges:
  - {from: a, to: b}
  - {from: b, to: a}
`,
		want: []string{"7:19 error cycle: cycle a → b → a: nothing guards it"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := notes(t, tt.src, "loop", "cycle")
			if len(got) != len(tt.want) {
				t.Fatalf("got %d notes, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for k := range got {
				if !strings.HasPrefix(got[k], tt.want[k]) {
					t.Errorf("got  %s\nwant %s…", got[k], tt.want[k])
				}
			}
		})
	}
}

func TestConditions(t *testing.T) {
	const src = `osop_version: "2.0"
id: w
name: W
inputs: [{name: category, type: string}]
nodes: [{id: a, type: cli}, {id: b, type: cli}, {id: c, type: cli}]
edges:
  - {from: a, to: b, mode: conditional, when: "category == 'routine' OR category == 'sales'"}
  - {from: a, to: c, mode: conditional, when: "category == 'other'"}
`
	got := notes(t, src, "condition-rewrite", "expression-syntax", "expression-type")
	want := []string{"7:47 info condition-rewrite: when \"category == 'routine' OR category == 'sales'\" runs as the CEL " +
		"\"category == 'routine' || category == 'sales'\" | it is written in the editor's style"}
	if len(got) != len(want) || !strings.HasPrefix(got[0], want[0]) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
