package httpcall

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/template"
)

func testRequest(runtime map[string]any, vals map[string]string) *executor.Request {
	resolve := func(r template.Ref) (string, bool) { v, ok := vals[r.Name()]; return v, ok }
	return &executor.Request{
		NodeID: "call", Runtime: runtime, Mask: func(s string) string { return s },
		Expand: func(s string) (string, error) { v, _ := template.Expand(s, resolve); return v, nil },
		ExpandEach: func(s string, place func(int, string) (string, error)) (string, error) {
			var perr error
			v, _ := template.Expand(s, func(r template.Ref) (string, bool) {
				val, ok := resolve(r)
				if ok && perr == nil {
					val, perr = place(r.Offset, val)
				}
				return val, ok
			})
			return v, perr
		},
	}
}

// TestBuild_headerLineBreakRefused: a value cannot end a header and start
// another.
func TestBuild_headerLineBreakRefused(t *testing.T) {
	for _, v := range []string{"a\r\nX-Admin: true", "a\nb", "a\x00", "\x1b[31m"} {
		rt := map[string]any{"url": "http://h.example/", "headers": map[string]any{"X-Test": "v {{H}}"}}
		_, err := (&Call{}).build(testRequest(rt, map[string]string{"H": v}))
		if err == nil || !strings.Contains(err.Error(), "header X-Test") {
			t.Errorf("%q: %v, want a refusal", v, err)
		}
	}
	rt := map[string]any{"url": "http://h.example/", "auth": map[string]any{"token": "{{T}}"}}
	if _, err := (&Call{}).build(testRequest(rt, map[string]string{"T": "x\r\nEvil: 1"})); err == nil {
		t.Error("a line break in the auth token was accepted")
	}
	rt = map[string]any{"url": "http://h.example/", "headers": map[string]any{"X-Test": "tab\there {{H}}"}}
	if _, err := (&Call{}).build(testRequest(rt, map[string]string{"H": "ok"})); err != nil {
		t.Errorf("a tab is allowed: %v", err)
	}
}

// TestBuild_jsonBodyValues: in a JSON body written as text, values are
// JSON (string content inside quotes, a JSON value outside), never
// spliced: for hostile values the body parses to the same keys and each
// value comes back.
func TestBuild_jsonBodyValues(t *testing.T) {
	values := []string{`x", "admin": true, "y": "`, `\`, "line\nbreak\x00", `1}`, `42`, `true`, `null`, ``, `{"a":1}`, `"`, "é\xff"}
	for _, v := range values {
		rt := map[string]any{"url": "http://h.example/", "body": `{"s": "pre {{V}} post", "n": {{V}}}`}
		r, err := (&Call{}).build(testRequest(rt, map[string]string{"V": v}))
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		var got map[string]any
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatalf("%q: body %s is not JSON: %v", v, r.body, err)
		}
		if len(got) != 2 {
			t.Errorf("%q: body %s has keys %v", v, r.body, got)
		}
		want := strings.ToValidUTF8("pre "+v+" post", "\uFFFD")
		if got["s"] != want {
			t.Errorf("%q: s = %q, want %q", v, got["s"], want)
		}
		switch v {
		case "42":
			if got["n"] != float64(42) {
				t.Errorf("n = %v, want the number 42", got["n"])
			}
		case "true", "null":
		default:
			if got["n"] != strings.ToValidUTF8(v, "\uFFFD") {
				t.Errorf("%q: n = %#v, want the string", v, got["n"])
			}
		}
	}
}
