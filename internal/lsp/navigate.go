package lsp

import (
	"regexp"
	"sort"

	"go.lsp.dev/jsonrpc2"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// occurrence is one place a node id is written: its definition, an edge
// endpoint, or a reference inside a string (outputs.ID.x, status('ID')).
type occurrence struct {
	id         string
	start, end int // byte offsets in the source
	def        bool
}

// Inside strings, the forms that name a node: template and CEL output
// references, and osop's CEL functions of a node.
var idInString = regexp.MustCompile(`\boutputs\.([A-Za-z_][\w-]*)|\b(?:status|error_of|duration_of)\(\s*['"]([A-Za-z_][\w-]*)['"]`)

// occurrences lists every place a node id of the view's workflow is
// written, in source order; computed once per view.
func (v *view) occurrences() []occurrence {
	if v == nil {
		return nil
	}
	v.occOnce.Do(func() { v.occ = findOccurrences(v.text, v.workflow()) })
	return v.occ
}

func findOccurrences(t *text, w *ast.Workflow) []occurrence {
	if w == nil {
		return nil
	}
	ids := map[string]bool{}
	for _, n := range w.Nodes {
		ids[n.ID.V] = true
	}
	var out []occurrence
	str := func(s ast.Str, def bool) {
		if s.Set() && ids[s.V] {
			start, end := t.span(s.R)
			out = append(out, occurrence{id: s.V, start: start, end: end, def: def})
		}
	}
	for _, n := range w.Nodes {
		str(n.ID, true)
		str(n.Parent, false)
		eachString(n.Raw, func(s *ast.Value) { out = append(out, inString(t, s, ids)...) })
	}
	for _, e := range w.Edges {
		str(e.From, false)
		str(e.To, false)
		str(e.DefaultTo, false)
		for _, c := range e.Cases {
			str(c.To, false)
		}
		eachString(e.Raw, func(s *ast.Value) { out = append(out, inString(t, s, ids)...) })
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// inString finds node ids named inside a string scalar, searching its
// source text so that positions are exact whatever its quoting.
func inString(t *text, s *ast.Value, ids map[string]bool) []occurrence {
	start, end := t.span(s.Range)
	if end <= start {
		end = t.lineEnd(start)
	}
	var out []occurrence
	for _, m := range idInString.FindAllSubmatchIndex(t.src[start:end], -1) {
		g := 2
		if m[2] < 0 {
			g = 4
		}
		id := string(t.src[start+m[g] : start+m[g+1]])
		if ids[id] {
			out = append(out, occurrence{id: id, start: start + m[g], end: start + m[g+1]})
		}
	}
	return out
}

// eachString calls fn for every string scalar under v, map keys aside.
func eachString(v *ast.Value, fn func(*ast.Value)) {
	switch {
	case v == nil:
	case v.Kind == ast.String:
		fn(v)
	case v.IsList():
		for _, it := range v.Items {
			eachString(it, fn)
		}
	case v.IsMap():
		for _, f := range v.Fields {
			eachString(f.Value, fn)
		}
	}
}

// span converts an osop range to byte offsets.
func (t *text) span(r diag.Range) (int, int) {
	lr := t.rangeOf(r)
	return t.offset(lr.Start), t.offset(lr.End)
}

// lineEnd is the offset of the end of the line holding off.
func (t *text) lineEnd(off int) int {
	for off < len(t.src) && t.src[off] != '\n' {
		off++
	}
	return off
}

// lspRange converts byte offsets to an LSP range.
func (t *text) lspRange(start, end int) Range {
	return Range{Start: t.positionAt(start), End: t.positionAt(end)}
}

// positionAt converts a byte offset to an LSP position.
func (t *text) positionAt(off int) Position {
	line := sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off }) - 1
	line = max(line, 0)
	return Position{Line: line, Character: utf16Count(string(t.src[t.lines[line]:off]))}
}

// at returns the occurrence under the cursor.
func (v *view) at(p Position) (occurrence, bool) {
	if v == nil {
		return occurrence{}, false
	}
	off := v.text.offset(p)
	for _, o := range v.occurrences() {
		if o.start <= off && off <= o.end {
			return o, true
		}
	}
	return occurrence{}, false
}

func (s *server) definition(p positionParams) ([]Location, error) {
	v := s.current(p.TextDocument.URI)
	o, ok := v.at(p.Position)
	if !ok {
		return []Location{}, nil
	}
	for _, d := range v.occurrences() {
		if d.def && d.id == o.id {
			return []Location{{URI: p.TextDocument.URI, Range: v.text.lspRange(d.start, d.end)}}, nil
		}
	}
	return []Location{}, nil
}

type referenceParams struct {
	positionParams
	Context struct {
		IncludeDeclaration bool `json:"includeDeclaration"`
	} `json:"context"`
}

func (s *server) references(p referenceParams) ([]Location, error) {
	v := s.current(p.TextDocument.URI)
	o, ok := v.at(p.Position)
	locs := []Location{}
	if !ok {
		return locs, nil
	}
	for _, r := range v.occurrences() {
		if r.id == o.id && (!r.def || p.Context.IncludeDeclaration) {
			locs = append(locs, Location{URI: p.TextDocument.URI, Range: v.text.lspRange(r.start, r.end)})
		}
	}
	return locs, nil
}

// validID is what a node id may be renamed to: a name every reference
// form (outputs.ID.x, status('ID')) can hold.
var validID = regexp.MustCompile(`^[A-Za-z_][\w-]*$`)

func (s *server) prepareRename(p positionParams) (*Range, error) {
	v := s.current(p.TextDocument.URI)
	o, ok := v.at(p.Position)
	if !ok {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "only a node id can be renamed here")
	}
	r := v.text.lspRange(o.start, o.end)
	return &r, nil
}

