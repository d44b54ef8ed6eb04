package validate

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/expr"
)

// producers maps each output name to the nodes declaring it, in file order.
func (c *checker) producers() map[string][]int {
	if c.producedBy != nil {
		return c.producedBy
	}
	out := map[string][]int{}
	for i, n := range c.g.Nodes {
		for _, o := range n.Outputs {
			out[o.Name] = append(out[o.Name], i)
		}
		if n.Type.V == "human" {
			for _, o := range HumanOutputs {
				if !n.HasOutput(o.Name) {
					out[o.Name] = append(out[o.Name], i)
				}
			}
		}
		for _, name := range c.implicitOutputs(n) {
			if !n.HasOutput(name) {
				out[name] = append(out[name], i)
			}
		}
	}
	c.producedBy = out
	return out
}

// globals are the bare names usable everywhere: workflow inputs and
// variables, loop iterators, and the variables the user passes.
func (c *checker) globals() map[string]string {
	if c.globalNames != nil {
		return c.globalNames
	}
	g := map[string]string{}
	for _, p := range c.w.Inputs {
		g[p.Name] = p.Type
	}
	for _, p := range c.w.Variables {
		g[p.Name] = p.Type
	}
	for _, e := range c.w.Edges {
		if e.IteratorVar.Set() {
			g[e.IteratorVar.V] = ""
		}
	}
	for v := range c.known {
		g[v] = ""
	}
	for _, im := range c.impliedNames() {
		g[im.Name] = ""
	}
	c.globalNames = g
	return g
}

func (c *checker) celEnv() (*expr.Env, error) {
	if c.env != nil {
		return c.env, nil
	}
	vars := make([]string, 0, len(c.known))
	for v := range c.known {
		vars = append(vars, v)
	}
	env, err := expr.NewEnv(CELDecls(c.w, vars))
	c.env = env
	return env, err
}

func (c *checker) expressions() {
	if len(c.w.Edges) == 0 {
		return
	}
	env, err := c.celEnv()
	if err != nil {
		c.add(diag.Error, "expression-type", c.w.Root.Range, "", "cannot build the expression environment: %v", err)
		return
	}
	for _, e := range c.w.Edges {
		src, ok := c.g.Index(e.From.V)
		if !ok {
			continue
		}
		if e.When.Set() && strings.TrimSpace(e.When.V) != "" {
			c.expression(env, e, e.Raw.Get("when"), e.Raw.Get("condition"), src, e.Mode.V != "switch")
		}
		if e.ForEach.Set() {
			c.expression(env, e, e.Raw.Get("for_each"), nil, src, false)
		}
	}
}

// expression checks one expression of edge e, evaluated after node src.
func (c *checker) expression(env *expr.Env, e *ast.Edge, v, alt *ast.Value, src int, wantBool bool) {
	if v == nil {
		v = alt
	}
	if v == nil {
		return
	}
	text, _ := v.String()
	field := "when"
	if e.Raw.Get("when") == nil {
		field = "condition"
	}
	checked, issues := env.Check(text)
	for _, is := range issues {
		c.celIssue(v, is, field, src)
	}
	if checked == nil {
		return
	}
	if checked.CEL != text {
		c.add(diag.Info, "condition-rewrite", v.Range, "it is written in the editor's style (AND, OR, NOT, =, contains, in (…)); write the CEL to silence this note",
			"%s %q runs as the CEL %q", field, text, checked.CEL)
	}
	if wantBool && !checked.IsBool() {
		c.add(diag.Error, "expression-type", v.Range, "compare it with something, e.g. x == 'value'",
			"%s must be a boolean, but %q is %s", field, text, checked.Type)
	}
	scope := c.scope(src)
	for _, r := range checked.Idents {
		if im := c.implied(r.Name); im != nil {
			c.undeclaredName(v, r, field, src)
			continue
		}
		c.bareInScope(v, r, scope, src)
	}
	for _, r := range checked.Outputs {
		c.outputRef(c.within(v, r.Line, r.Column, "outputs."+r.Name), r.Name, r.Field, scope, "this edge is evaluated")
	}
	for _, r := range checked.NodeCalls {
		if _, ok := c.g.Index(r.Name); !ok {
			c.add(diag.Error, "unknown-node", c.within(v, r.Line, r.Column, r.Name), didYouMean(r.Name, c.nodeIDs()),
				"%s(%q): no node has that id", r.Func, r.Name)
		}
	}
	for _, h := range checked.Hints {
		c.add(diag.Warning, "expression-lint", c.within(v, h.Line, h.Column, ".length"), "", "%s", h.Message)
	}
}

