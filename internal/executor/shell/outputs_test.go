package shell

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOutputs(t *testing.T) {
	got, err := parseOutputs(strings.NewReader("a=1\nb=x=y\n\nmulti<<EOF\nline 1\nline 2\nEOF\na=2\r\nempty=\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": "2", "b": "x=y", "multi": "line 1\nline 2", "empty": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"no equals sign\n", "m<<END\nnever closed\n", "=v\n"} {
		if _, err := parseOutputs(strings.NewReader(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
