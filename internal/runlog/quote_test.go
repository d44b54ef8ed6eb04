package runlog

import (
	"bytes"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestQuote_readable: commands in the record read as written, without
// JSON's HTML escapes (\u003e for >), and still read back as YAML.
func TestQuote_readable(t *testing.T) {
	for _, s := range []string{`echo a >> "f" && b < c`, "tab\there\nnew line", "\x1b[31m", "\u2028"} {
		var b bytes.Buffer
		quote(&b, s)
		if bytes.Contains(b.Bytes(), []byte(`\u003`)) || bytes.Contains(b.Bytes(), []byte(`\u0026`)) {
			t.Errorf("quote(%q) = %s: HTML escapes", s, b.Bytes())
		}
		var back string
		if err := yaml.Unmarshal(b.Bytes(), &back); err != nil || back != s {
			t.Errorf("quote(%q) = %s reads back as %q, %v", s, b.Bytes(), back, err)
		}
		b.Reset()
		flow(&b, map[string]any{"cmd": s})
		if bytes.Contains(b.Bytes(), []byte(`\u003`)) || bytes.Contains(b.Bytes(), []byte(`\u0026`)) {
			t.Errorf("flow(%q) = %s: HTML escapes", s, b.Bytes())
		}
	}
}
