package lsp

import (
	"fmt"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/schema"
	"github.com/osopdev/osop/internal/validate"
)

func (s *server) hover(p positionParams) (*Hover, error) {
	v := s.current(p.TextDocument.URI)
	if v == nil {
		return nil, nil
	}
	if o, ok := v.at(p.Position); ok {
		if n := v.workflow().Node(o.id); n != nil {
			r := v.text.lspRange(o.start, o.end)
			return &Hover{Contents: markdown(s.nodeHover(v, n)), Range: &r}, nil
		}
	}
	if h, ok := v.refHover(p.Position); ok {
		return h, nil
	}
	if v.doc == nil || v.doc.Root == nil {
		return nil, nil
	}
	path, f := keyAt(v.doc.Root, v.text.pos(p.Position), nil)
	if f == nil {
		return nil, nil
	}
	object, key := spot{path: path}.object()
	r := v.text.rangeOf(f.KeyRange)
	return &Hover{Contents: markdown(fieldHover(object, key)), Range: &r}, nil
}

func markdown(s string) markupContent { return markupContent{Kind: "markdown", Value: s} }

// nodeHover shows a node's type, purpose, data flow and what it runs.
func (s *server) nodeHover(v *view, n *ast.Node) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** · `%s`", n.ID.V, n.Type.V)
	if n.Subtype.V != "" {
		fmt.Fprintf(&b, " (%s)", n.Subtype.V)
	}
	if sum := n.Summary(); sum != "" {
		fmt.Fprintf(&b, "\n\n%s", sum)
	}
	names := func(ps []*ast.Param) string {
		var out []string
		for _, p := range ps {
			out = append(out, "`"+p.Name+"`")
		}
		return strings.Join(out, ", ")
	}
	if len(n.Inputs) > 0 {
		fmt.Fprintf(&b, "\n\ninputs: %s", names(n.Inputs))
	}
	if len(n.Outputs) > 0 {
		fmt.Fprintf(&b, "\n\noutputs: %s", names(n.Outputs))
	}
	if act := v.actions(s.opts.Actions)[n.ID.V]; act != "" {
		fmt.Fprintf(&b, "\n\nruns (as `osop run --dry-run` shows it):\n```\n%s\n```", act)
	}
	return b.String()
}

// actions is what each node runs, computed once per view.
func (v *view) actions(fn func(*ast.Document) map[string]string) map[string]string {
	v.actOnce.Do(func() {
		if fn != nil && v.workflow() != nil {
			v.acts = fn(v.doc)
		}
	})
	return v.acts
}

// fieldHover documents a field: whether osop knows it there, and what
// the schema says of it.
func fieldHover(object, key string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**", key)
	known := validate.Fields(object)
	switch {
	case object == "":
	case len(known) > 0 && !contains(known, key):
		fmt.Fprintf(&b, " — not a %s field osop knows", object)
	default:
		fmt.Fprintf(&b, " — %s field", object)
	}
	if doc, ok := schema.Field(object, key); ok {
		fmt.Fprintf(&b, "\n\n```yaml\n%s\n```", doc)
	}
	switch {
	case object == "node" && key == "type":
		fmt.Fprintf(&b, "\n\none of: %s", strings.Join(validate.NodeTypes, ", "))
	case object == "edge" && key == "mode":
		fmt.Fprintf(&b, "\n\none of: %s", strings.Join(validate.EdgeModes, ", "))
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keyAt finds the map key under pos, with the path to it.
func keyAt(v *ast.Value, pos diag.Pos, path []string) ([]string, *ast.Field) {
	switch {
	case v == nil:
	case v.IsMap():
		for _, f := range v.Fields {
			r := f.KeyRange
			if r.Start.Line == pos.Line && !pos.Before(r.Start) && (pos.Before(r.End) || pos == r.End) {
				return append(path, f.Key), f
			}
			if p, found := keyAt(f.Value, pos, append(path, f.Key)); found != nil {
				return p, found
			}
		}
	case v.IsList():
		for _, it := range v.Items {
			if p, found := keyAt(it, pos, append(path, "#")); found != nil {
				return p, found
			}
		}
	}
	return nil, nil
}
