package template

import "strings"

// EscapeURLValue percent-encodes every byte of v but the unreserved
// characters of RFC 3986 (letters, digits, - . _ ~). The result is data
// in any URL component (a path segment, a query key or value, a
// fragment, a user name or password): it never adds a separator, and
// url.Parse gives v back byte for byte (PathUnescape, Query().Get, User).
func EscapeURLValue(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