func (c *checker) celIssue(v *ast.Value, is expr.Issue, field string, src int) {
	if is.Undeclared != "" {
		names := c.namesInScope(src)
		detail := didYouMean(is.Undeclared, names)
		if detail == "" || strings.HasPrefix(detail, "known:") {
			detail = "in scope: " + strings.Join(names, ", ")
			if len(names) == 0 {
				detail = "nothing upstream declares outputs; declare them with outputs: [name]"
			}
		}
		if _, isNode := c.g.Index(is.Undeclared); isNode {
			detail = fmt.Sprintf("%q is a node id; read its outputs as outputs.%s.<name>", is.Undeclared, is.Undeclared)
		}
		c.add(diag.Error, "expression-type", c.within(v, is.Line, is.Column, is.Undeclared), detail,
			"%s reads %q, which no node outputs and the workflow does not declare", field, is.Undeclared)
		return
	}
	code := "expression-type"
	if strings.Contains(is.Message, "Syntax error") || strings.Contains(is.Message, "mismatched input") ||
		strings.Contains(is.Message, "token recognition") || strings.Contains(is.Message, "extraneous input") ||
		strings.Contains(is.Message, "no viable alternative") || strings.Contains(is.Message, "missing") {
		code = "expression-syntax"
	}
	text, _ := v.String()
	if is.CEL != "" {
		c.add(diag.Error, code, c.within(v, is.Line, is.Column, ""), "OSOP conditions are CEL (https://cel.dev): e.g. status == 'ok' && count > 0",
			"%s %q, read as the CEL %q, is not valid: %s", field, text, is.CEL, expr.Friendly(is.Message))
		return
	}
	c.add(diag.Error, code, c.within(v, is.Line, is.Column, ""), "OSOP conditions are CEL (https://cel.dev): e.g. status == 'ok' && count > 0",
		"%s %q is not valid CEL: %s", field, text, expr.Friendly(is.Message))
}

// scope is the set of nodes whose outputs an expression evaluated after
// node src can read: src and everything before it.
func (c *checker) scope(src int) func(int) bool {
	return func(i int) bool { return i == src || c.anc[src].Has(i) }
}

func (c *checker) namesInScope(src int) []string {
	in := c.scope(src)
	set := map[string]bool{}
	for name := range c.globals() {
		set[name] = true
	}
	for i, n := range c.g.Nodes {
		if in(i) {
			for _, o := range n.Outputs {
				set[o.Name] = true
			}
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// bareInScope checks that a bare identifier names a global or an output of
// a node in scope.
func (c *checker) bareInScope(v *ast.Value, r expr.Ref, in func(int) bool, src int) {
	if _, ok := c.globals()[r.Name]; ok {
		return
	}
	producers := c.producers()[r.Name]
	for _, p := range producers {
		if in(p) {
			return
		}
	}
	var ids []string
	for _, p := range producers {
		ids = append(ids, fmt.Sprintf("%q", c.g.Nodes[p].ID.V))
	}
	c.add(diag.Error, "expression-scope", c.within(v, r.Line, r.Column, r.Name),
		fmt.Sprintf("it is an output of node %s, which does not run before node %q finishes; add an edge, or read another value",
			strings.Join(ids, ", "), c.g.Nodes[src].ID.V),
		"%q is not available where this expression is evaluated", r.Name)
}

// outputRef checks a reference to outputs.<node>[.<field>].
func (c *checker) outputRef(at diag.Range, node, field string, in func(int) bool, when string) {
	i, ok := c.g.Index(node)
	if !ok {
		c.add(diag.Error, "unknown-node", at, didYouMean(node, c.nodeIDs()), "outputs.%s: no node has id %q", node, node)
		return
	}
	if !in(i) {
		c.add(diag.Error, "not-upstream", at, "add an edge so that it runs first, or read another node's outputs",
			"outputs.%s: node %q does not run before %s", node, node, when)
		return
	}
	n := c.g.Nodes[i]
	if field == "" || len(n.Outputs) == 0 || n.HasOutput(field) || slices.Contains(naturalOutputs, field) ||
		slices.Contains(c.implicitOutputs(n), field) {
		return
	}
	var names []string
	for _, o := range n.Outputs {
		names = append(names, o.Name)
	}
	c.add(diag.Warning, "unknown-output", at, didYouMean(field, names), "node %q does not declare output %q", node, field)
}

// naturalOutputs are outputs every executor sets without a declaration.
var naturalOutputs = []string{"exit_code", "stdout", "stderr", "status", "status_code", "body", "headers",
	"decision", "comment", "approved", "approver", "decided_by"}

// CELDecls returns the bare identifiers a workflow's expressions may use:
// workflow inputs and variables, loop iterators, every declared output
// name, what every human node gives (HumanOutputs), and, in a
// descriptive file, the names its conditions read that nothing declares
// (ImpliedNames: the run's caller gives them). The engine builds its CEL
// environment from the same list.
func CELDecls(w *ast.Workflow, vars []string) []expr.Decl {
	decls := baseDecls(w, vars)
	for _, im := range impliedNames(w, decls) {
		decls = append(decls, expr.Decl{Name: im.Name})
	}
	return decls
}

func baseDecls(w *ast.Workflow, vars []string) []expr.Decl {
	var decls []expr.Decl
	for _, p := range w.Inputs {
		decls = append(decls, expr.Decl{Name: p.Name, Type: p.Type})
	}
	for _, p := range w.Variables {
		decls = append(decls, expr.Decl{Name: p.Name, Type: p.Type})
	}
	for _, e := range w.Edges {
		if e.IteratorVar.Set() {
			decls = append(decls, expr.Decl{Name: e.IteratorVar.V})
		}
	}
	for _, v := range vars {
		decls = append(decls, expr.Decl{Name: v})
	}
	for _, n := range w.Nodes {
		for _, o := range n.Outputs {
			decls = append(decls, expr.Decl{Name: o.Name, Type: o.Type})
		}
		if n.Type.V == "human" {
			for _, o := range HumanOutputs {
				if !n.HasOutput(o.Name) {
					decls = append(decls, o)
				}
			}
		}
	}
	return decls
}