func (s *server) rename(p renameParams) (*WorkspaceEdit, error) {
	v := s.current(p.TextDocument.URI)
	o, ok := v.at(p.Position)
	if !ok {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "only a node id can be renamed here")
	}
	if !validID.MatchString(p.NewName) {
		return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "a node id is a letter or _ followed by letters, digits, _ or -: "+p.NewName)
	}
	for _, n := range v.workflow().Nodes {
		if n.ID.V == p.NewName && p.NewName != o.id {
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, "a node "+p.NewName+" already exists")
		}
	}
	var edits []TextEdit
	for _, r := range v.occurrences() {
		if r.id == o.id {
			edits = append(edits, TextEdit{Range: v.text.lspRange(r.start, r.end), NewText: p.NewName})
		}
	}
	return &WorkspaceEdit{Changes: map[string][]TextEdit{p.TextDocument.URI: edits}}, nil
}

type symbolParams struct {
	TextDocument textDocumentIdentifier `json:"textDocument"`
}

// symbols is the outline: the workflow, its nodes and its edges.
func (s *server) symbols(p symbolParams) ([]DocumentSymbol, error) {
	v := s.current(p.TextDocument.URI)
	w := v.workflow()
	out := []DocumentSymbol{}
	if w == nil {
		return out, nil
	}
	t := v.text
	nodes := DocumentSymbol{Name: "nodes", Kind: symbolArray, Detail: plural(len(w.Nodes), "node")}
	for _, n := range w.Nodes {
		nodes.Children = append(nodes.Children, DocumentSymbol{Name: n.ID.V, Detail: n.Type.V + " · " + n.Summary(),
			Kind: symbolFunction, Range: t.rangeOf(n.Range), SelectionRange: t.rangeOf(n.ID.R)})
	}
	edges := DocumentSymbol{Name: "edges", Kind: symbolArray, Detail: plural(len(w.Edges), "edge")}
	for _, e := range w.Edges {
		mode := e.Mode.V
		if mode == "" {
			mode = "sequential"
		}
		edges.Children = append(edges.Children, DocumentSymbol{Name: e.From.V + " → " + e.To.V, Detail: mode,
			Kind: symbolEvent, Range: t.rangeOf(e.Range), SelectionRange: t.rangeOf(e.From.R)})
	}
	for _, sec := range []*DocumentSymbol{&nodes, &edges} {
		if len(sec.Children) > 0 {
			sec.Range = Range{Start: sec.Children[0].Range.Start, End: sec.Children[len(sec.Children)-1].Range.End}
			sec.SelectionRange = sec.Children[0].SelectionRange
			out = append(out, *sec)
		}
	}
	return out, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}
