// Package template finds and expands the references OSOP files write inside
// strings, in every form found in the wild:
//
//	{{VAR}}  {{ VAR }}  {{ns.path}}                 schema dialect, editor
//	${ns.path}  ${VAR}  ${VAR:-default}             prose dialect, shell style
//
// where ns is one of inputs, outputs, secrets, env, metadata, loop, vars.
// $${…} and \{{…}} are written as literal text.
//
// For shell commands, [Shell] keeps values out of the command's text: it
// reads the command with mvdan.cc/sh and passes each value in the
// environment. Besides the standard library, that parser is all it
// imports.
package template

import (
	"strings"
)

// Namespaces are the prefixes with a meaning of their own.
var Namespaces = []string{"inputs", "outputs", "secrets", "env", "metadata", "loop", "vars"}

// Ref is one reference inside a string.
type Ref struct {
	// Text is the reference as written, delimiters included.
	Text string
	// Offset is the byte offset of Text in the string.
	Offset int
	// Mustache is true for {{…}}, false for ${…}.
	Mustache bool
	// Namespace is one of [Namespaces], or "" for a bare name.
	Namespace string
	// Path is what follows the namespace; for a bare name, the name and
	// any fields after it ({{resource_outputs.lb_dns}}).
	Path []string
	// Default is the text after :- in ${VAR:-default}.
	Default    string
	HasDefault bool
}

// Name is the reference without delimiters, as users write it in messages:
// inputs.version, GIT_SHA.
func (r Ref) Name() string {
	if r.Namespace == "" {
		return strings.Join(r.Path, ".")
	}
	return r.Namespace + "." + strings.Join(r.Path, ".")
}

// Head is the bare name's first part, or the namespace's first key.
func (r Ref) Head() string {
	if len(r.Path) == 0 {
		return ""
	}
	return r.Path[0]
}

// Scan returns the references in s, in order.
func Scan(s string) []Ref {
	var refs []Ref
	walk(s, func(r Ref) { refs = append(refs, r) }, nil)
	return refs
}

// HasRefs reports whether s contains any reference.
func HasRefs(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "${")
}

// Expand replaces each reference resolve knows with its value. References
// it does not know are kept as written, and returned so the caller can
// decide whether that is an error ({{X}}) or shell text (${HOME}).
func Expand(s string, resolve func(Ref) (string, bool)) (string, []Ref) {
	if !HasRefs(s) {
		return s, nil
	}
	var b strings.Builder
	var missing []Ref
	walk(s, func(r Ref) {
		if v, ok := resolve(r); ok {
			b.WriteString(v)
			return
		}
		missing = append(missing, r)
		b.WriteString(r.Text)
	}, &b)
	return b.String(), missing
}

// walk calls fn for each reference in s. When out is not nil, the text
// between references (with escapes undone) is written to it.
func walk(s string, fn func(Ref), out *strings.Builder) {
	text := func(t string) {
		if out != nil {
			out.WriteString(t)
		}
	}
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			text("${")
			i += 3
		case strings.HasPrefix(s[i:], `\{{`):
			text("{{")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				text(s[i:])
				return
			}
			r, ok := parseRef(s[i:i+2+end+1], i, false)
			if !ok {
				// Shell text (${x#pat}, ${x:-{{y}}}): only "${" is
				// literal, so references inside it are still found.
				text("${")
				i += 2
				continue
			}
			fn(r)
			i += 2 + end + 1
		case strings.HasPrefix(s[i:], "{{"):
			end := strings.Index(s[i+2:], "}}")
			if end < 0 {
				text(s[i:])
				return
			}
			if r, ok := parseRef(s[i:i+2+end+2], i, true); ok {
				fn(r)
			} else {
				text(s[i : i+2+end+2])
			}
			i += 2 + end + 2
		default:
			j := strings.IndexAny(s[i+1:], "${\\")
			if j < 0 {
				text(s[i:])
				return
			}
			text(s[i : i+1+j])
			i += 1 + j
		}
	}
}

// parseRef reads the inside of one reference. Text that is not a dotted
// name (a GitHub Actions ${{ expr }}, a Jinja filter, shell arithmetic) is
// not a reference and is left alone.
func parseRef(text string, offset int, mustache bool) (Ref, bool) {
	var inner string
	if mustache {
		inner = strings.TrimSpace(text[2 : len(text)-2])
	} else {
		inner = text[2 : len(text)-1]
	}
	r := Ref{Text: text, Offset: offset, Mustache: mustache}
	if !mustache {
		if name, def, ok := strings.Cut(inner, ":-"); ok {
			if strings.Contains(def, "{{") || strings.Contains(def, "${") {
				return Ref{}, false // a nested reference: the shell's ${x:-…}
			}
			inner, r.Default, r.HasDefault = name, def, true
		}
	}
	parts := strings.Split(inner, ".")
	for _, p := range parts {
		if !isName(p) {
			return Ref{}, false
		}
	}
	if len(parts) > 1 && isNamespace(parts[0]) {
		r.Namespace, r.Path = parts[0], parts[1:]
	} else {
		r.Path = parts
	}
	return r, true
}

func isNamespace(s string) bool {
	for _, n := range Namespaces {
		if n == s {
			return true
		}
	}
	return false
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_' || c == '-' && i > 0 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
		case i > 0 && c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return true
}
