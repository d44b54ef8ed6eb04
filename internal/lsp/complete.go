package lsp

import (
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/expr"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/template"
	"github.com/osopdev/osop/internal/validate"
)

func (s *server) completion(p positionParams) (completionList, error) {
	list := completionList{Items: []CompletionItem{}}
	v := s.current(p.TextDocument.URI)
	if v == nil {
		return list, nil
	}
	file := fileOf(p.TextDocument.URI)
	if items, ok := v.referenceItems(file, p.Position); ok {
		list.Items = items
		return list, nil
	}
	sp, ok := locate(file, v.text, p.Position)
	if !ok {
		return list, nil
	}
	list.Items = v.structureItems(sp, p.Position)
	return list, nil
}

// structureItems completes a key or a value of the document's structure.
func (v *view) structureItems(sp spot, at Position) []CompletionItem {
	object, key := sp.object()
	edit := func(label string, kind int, detail, insert string) CompletionItem {
		return CompletionItem{Label: label, Kind: kind, Detail: detail, FilterText: label,
			TextEdit: &TextEdit{Range: Range{Start: sp.start, End: at}, NewText: insert}}
	}
	var items []CompletionItem
	if !sp.value && object != "node-inputs" {
		have := siblings(sp)
		for _, f := range validate.Fields(object) {
			if !have[f] {
				items = append(items, edit(f, kindField, object+" field", f+": "))
			}
		}
		return items
	}
	values, kind, detail := v.valuesFor(sp, object, key)
	for _, val := range values {
		items = append(items, edit(val, kind, detail, val))
	}
	return items
}

// valuesFor lists what may follow key: in the object.
func (v *view) valuesFor(sp spot, object, key string) (values []string, kind int, detail string) {
	switch {
	case object == "node" && key == "type":
		return validate.NodeTypes, kindEnum, "node type"
	case object == "edge" && key == "mode":
		return validate.EdgeModes, kindEnum, "edge mode"
	case object == "edge" && (key == "from" || key == "to" || key == "default_to"), object == "case" && key == "to":
		return nodeIDs(sp.root), kindValue, "node id"
	case object == "edge" && (key == "when" || key == "condition"):
		return celNames(v.best(sp.w)), kindFunction, "CEL"
	case object == "node-inputs":
		return v.upstreamOutputs(sp), kindVariable, "output of an upstream node"
	}
	return nil, 0, ""
}

// siblings are the keys the cursor's map already has, not offered again.
func siblings(sp spot) map[string]bool {
	m := sp.root
	for i, k := range sp.path[:len(sp.path)-1] {
		if k == "#" {
			idx := sp.index[strings.Count(strings.Join(sp.path[:i], "/"), "#")]
			if !m.IsList() || idx >= len(m.Items) {
				return nil
			}
			m = m.Items[idx]
			continue
		}
		m = m.Get(k)
	}
	have := map[string]bool{}
	if m.IsMap() {
		for _, f := range m.Fields {
			have[f.Key] = true
		}
	}
	return have
}

// nodeIDs are the ids of the nodes in the tree, in document order.
func nodeIDs(root *ast.Value) []string {
	var ids []string
	nodes := root.Get("nodes")
	if !nodes.IsList() {
		return nil
	}
	for _, n := range nodes.Items {
		if id, ok := n.Get("id").String(); ok && id != "" && id != placeholder {
			ids = append(ids, id)
		}
	}
	return ids
}

// celNames are what a condition may use: the CEL functions and macros
// (osop's status, error_of, … among them), the outputs of every node
// and the workflow's inputs.
func celNames(w *ast.Workflow) []string {
	names := expr.Functions()
	if w != nil {
		for _, n := range w.Nodes {
			for _, o := range n.Outputs {
				names = append(names, "outputs."+n.ID.V+"."+o.Name)
			}
		}
		for _, in := range w.Inputs {
			names = append(names, "inputs."+in.Name)
		}
	}
	return names
}

// upstreamOutputs are the outputs of the nodes that run before the
// cursor's node (all nodes' when it is not known yet).
func (v *view) upstreamOutputs(sp spot) []string {
	var out []string
	for _, n := range scope(v.best(sp.w), sp.nodeID(sp.nodeIndex())) {
		for _, o := range n.Outputs {
			if !slices.Contains(out, o.Name) {
				out = append(out, o.Name)
			}
		}
	}
	return out
}

// scope returns the nodes whose outputs node id can read: those that run
// before it, or every other node when id is not a node (yet).
func scope(w *ast.Workflow, id string) []*ast.Node {
	if w == nil {
		return nil
	}
	g := graph.New(w)
	i, ok := g.Index(id)
	var out []*ast.Node
	anc := g.Ancestors()
	for j, n := range g.Nodes {
		if ok && (j == i || !anc[i].Has(j)) || !ok && n.ID.V == id {
			continue
		}
		out = append(out, n)
	}
	return out
}

// referenceItems completes inside an unclosed ${…} or {{…}} before the
// cursor; ok is false when the cursor is not in one.
func (v *view) referenceItems(file string, at Position) ([]CompletionItem, bool) {
	line := string(v.text.line(at.Line))
	off := min(max(v.text.offset(at)-v.text.lines[min(at.Line, len(v.text.lines)-1)], 0), len(line))
	prefix := line[:off]
	dollar, mustache := strings.LastIndex(prefix, "${"), strings.LastIndex(prefix, "{{")
	open := max(dollar, mustache)
	if open < 0 || strings.ContainsAny(prefix[open+2:], "}") {
		return nil, false
	}
	typed := strings.TrimLeft(prefix[open+2:], " ")
	start := Position{Line: at.Line, Character: at.Character - utf16Count(typed)}
	id, w := "", v.workflow()
	if sp, ok := locate(file, v.text, at); ok {
		id, w = sp.nodeID(sp.nodeIndex()), v.best(sp.w)
	}
	var items []CompletionItem
	add := func(name string, kind int, detail string) {
		items = append(items, CompletionItem{Label: name, Kind: kind, Detail: detail, FilterText: name,
			TextEdit: &TextEdit{Range: Range{Start: start, End: at}, NewText: name}})
	}
	for _, n := range scope(w, id) {
		for _, o := range n.Outputs {
			add("outputs."+n.ID.V+"."+o.Name, kindRef, "output of "+n.ID.V)
			if open == mustache {
				add(o.Name, kindRef, "output of "+n.ID.V)
			}
		}
	}
	if w != nil {
		for _, in := range w.Inputs {
			add("inputs."+in.Name, kindVariable, "workflow input")
		}
		for _, p := range w.Variables {
			add(p.Name, kindVariable, "workflow variable")
		}
	}
	for _, k := range validate.MetadataKeys {
		add("metadata."+k, kindValue, "run metadata")
	}
	for _, b := range validate.Builtins {
		add(b, kindValue, "set by osop at run time")
	}
	for _, ns := range template.Namespaces {
		if ns == "secrets" || ns == "env" {
			add(ns+".", kindRef, ns)
		}
	}
	return items, true
}

// best is the workflow of the text as completion rewrote it, else of the
// document as last checked.
func (v *view) best(w *ast.Workflow) *ast.Workflow {
	if w != nil {
		return w
	}
	return v.workflow()
}
