package schema

import (
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// defaultTree is the default profile's schema as plain data, for
// [Field]; parsed once, on first use.
var defaultTree = sync.OnceValue(func() map[string]any {
	src, err := Source(Default)
	if err != nil {
		return nil
	}
	var m map[string]any
	if yaml.Unmarshal(src, &m) != nil {
		return nil
	}
	return m
})

// Field returns what the default schema says of a field of an object
// ("workflow", "node" or "edge"), as YAML with a first-level $ref
// resolved: editors show it on hover. ok is false for a field the schema
// does not list.
func Field(object, field string) (doc string, ok bool) {
	root := defaultTree()
	defs, _ := root["$defs"].(map[string]any)
	var props map[string]any
	switch object {
	case "workflow":
		props, _ = root["properties"].(map[string]any)
	case "node", "edge":
		def, _ := defs[object].(map[string]any)
		props, _ = def["properties"].(map[string]any)
	}
	p, found := props[field]
	if !found {
		return "", false
	}
	if m, isMap := p.(map[string]any); isMap {
		if ref, isRef := m["$ref"].(string); isRef && strings.HasPrefix(ref, "#/$defs/") {
			if d, has := defs[strings.TrimPrefix(ref, "#/$defs/")]; has {
				p = d
			}
		}
	}
	out, err := yaml.Marshal(p)
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(out)), true
}
