// Package jsonpath selects values from parsed JSON with RFC 9535 JSONPath
// ($.data.items[0].id), for response_mapping and output_mapping.
//
// It is the only package that imports the JSONPath library.
package jsonpath

import (
	"fmt"
	"strings"

	"github.com/theory/jsonpath"
)

// Get returns what path selects in doc: the value when it selects one, a
// list when it selects several. A path without a leading $ is read as
// relative to the root ("data.id" is "$.data.id").
func Get(doc any, path string) (any, error) {
	path = strings.TrimSpace(path)
	if path == "" {
		return nil, fmt.Errorf("empty JSONPath")
	}
	if !strings.HasPrefix(path, "$") {
		path = "$." + strings.TrimPrefix(path, ".")
	}
	p, err := jsonpath.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("JSONPath %q: %w", path, err)
	}
	nodes := p.Select(doc)
	switch len(nodes) {
	case 0:
		return nil, fmt.Errorf("JSONPath %s matched nothing", path)
	case 1:
		return nodes[0], nil
	}
	return []any(nodes), nil
}
