package validate

import (
	"fmt"
	"testing"

	"github.com/osopdev/osop/internal/parse"
)

// TestMissing_positions: each reference to a missing value is reported
// once, at its own line and column, in every style of string: several on
// one line, one on each line of a block scalar, in quoted scalars.
func TestMissing_positions(t *testing.T) {
	src := `osop_version: "2.0"
id: m
name: M
nodes:
  - id: a
    type: cli
    runtime:
      command: |
        echo ${secrets.TOKEN}
        echo x ${secrets.TOKEN}
        echo ${secrets.TOKEN} ${secrets.OTHER} ${secrets.TOKEN}
  - id: b
    type: cli
    runtime: {command: "echo ${secrets.TOKEN} ${inputs.who}"}
  - id: c
    type: cli
    runtime:
      command: >
        echo
        ${secrets.TOKEN}
`
	doc, ds := parse.Bytes("m.osop.yaml", []byte(src), parse.Limits{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	got := []string{}
	ds, names := Missing(doc, RunValues{})
	if want := "[${secrets.TOKEN} ${secrets.OTHER} ${inputs.who}]"; fmt.Sprint(names) != want {
		t.Errorf("names = %v, want %s", names, want)
	}
	for _, d := range ds {
		got = append(got, fmt.Sprintf("%d:%d-%d %s", d.Subject.Start.Line, d.Subject.Start.Column, d.Subject.End.Column, d.Code))
	}
	want := []string{
		"9:14-30 missing-secret",
		"10:16-32 missing-secret",
		"11:14-30 missing-secret", "11:31-47 missing-secret", "11:48-64 missing-secret",
		"14:30-46 missing-secret", "14:47-60 missing-input",
		"20:9-25 missing-secret",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Missing at\n%v\nwant\n%v", got, want)
	}
}
