package parse

import (
	"github.com/osopdev/osop/internal/ast"
)

// jsonSchemaTypes are the type names a bare `name: type` entry may give.
var jsonSchemaTypes = map[string]bool{
	"string": true, "number": true, "integer": true, "boolean": true,
	"object": true, "array": true, "null": true,
}

// params reads inputs or outputs in any of the forms found in the wild:
//
//	outputs: [image_tag, image_digest]              # schema dialect
//	outputs: [{name: image_tag, required: true}]    # schema dialect, objects
//	outputs: {image_tag: {type: string}}            # prose dialect, JSON Schema map
//	outputs: {type: object, properties: {...}}      # a whole JSON Schema
//	outputs: {image_tag: string}                    # the visual editor
func (l *loader) params(v *ast.Value, what string) []*ast.Param {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case ast.List:
		return l.paramList(v)
	case ast.Map:
		if props := v.Get("properties"); props.IsMap() {
			l.alias(v.Range, "%s read as a JSON Schema object: each of its properties is a %s", what, singular(what))
			ps := l.paramMap(props)
			for _, r := range strList(v.Get("required")) {
				for _, p := range ps {
					if p.Name == r.V {
						p.Required = true
					}
				}
			}
			return ps
		}
		l.alias(v.Range, "%s read as a map of name to JSON Schema (prose dialect)", what)
		return l.paramMap(v)
	case ast.String:
		if v.Str != "" {
			return []*ast.Param{{Name: v.Str, Range: v.Range}}
		}
	}
	return nil
}

func singular(s string) string {
	if len(s) > 1 && s[len(s)-1] == 's' {
		return s[:len(s)-1]
	}
	return s
}

func (l *loader) paramList(v *ast.Value) []*ast.Param {
	var out []*ast.Param
	for _, it := range v.Items {
		switch it.Kind {
		case ast.String:
			out = append(out, &ast.Param{Name: it.Str, Range: it.Range})
		case ast.Map:
			if name := str(it, "name"); name.Set() {
				p := schemaParam(name.V, it)
				p.Range = name.R
				if req, ok := boolOf(it.Get("required")); ok {
					p.Required = req
				}
				out = append(out, p)
			} else if len(it.Fields) == 1 {
				// - image_tag: {type: string}
				f := it.Fields[0]
				p := schemaParam(f.Key, f.Value)
				p.Range = f.KeyRange
				out = append(out, p)
			}
		}
	}
	return out
}

func (l *loader) paramMap(v *ast.Value) []*ast.Param {
	out := make([]*ast.Param, 0, len(v.Fields))
	for _, f := range v.Fields {
		p := schemaParam(f.Key, f.Value)
		p.Range = f.KeyRange
		out = append(out, p)
	}
	return out
}

// schemaParam reads what a declaration says of a value's type: a JSON
// Schema map, a bare type name, or a description.
func schemaParam(name string, v *ast.Value) *ast.Param {
	p := &ast.Param{Name: name}
	switch {
	case v.IsMap():
		p.Schema = v
		p.Type = str(v, "type").V
		p.Description = str(v, "description").V
		p.Default = v.Get("default")
		if req, ok := boolOf(v.Get("required")); ok {
			p.Required = req
		}
		if e := v.Get("enum"); e.IsList() {
			p.Enum = e.Items
		}
	case v != nil && v.Kind == ast.String:
		if jsonSchemaTypes[v.Str] {
			p.Type = v.Str
		} else {
			p.Description = v.Str
		}
	case v != nil && v.Kind != ast.Null:
		// variables: {region: us-east-1, replicas: 3} give defaults
		p.Default = v
		p.Type = map[ast.Kind]string{ast.Bool: "boolean", ast.Int: "integer", ast.Float: "number", ast.List: "array"}[v.Kind]
	}
	return p
}
