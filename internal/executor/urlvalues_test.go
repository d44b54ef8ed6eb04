package executor

import (
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/template"
)

// expander is what the engine gives a Request: references resolved from
// vals, each passed through place.
func expander(vals map[string]string) *Request {
	resolve := func(r template.Ref) (string, bool) { v, ok := vals[r.Name()]; return v, ok }
	return &Request{
		Mask:   func(s string) string { return s },
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

// hostile returns a random string made mostly of URL separators,
// percent signs, white space, controls and non-ASCII bytes.
func hostile(r *rand.Rand) string {
	const alphabet = "/?#&=;+%@:[]\\ \t\r\n\x00\x1b\"'<>{}|^`~.-_aZ9é\xff"
	n := r.IntN(12)
	var b strings.Builder
	for range n {
		if r.IntN(4) == 0 {
			b.WriteByte(byte(r.IntN(256)))
			continue
		}
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// TestExpandURL_valuesNeverChangeTheStructure: for random hostile values
// in a path segment, a query value and the fragment, the URL keeps its
// scheme, host, number of path segments and query keys, and each value
// comes back byte for byte.
func TestExpandURL_valuesNeverChangeTheStructure(t *testing.T) {
	const tmpl = "https://api.example.com:8443/v1/{{SEG}}/items?q=${inputs.q}&k={{K}}#{{F}}"
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		vals := map[string]string{"SEG": hostile(r), "inputs.q": hostile(r), "K": hostile(r), "F": hostile(r)}
		got, err := ExpandURL(expander(vals), tmpl, "http", "https")
		if err != nil {
			t.Fatalf("%d: %q: %v", i, vals, err)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%d: %q does not parse: %v", i, got, err)
		}
		if u.Scheme != "https" || u.Host != "api.example.com:8443" || u.User != nil {
			t.Fatalf("%d: %q: scheme %q host %q", i, got, u.Scheme, u.Host)
		}
		segs := strings.Split(u.EscapedPath(), "/")
		if len(segs) != 4 {
			t.Fatalf("%d: %q has path segments %q", i, got, segs)
		}
		if seg, err := url.PathUnescape(segs[2]); err != nil || seg != vals["SEG"] {
			t.Errorf("%d: segment %q (%v), want %q", i, seg, err, vals["SEG"])
		}
		q := u.Query()
		if keys := slices.Sorted(func(yield func(string) bool) {
			for k := range q {
				if !yield(k) {
					return
				}
			}
		}); !slices.Equal(keys, []string{"k", "q"}) {
			t.Fatalf("%d: %q has query keys %q", i, got, keys)
		}
		if q.Get("q") != vals["inputs.q"] || q.Get("k") != vals["K"] || len(q["q"]) != 1 {
			t.Errorf("%d: query %q, want q=%q k=%q", i, q, vals["inputs.q"], vals["K"])
		}
		if u.Fragment != vals["F"] {
			t.Errorf("%d: fragment %q, want %q", i, u.Fragment, vals["F"])
		}
	}
}

// TestExpandURL_base: a value where the scheme and host stand is a base
// URL, refused when it would bring a query, a fragment, credentials or a
// host that is not one; a value in the user info is data.
func TestExpandURL_base(t *testing.T) {
	for _, tc := range []struct {
		tmpl, value, want, err string
	}{
		{"{{V}}/health?x=1", "http://127.0.0.1:8080", "http://127.0.0.1:8080/health?x=1", ""},
		{"{{V}}/health", "https://api.example.com/v2", "https://api.example.com/v2/health", ""},
		{"https://{{V}}/health", "api.example.com:443", "https://api.example.com:443/health", ""},
		{"https://{{V}}/x", "[::1]:8080", "https://[::1]:8080/x", ""},
		{"{{V}}/health", "http://a.example?admin=true", "", `holds "?"`},
		{"{{V}}/health", "http://a.example#", "", `holds "#"`},
		{"{{V}}/health", "http://evil.example@a.example", "", `holds "@"`},
		{"{{V}}/health", "http://a.example /x", "", `holds " "`},
		{"{{V}}/health", "http://a.example\r\nX: y", "", `holds "\r"`},
		{"https://{{V}}/x", "bad_host!", "", "is not a host name"},
		{"https://api.example.com:{{V}}/x", "80x", "", "port"},
		{"{{V}}/x", "file:///etc/passwd", "", `scheme "file"`},
		{"{{V}}/x", "/just/a/path", "", `scheme ""`},
		{"https://{{V}}/x", "", "", "no host"},
		{"https://{{V}}:pw@host/x", "us@er:x", "https://us%40er%3Ax:pw@host/x", ""},
		{"{{V}}", "https://hooks.example.com/s/T0?token=a#f", "https://hooks.example.com/s/T0?token=a#f", ""},
		{"{{V}}", "https://u:p@hooks.example.com/", "https://u:p@hooks.example.com/", ""},
		{"{{V}}", "https://hooks.example.com/a b", "", `holds " "`},
		{"{{V}}", "ftp://hooks.example.com/", "", `scheme "ftp"`},
	} {
		got, err := ExpandURL(expander(map[string]string{"V": tc.value}), tc.tmpl, "http", "https")
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s with %q: %v", tc.tmpl, tc.value, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s with %q: got %q, %v; want an error with %q", tc.tmpl, tc.value, got, err, tc.err)
		case tc.err == "" && got != tc.want:
			t.Errorf("%s with %q: got %q, want %q", tc.tmpl, tc.value, got, tc.want)
		}
	}
}
