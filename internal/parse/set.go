package parse

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// Set returns a copy of the document root with the value at path replaced
// (or added): osop run --set nodes.push.runtime.registry=127.0.0.1:5000.
//
// Path segments are map keys, list indexes, or, after nodes, a node's id.
// The value is read as YAML, so numbers, booleans and [lists] keep their
// type; write it quoted to force a string.
func Set(root *ast.Value, path, value string) (*ast.Value, error) {
	segs := strings.Split(path, ".")
	for _, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("--set %s: empty segment in the path", path)
		}
	}
	v, ds := Tree("--set", []byte("v: "+value), DefaultLimits)
	if v == nil || ds.HasErrors() {
		return nil, fmt.Errorf("--set %s: the value %q is not valid YAML", path, value)
	}
	nv := stripRanges(v.Get("v"))
	if nv == nil {
		nv = &ast.Value{Kind: ast.Null}
	}
	out, err := setIn(root, segs, nv, path, 0)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// setIn copies the containers along the path, so the loaded tree (and any
// diagnostic that points into it) is left as it was.
func setIn(cur *ast.Value, segs []string, nv *ast.Value, path string, depth int) (*ast.Value, error) {
	if len(segs) == 0 {
		return nv, nil
	}
	seg := segs[0]
	if cur == nil || cur.Kind == ast.Null {
		cur = &ast.Value{Kind: ast.Map}
	}
	cp := *cur
	switch cur.Kind {
	case ast.Map:
		cp.Fields = append([]*ast.Field(nil), cur.Fields...)
		for i, f := range cp.Fields {
			if f.Key == seg {
				child, err := setIn(f.Value, segs[1:], nv, path, depth+1)
				if err != nil {
					return nil, err
				}
				nf := *f
				nf.Value = child
				cp.Fields[i] = &nf
				return &cp, nil
			}
		}
		child, err := setIn(nil, segs[1:], nv, path, depth+1)
		if err != nil {
			return nil, err
		}
		cp.Fields = append(cp.Fields, &ast.Field{Key: seg, Value: child})
		return &cp, nil
	case ast.List:
		cp.Items = append([]*ast.Value(nil), cur.Items...)
		idx := -1
		if n, err := strconv.Atoi(seg); err == nil && n >= 0 && n < len(cp.Items) {
			idx = n
		} else {
			for i, it := range cp.Items {
				if id, _ := it.Get("id").String(); id == seg {
					idx = i
				}
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("--set %s: %q is not an index or a node id here", path, seg)
		}
		child, err := setIn(cp.Items[idx], segs[1:], nv, path, depth+1)
		if err != nil {
			return nil, err
		}
		cp.Items[idx] = child
		return &cp, nil
	}
	return nil, fmt.Errorf("--set %s: %s is %s, which has no field %q", path, strings.Join(strings.Split(path, ".")[:depth], "."), cur.Describe(), seg)
}

// stripRanges gives a --set value the position "--set", so diagnostics
// about it say where it came from.
func stripRanges(v *ast.Value) *ast.Value {
	if v == nil {
		return nil
	}
	cp := *v
	cp.Range = diag.Range{File: "--set"}
	cp.Items = nil
	for _, it := range v.Items {
		cp.Items = append(cp.Items, stripRanges(it))
	}
	cp.Fields = nil
	for _, f := range v.Fields {
		cp.Fields = append(cp.Fields, &ast.Field{Key: f.Key, KeyRange: diag.Range{File: "--set"}, Value: stripRanges(f.Value)})
	}
	return &cp
}

// Adds reports the first key of path that root does not have, which
// [Set] would add, with the keys of the map it would go in (for "did you
// mean"); "" when every key is there already. --set may add fields, but a
// typo adds one nothing reads, so the CLI warns.
func Adds(root *ast.Value, path string) (key string, siblings []string) {
	cur := root
	for _, seg := range strings.Split(path, ".") {
		switch {
		case cur == nil || cur.Kind == ast.Null:
			return seg, nil
		case cur.Kind == ast.Map:
			next := cur.Get(seg)
			if next == nil {
				for _, f := range cur.Fields {
					siblings = append(siblings, f.Key)
				}
				return seg, siblings
			}
			cur = next
		case cur.Kind == ast.List:
			var next *ast.Value
			if n, err := strconv.Atoi(seg); err == nil && n >= 0 && n < len(cur.Items) {
				next = cur.Items[n]
			}
			for _, it := range cur.Items {
				if id, _ := it.Get("id").String(); id == seg {
					next = it
				}
			}
			if next == nil {
				return "", nil // Set refuses it, saying why
			}
			cur = next
		default:
			return "", nil // Set refuses it
		}
	}
	return "", nil
}
