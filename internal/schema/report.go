package schema

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

var printer = message.NewPrinter(language.English)

// reporter turns the validator's error tree into diagnostics that say, in
// the user's terms, what is wrong where.
type reporter struct {
	file    string
	root    *ast.Value
	profile Profile
	ds      diag.Diagnostics
	seen    map[string]bool
}

func (r *reporter) walk(e *jsonschema.ValidationError) {
	switch k := e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.AllOf, *kind.Reference:
		for _, c := range e.Causes {
			r.walk(c)
		}
	case *kind.AnyOf:
		r.alternatives(e)
	case *kind.OneOf:
		if len(k.Subschemas) == 0 {
			r.alternatives(e)
			return
		}
		r.add(e.InstanceLocation, "matches more than one allowed form", "")
	default:
		r.leaf(e)
	}
}

// alternatives reports a value that matched none of oneOf/anyOf's forms.
// When every form failed on the value's own kind, one message lists the
// kinds allowed; otherwise the form whose kind matched explains the
// problem deeper down.
func (r *reporter) alternatives(e *jsonschema.ValidationError) {
	var wants []string
	var deeper []*jsonschema.ValidationError
	for _, c := range e.Causes {
		ts := kindsWanted(c, len(e.InstanceLocation))
		if ts == nil {
			deeper = append(deeper, c)
			continue
		}
		wants = append(wants, ts...)
	}
	if len(deeper) == 1 {
		r.walk(deeper[0])
		return
	}
	v := r.root.Lookup(e.InstanceLocation)
	if len(deeper) == 0 && len(wants) > 0 {
		r.add(e.InstanceLocation, fmt.Sprintf("%s is %s; expected %s", r.where(e.InstanceLocation), v.Describe(), orList(dedupe(wants))), "")
		return
	}
	r.add(e.InstanceLocation, fmt.Sprintf("%s does not match any allowed form", r.where(e.InstanceLocation)),
		"see `osop schema` for the accepted shapes")
}

// kindsWanted returns the kinds a failed alternative wanted when it failed
// only because the value had the wrong kind (or value, for an enum); nil
// when it failed on something inside the value.
func kindsWanted(e *jsonschema.ValidationError, at int) []string {
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		if len(e.InstanceLocation) == at {
			return readableKinds(k.Want)
		}
	case *kind.Enum:
		if len(e.InstanceLocation) == at {
			return []string{"one of " + enumList(k.Want)}
		}
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		var out []string
		for _, c := range e.Causes {
			ts := kindsWanted(c, at)
			if ts == nil {
				return nil
			}
			out = append(out, ts...)
		}
		return out
	}
	return nil
}

func (r *reporter) leaf(e *jsonschema.ValidationError) {
	loc := e.InstanceLocation
	where := r.where(loc)
	v := r.root.Lookup(loc)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			r.add(loc, fmt.Sprintf("%s is missing required field %q", where, m), requiredHint(m))
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			r.addAt(keyRange(v, p), fmt.Sprintf("field %q is not allowed in %s by the %s schema", p, where, r.profile),
				"remove it, prefix it with x- to keep it as an extension, or validate with the default schema")
		}
	case *kind.Type:
		r.add(loc, fmt.Sprintf("%s is %s; expected %s", where, v.Describe(), orList(readableKinds(k.Want))), "")
	case *kind.Enum:
		r.add(loc, fmt.Sprintf("%s is %s; expected one of %s", where, quoteValue(k.Got), enumList(k.Want)), "")
	case *kind.Pattern:
		r.add(loc, fmt.Sprintf("%s %q does not have the expected form", where, k.Got), "it must match "+k.Want)
	case *kind.MinItems:
		r.add(loc, fmt.Sprintf("%s needs at least %d item(s)", where, k.Want), "")
	case *kind.MinLength:
		r.add(loc, fmt.Sprintf("%s must not be empty", where), "")
	case *kind.Minimum, *kind.ExclusiveMinimum:
		r.add(loc, fmt.Sprintf("%s is too small: %s", where, k.LocalizedString(printer)), "")
	default:
		r.add(loc, fmt.Sprintf("%s: %s", where, e.ErrorKind.LocalizedString(printer)), "")
	}
}

func requiredHint(field string) string {
	switch field {
	case "osop_version":
		return `add osop_version: "2.0" at the top of the file`
	case "purpose":
		return "say in one sentence what the step is for (the full schema requires purpose)"
	case "type":
		return "add type: one of agent, api, cli, human, db, git, docker, cicd, mcp, system, infra, data"
	case "edges":
		return "add edges: [] for a workflow without connections"
	}
	return ""
}

func (r *reporter) add(loc []string, summary, detail string) {
	r.addAt(r.rangeOf(loc), summary, detail)
}

func (r *reporter) addAt(at diag.Range, summary, detail string) {
	key := at.String() + summary
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	r.ds = r.ds.Append(diag.Error, "schema", at, summary, detail)
}

func (r *reporter) rangeOf(loc []string) diag.Range {
	for i := len(loc); i >= 0; i-- {
		if v := r.root.Lookup(loc[:i]); v != nil {
			return v.Range
		}
	}
	return diag.Range{File: r.file}
}

func keyRange(m *ast.Value, key string) diag.Range {
	if f := m.Field(key); f != nil {
		return f.KeyRange
	}
	if m != nil {
		return m.Range
	}
	return diag.Range{}
}

// where names a location the way a user thinks of it: node "build"
// retry_policy.max_retries rather than /nodes/3/retry_policy/max_retries.
func (r *reporter) where(loc []string) string {
	if len(loc) == 0 {
		return "the workflow"
	}
	prefix, rest := "", loc
	if len(loc) >= 2 && (loc[0] == "nodes" || loc[0] == "edges") {
		if item := r.root.Lookup(loc[:2]); item.IsMap() {
			if loc[0] == "nodes" {
				id, _ := item.Get("id").String()
				prefix = fmt.Sprintf("node %q", id)
			} else {
				from, _ := item.Get("from").String()
				to, _ := item.Get("to").String()
				prefix = fmt.Sprintf("edge %s → %s", from, to)
			}
			rest = loc[2:]
		}
	}
	var path strings.Builder
	for _, p := range rest {
		if _, err := strconv.Atoi(p); err == nil {
			fmt.Fprintf(&path, "[%s]", p)
			continue
		}
		if path.Len() > 0 {
			path.WriteByte('.')
		}
		path.WriteString(p)
	}
	switch {
	case prefix == "":
		return path.String()
	case path.Len() == 0:
		return prefix
	}
	return prefix + " " + path.String()
}

func readableKinds(ts []string) []string {
	names := map[string]string{
		"object": "a map", "array": "a list", "string": "a string", "number": "a number",
		"integer": "an integer", "boolean": "true or false", "null": "null",
	}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = names[t]
		if out[i] == "" {
			out[i] = t
		}
	}
	return out
}

func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return "something else"
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func enumList(want []any) string {
	parts := make([]string, len(want))
	for i, w := range want {
		parts[i] = quoteValue(w)
	}
	return strings.Join(parts, ", ")
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
