package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestWriteText(t *testing.T) {
	src := []byte("name: \"建置\"\n\tretry_polcy: 1\n")
	ds := Diagnostics{
		{Severity: Warning, Code: "unknown-field", Summary: `unknown field "retry_polcy"`, Detail: `did you mean "retry_policy"?`,
			Subject: Range{File: "f.osop", Start: Pos{2, 2}, End: Pos{2, 13}}},
		{Severity: Error, Code: "x", Summary: "after the CJK text", Subject: Range{File: "f.osop", Start: Pos{1, 10}, End: Pos{1, 11}}},
	}
	var b bytes.Buffer
	if err := WriteText(&b, ds, TextOptions{Sources: map[string][]byte{"f.osop": src}}); err != nil {
		t.Fatal(err)
	}
	want := `f.osop:2:2: warning: unknown field "retry_polcy" [unknown-field]
    2 |     retry_polcy: 1
      |     ^^^^^^^^^^^
      = help: did you mean "retry_policy"?
f.osop:1:10: error: after the CJK text [x]
    1 | name: "建置"
      |            ^
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestSortAndFilter(t *testing.T) {
	ds := Diagnostics{
		{Severity: Info, Code: "c", Subject: Range{File: "b", Start: Pos{1, 1}}},
		{Severity: Warning, Code: "b", Subject: Range{File: "a", Start: Pos{2, 1}}},
		{Severity: Error, Code: "a", Subject: Range{File: "a", Start: Pos{1, 5}}},
	}
	ds.Sort()
	var codes []string
	for _, d := range ds {
		codes = append(codes, d.Code)
	}
	if strings.Join(codes, "") != "abc" || len(ds.Filter(Warning)) != 2 || !ds.HasErrors() {
		t.Errorf("sorted %v", codes)
	}
}

func TestWriteSARIF(t *testing.T) {
	ds := Diagnostics{{Severity: Error, Code: "cycle", Summary: "cycle a → b → a",
		Subject: Range{File: "dir/f.osop.yaml", Start: Pos{3, 5}, End: Pos{3, 9}}}}
	var b bytes.Buffer
	if err := WriteSARIF(&b, ds, SARIFOptions{ToolName: "osop", Rules: map[string]string{"cycle": "a cycle"}}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct{ StartLine, StartColumn, EndColumn int }
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	r := log.Runs[0].Results[0]
	loc := r.Locations[0].PhysicalLocation
	if log.Version != "2.1.0" || r.RuleID != "cycle" || r.Level != "error" || loc.ArtifactLocation.URI != "dir/f.osop.yaml" ||
		loc.Region.StartLine != 3 || loc.Region.StartColumn != 5 || loc.Region.EndColumn != 9 || log.Runs[0].Tool.Driver.Rules[0].ID != "cycle" {
		t.Errorf("unexpected SARIF:\n%s", b.String())
	}
}

func TestWriteText_escapes(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 300)
	tests := []struct {
		name, src, summary string
		at                 Pos
		want               string
	}{
		{"control character", "name: \"a\x1b[31mb\"\n", "bad", Pos{1, 9},
			"f:1:9: error: bad [c]\n    1 | name: \"a\\x1b[31mb\"\n      |         ^\n"},
		{"invalid bytes", "ab\xff\x00cd\n", "x\x07y", Pos{1, 5},
			"f:1:5: error: x\\x07y [c]\n    1 | ab\\xff\\x00cd\n      |           ^\n"},
		{"bidi override", "a\u202eb\n", "s", Pos{1, 3},
			"f:1:3: error: s [c]\n    1 | a\\u202eb\n      |        ^\n"},
		{"long line cut around the caret", long + "HERE" + long + "\n", "s", Pos{1, 301},
			"f:1:301: error: s [c]\n    1 | …" + strings.Repeat("x", 40) + "HERE" + strings.Repeat("x", 75) + "…\n      |" +
				strings.Repeat(" ", 42) + "^\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ds := Diagnostics{{Severity: Error, Code: "c", Summary: tt.summary, Subject: Range{File: "f", Start: tt.at, End: tt.at}}}
			var b bytes.Buffer
			if err := WriteText(&b, ds, TextOptions{Sources: map[string][]byte{"f": []byte(tt.src)}}); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", b.String(), tt.want)
			}
		})
	}
}
