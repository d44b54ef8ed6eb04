package format

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/osopdev/osop/internal/ast"
)

// JSON writes v as indented JSON, keeping the document's key order.
func JSON(v *ast.Value) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, v, ""); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, v *ast.Value, indent string) error {
	if v == nil {
		buf.WriteString("null")
		return nil
	}
	switch v.Kind {
	case ast.Null:
		buf.WriteString("null")
	case ast.Bool:
		buf.WriteString(strconv.FormatBool(v.Bool))
	case ast.Int:
		buf.WriteString(strconv.FormatInt(v.Int, 10))
	case ast.Float:
		if math.IsInf(v.Float, 0) || math.IsNaN(v.Float) {
			return fmt.Errorf("%s: %s has no JSON form", v.Range, v.Str)
		}
		if json.Valid([]byte(v.Str)) {
			buf.WriteString(v.Str) // keep 2.0 as written
		} else {
			buf.WriteString(strconv.FormatFloat(v.Float, 'g', -1, 64))
		}
	case ast.String:
		b, _ := json.Marshal(v.Str) // strings always marshal
		buf.Write(b)
	case ast.List:
		if len(v.Items) == 0 {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteString("[\n")
		for i, it := range v.Items {
			buf.WriteString(indent + "  ")
			if err := writeJSON(buf, it, indent+"  "); err != nil {
				return err
			}
			if i < len(v.Items)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "]")
	case ast.Map:
		if len(v.Fields) == 0 {
			buf.WriteString("{}")
			return nil
		}
		buf.WriteString("{\n")
		for i, f := range v.Fields {
			k, _ := json.Marshal(f.Key)
			buf.WriteString(indent + "  ")
			buf.Write(k)
			buf.WriteString(": ")
			if err := writeJSON(buf, f.Value, indent+"  "); err != nil {
				return err
			}
			if i < len(v.Fields)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "}")
	}
	return nil
}

// ToYAML converts a JSON (or YAML) document to YAML in block style, in
// the canonical layout of [YAML].
func ToYAML(src []byte) ([]byte, error) {
	doc, err := parseDocument(src)
	if err != nil {
		return nil, err
	}
	block(doc.Content[0])
	return layout(src, doc)
}

// block turns every collection into block style, keeping short lists of
// scalars (tags: [a, b]) in flow style.
func block(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style &^= yaml.FlowStyle
		if n.Kind == yaml.SequenceNode && len(n.Content) > 0 && len(n.Content) <= 8 && !holdsCollections(n) {
			n.Style |= yaml.FlowStyle
		}
		for _, c := range n.Content {
			block(c)
		}
	}
}
