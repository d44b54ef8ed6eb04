package parse

import (
	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// Workflow normalises a parsed document into the workflow model. The
// returned diagnostics are Info notes on aliases and errors for values no
// schema can judge (unreadable durations, say).
func Workflow(file string, root *ast.Value) (*ast.Workflow, diag.Diagnostics) {
	l := &loader{file: file}
	w := &ast.Workflow{File: file, Root: root}
	if !root.IsMap() {
		return w, l.ds
	}
	l.version(w, root)
	w.ID = str(root, "id")
	w.Name = str(root, "name")
	w.Description = str(root, "description")
	w.WorkflowVersion = str(root, "version")
	w.Owner = str(root, "owner")
	w.Tags = strList(root.Get("tags"))
	w.Inputs = l.params(root.Get("inputs"), "workflow inputs")
	w.Outputs = l.params(root.Get("outputs"), "workflow outputs")
	w.Variables = variables(root.Get("variables"))
	w.Retry = l.retryOf(root)
	w.Timeout = l.timeoutOf(root)
	w.Concurrency = str(root, "concurrency")
	if c := root.Get("concurrency"); c.IsMap() {
		w.Concurrency = str(c, "key")
	}
	w.Security = root.Get("security")
	w.Metadata = root.Get("metadata")
	w.Env = root.Get("env")
	w.Imports = strList(root.Get("imports"))
	if nodes := root.Get("nodes"); nodes.IsList() {
		for _, nv := range nodes.Items {
			if nv.IsMap() {
				w.Nodes = append(w.Nodes, l.node(nv))
			}
		}
	}
	if edges := root.Get("edges"); edges.IsList() {
		for _, ev := range edges.Items {
			if ev.IsMap() {
				w.Edges = append(w.Edges, l.edge(ev))
			}
		}
	}
	return w, l.ds
}

func (l *loader) version(w *ast.Workflow, root *ast.Value) {
	w.Version = str(root, "osop_version")
	if alt := str(root, "osop"); alt.Set() {
		if w.Version.Set() {
			if alt.V != w.Version.V {
				l.warnf("conflicting-fields", alt.R, "remove osop; osop_version is the standard name",
					"osop %q disagrees with osop_version %q; osop_version wins", alt.V, w.Version.V)
			}
			return
		}
		w.Version = alt
		l.alias(alt.R, "osop read as osop_version (visual editor dialect)")
	}
}

func variables(v *ast.Value) []*ast.Param {
	if !v.IsMap() {
		return nil
	}
	out := make([]*ast.Param, 0, len(v.Fields))
	for _, f := range v.Fields {
		p := &ast.Param{Name: f.Key, Range: f.KeyRange, Default: f.Value}
		if f.Value.IsMap() && (f.Value.Get("default") != nil || f.Value.Get("type") != nil) {
			p = schemaParam(f.Key, f.Value)
			p.Range = f.KeyRange
		}
		out = append(out, p)
	}
	return out
}

func (l *loader) node(v *ast.Value) *ast.Node {
	n := &ast.Node{Raw: v, Range: v.Range}
	n.ID = str(v, "id")
	n.Type = str(v, "type")
	n.Subtype = str(v, "subtype")
	n.Name = str(v, "name")
	n.Purpose = str(v, "purpose")
	n.Description = str(v, "description")
	n.Role = str(v, "role")
	n.Explain = explain(v.Get("explain"))
	n.Inputs = l.params(v.Get("inputs"), "inputs")
	n.Outputs = l.params(v.Get("outputs"), "outputs")
	n.Runtime = l.runtime(v)
	n.Retry = l.retryOf(v)
	n.Timeout = l.timeoutOf(v)
	n.Approval = l.approval(v)
	n.Security = v.Get("security")
	n.WorkflowRef = str(v, "workflow_ref")
	n.WorkflowInputs = v.Get("workflow_inputs")
	n.Parent = str(v, "parent")
	return n
}

func explain(v *ast.Value) *ast.Explain {
	switch {
	case v == nil:
		return nil
	case v.IsMap():
		return &ast.Explain{Why: str(v, "why").V, What: str(v, "what").V, Result: str(v, "result").V}
	}
	if s, ok := v.String(); ok {
		return &ast.Explain{Text: s}
	}
	return nil
}

// runtime returns the node's runtime map, folding in the aliases found in
// the wild: config for runtime, and a top-level command or cmd.
func (l *loader) runtime(v *ast.Value) *ast.Value {
	rt := v.Get("runtime")
	if rt == nil {
		if cfg := v.Field("config"); cfg != nil && cfg.Value.IsMap() {
			rt = cfg.Value
			l.alias(cfg.KeyRange, "config read as runtime")
		}
	}
	for _, key := range []string{"command", "cmd"} {
		f := v.Field(key)
		if f == nil {
			continue
		}
		if rt.Get("command") != nil {
			l.warnf("conflicting-fields", f.KeyRange, "keep only runtime.command",
				"%s is ignored: runtime.command is also set", key)
			continue
		}
		l.alias(f.KeyRange, "%s read as runtime.command (legacy field)", key)
		rt = withField(rt, &ast.Field{Key: "command", KeyRange: f.KeyRange, Value: f.Value}, v.Range)
	}
	if rt != nil && !rt.IsMap() {
		return nil
	}
	return rt
}

// withField returns a copy of the map m (or a new map) with f added.
func withField(m *ast.Value, f *ast.Field, at diag.Range) *ast.Value {
	out := &ast.Value{Kind: ast.Map, Range: at}
	if m.IsMap() {
		cp := *m
		out = &cp
		out.Fields = append([]*ast.Field(nil), m.Fields...)
	}
	out.Fields = append(out.Fields, f)
	return out
}

func (l *loader) timeoutOf(v *ast.Value) *ast.Duration {
	sec, prose := v.Field("timeout_sec"), v.Field("timeout")
	switch {
	case sec != nil:
		if prose != nil {
			l.warnf("conflicting-fields", prose.KeyRange, "keep one of them", "timeout is ignored: timeout_sec is also set")
		}
		return l.duration(sec.Value, "timeout_sec")
	case prose != nil:
		d := l.duration(prose.Value, "timeout")
		if d != nil && prose.Value.Kind == ast.String {
			l.alias(prose.Value.Range, "timeout %q read as %s", prose.Value.Str, d.D)
		}
		return d
	}
	return nil
}

func (l *loader) approval(v *ast.Value) *ast.Approval {
	g := v.Field("approval_gate")
	if g == nil {
		if sec := v.Get("security"); sec.IsMap() {
			if g = sec.Field("approval_gate"); g != nil {
				l.alias(g.KeyRange, "security.approval_gate read as the node's approval_gate")
			}
		}
	}
	if g == nil {
		return nil
	}
	a := &ast.Approval{Range: g.KeyRange}
	switch gv := g.Value; {
	case gv.Kind == ast.Bool:
		a.Required = gv.Bool
	case gv.IsMap():
		a.Required = true
		if req, ok := boolOf(gv.Get("required")); ok {
			a.Required = req
		}
		if m, ok := boolOf(gv.Get("mandatory")); ok && m {
			a.Required = true
		}
		for _, s := range strList(gv.Get("approvers")) {
			a.Approvers = append(a.Approvers, s.V)
		}
		if r := str(gv, "approver_role"); r.Set() {
			a.Approvers = append(a.Approvers, r.V)
		}
		if h, ok := gv.Get("timeout_hours").Number(); ok {
			a.Timeout, _ = secondsToDuration(h * 3600)
		} else if d := l.duration(gv.Get("timeout"), "approval_gate.timeout"); d != nil {
			a.Timeout = d.D
		}
	default:
		return nil
	}
	return a
}
