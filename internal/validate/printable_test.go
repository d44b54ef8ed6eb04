package validate

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/parse"
)

// FuzzDiagnosticsPrintable loads and validates arbitrary bytes and renders
// the diagnostics as osop validate prints them: whatever the file holds,
// the text is valid UTF-8 with no control character but the line breaks,
// so no file can drive the terminal it is checked in.
func FuzzDiagnosticsPrintable(f *testing.F) {
	for _, s := range []string{
		"osop_version: \"2.0\"\nid: c\nname: C\nnodes:\n  - {id: a, type: \"cl\x1b[2Ji\"}\n",
		"name: \"a\\x1b[31m\\u0085\\u202e\"\nnodes: [{id: \"\\x07\", type: cli}]\n",
		"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		"id: \xff\xfe\nname: \x00\n", "nodes:\n\t- id: a\r\n\x0c", "a: \"\x1b]0;title\x07\"\n",
		"{\"osop_version\": \"2.0\", \"id\": \"\\u001b\", \"nodes\": [{\"id\": \"x\\ty\", \"type\": \"api\", \"colour\": 1}]}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, ds := parse.Bytes("fuzz.osop.yaml", src, parse.Limits{MaxBytes: 1 << 16, MaxDepth: 64, MaxValues: 20000})
		ds = append(ds, Document(doc, Options{})...)
		var b bytes.Buffer
		if err := diag.WriteText(&b, ds, diag.TextOptions{Sources: map[string][]byte{doc.File: doc.Source}}); err != nil {
			t.Fatal(err)
		}
		out := b.Bytes()
		if !utf8.Valid(out) {
			t.Fatalf("diagnostics are not valid UTF-8:\n%q", out)
		}
		for _, r := range string(out) {
			if r != '\n' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)) {
				t.Fatalf("raw control character %U in diagnostics:\n%q", r, out)
			}
		}
	})
}
