package validate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/parse"
)

// TestPositionsInsideValues: a diagnostic about part of a value (an
// identifier in a when, a template in a command) points at that part's
// first and last column in the file, counted in characters, whatever the
// scalar's style: plain, quoted, folded or literal block.
func TestPositionsInsideValues(t *testing.T) {
	const head = "osop_version: \"1.0\"\nid: t\nname: t\nnodes:\n"
	const twoNodes = "  - {id: a, type: cli, runtime: {command: \"true\"}}\n  - {id: b, type: cli, runtime: {command: \"true\"}}\nedges:\n  - from: a\n    to: b\n    when: "
	const oneNode = "  - id: a\n    type: cli\n    runtime:\n      command: "
	for _, c := range []struct{ name, tail, want string }{
		// The last line of a file without a final newline is searched too.
		{"literal command, last line of the file", oneNode + "|\n        echo hi\n        echo {{nope}}", "undeclared-variable 10:14-10:22"},
		{"plain when", twoNodes + "true && nope", "undeclared-name 10:19-10:23"},
		{"double-quoted when", twoNodes + `"true && nope"`, "undeclared-name 10:20-10:24"},
		{"single-quoted when", twoNodes + `'true && nope'`, "undeclared-name 10:20-10:24"},
		{"when with é before", twoNodes + `"'é' == 'é' && nope"`, "undeclared-name 10:26-10:30"},
		{"folded when", twoNodes + ">-\n      true &&\n      nope", "undeclared-name 12:7-12:11"},
		{"literal when, indented more", twoNodes + "|\n      true &&\n        nope", "undeclared-name 12:9-12:13"},
		{"plain command", oneNode + "echo {{nope}}", "undeclared-variable 8:21-8:29"},
		{"quoted command with é", oneNode + `"echo é {{nope}}"`, "undeclared-variable 8:24-8:32"},
		{"literal command, second line", oneNode + "|\n        echo hi\n        echo {{nope}}", "undeclared-variable 10:14-10:22"},
		{"the same template twice", oneNode + "echo {{nope}} {{nope}}", "undeclared-variable 8:21-8:29 undeclared-variable 8:30-8:38"},
	} {
		src := head + c.tail
		if c.name != "literal command, last line of the file" {
			src += "\n"
		}
		doc, ds := parse.Bytes("t.osop.yaml", []byte(src), parse.DefaultLimits)
		ds = append(ds, Document(doc, Options{})...)
		var got []string
		for _, d := range ds {
			s := d.Subject
			got = append(got, fmt.Sprintf("%s %d:%d-%d:%d", d.Code, s.Start.Line, s.Start.Column, s.End.Line, s.End.Column))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %v, want [%s]", c.name, got, c.want)
		}
	}
}
