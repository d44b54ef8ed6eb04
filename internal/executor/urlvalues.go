package executor

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

// ExpandURL resolves the references in a URL template so that no value
// changes the URL's structure. A value in a path segment, a query key or
// value, a fragment or the user name or password is data: every byte but
// letters, digits and - . _ ~ is percent-encoded. A value where the
// scheme, host or port stand (${env.BASE_URL}/health) is a base URL: it
// is inserted as written, may hold a path, and must not hold a query, a
// fragment, credentials, white space or control characters; the URL it
// makes must then have a host that is a valid name or IP address. A URL
// that is one value and nothing else is that value, checked the same
// way but for the query, fragment and credentials it may carry.
// schemes lists the schemes allowed (nil: any).
func ExpandURL(req *Request, tmpl string, schemes ...string) (string, error) {
	if req.ExpandEach == nil {
		return req.Expand(tmpl)
	}
	places := urlPlaces(tmpl)
	// A URL that is one value and nothing else ("${env.WEBHOOK_URL}") has
	// no structure of the file's to keep: it may carry a query, a
	// fragment or credentials; its scheme and host are still checked.
	refs := template.Scan(tmpl)
	whole := len(refs) == 1 && refs[0].Text == tmpl
	forbidden := "?#@\\"
	if whole {
		forbidden = ""
	}
	base := false
	u, err := req.ExpandEach(tmpl, func(offset int, v string) (string, error) {
		if places[offset] != placeBase {
			return template.EscapeURLValue(v), nil
		}
		base = true
		if i := strings.IndexFunc(v, func(r rune) bool {
			return r <= ' ' || r == 0x7f || strings.ContainsRune(forbidden, r)
		}); i >= 0 {
			return "", Errorf(run.CodeConfig, false, "the value of %s stands where the URL's scheme and host are, and holds %q: there it may only be a base URL (scheme://host[:port][/path]); put parameters after the ? of the URL written in the file",
				refAt(tmpl, offset), v[i:i+1])
		}
		return v, nil
	})
	if err != nil || !base {
		return u, err
	}
	if err := checkBase(u, schemes); err != nil {
		return "", Errorf(run.CodeConfig, false, "url %s: %v", req.Mask(u), err)
	}
	return u, nil
}

// checkBase checks the scheme and host of a URL whose start came from a
// value.
func checkBase(s string, schemes []string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if len(schemes) > 0 && !contains(schemes, strings.ToLower(u.Scheme)) {
		return fmt.Errorf("scheme %q: want %s", u.Scheme, strings.Join(schemes, " or "))
	}
	h := u.Hostname()
	if h == "" {
		return fmt.Errorf("no host: a value that starts a URL must give scheme://host")
	}
	if net.ParseIP(h) == nil && !validHostname(h) {
		return fmt.Errorf("%q is not a host name", h)
	}
	if p := u.Port(); p != "" && strings.Trim(p, "0123456789") != "" {
		return fmt.Errorf("port %q is not a number", p)
	}
	return nil
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type urlPlace int

const (
	placeData urlPlace = iota // path, query, fragment, user info
	placeBase                 // scheme, host, port
)

// urlPlaces tells, for each reference in tmpl (by offset), where it
// stands, from the text written before and around it: the values never
// decide.
func urlPlaces(tmpl string) map[int]urlPlace {
	refs := template.Scan(tmpl)
	// The template with each reference blanked, so that what a
	// reference's text holds (a default after :-) is not read as URL.
	masked := []byte(tmpl)
	for _, r := range refs {
		for i := r.Offset; i < r.Offset+len(r.Text) && i < len(masked); i++ {
			masked[i] = 'x'
		}
	}
	m := string(masked)
	out := map[int]urlPlace{}
	for _, r := range refs {
		out[r.Offset] = placeOf(m, r.Offset, r.Offset+len(r.Text))
	}
	return out
}

func placeOf(m string, start, end int) urlPlace {
	before := m[:start]
	rest := before
	if i := strings.Index(before, "://"); i >= 0 {
		rest = before[i+3:]
	}
	if strings.ContainsAny(rest, "/?#") {
		return placeData
	}
	// In the authority: user info when an @ follows before the path.
	after := m[end:]
	if i := strings.IndexAny(after, "/?#"); i >= 0 {
		after = after[:i]
	}
	if strings.Contains(after, "@") {
		return placeData
	}
	return placeBase
}

// refAt names the reference at offset of tmpl.
func refAt(tmpl string, offset int) string {
	for _, r := range template.Scan(tmpl) {
		if r.Offset == offset {
			return r.Text
		}
	}
	return "a value"
}
