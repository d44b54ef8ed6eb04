package validate

import (
	"fmt"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/expr"
)

// HumanOutputs are what every human node gives besides its declared
// outputs: whether it was approved, the decision and comment, and who
// gave them.
var HumanOutputs = []expr.Decl{
	{Name: "approved", Type: "boolean"},
	{Name: "decision", Type: "string"},
	{Name: "comment", Type: "string"},
	{Name: "approver", Type: "string"},
}

// Implied is a name that a condition of a descriptive workflow (level L0
// or L1) reads and that no node, input or variable declares: the run's
// caller gives it (osop run asks for it, or takes --input NAME=…).
type Implied struct {
	Name string
	// Uses are where conditions read it, in file order.
	Uses []Use
}

// Use is one place a condition reads an implied name.
type Use struct {
	Edge   *ast.Edge
	Value  *ast.Value // the when (or condition) that reads it
	Line   int        // in the expression's text
	Column int
}

// ImpliedNames returns the names a descriptive workflow's conditions
// read that nothing declares, in the order they are first read; nil for a
// workflow at L2 or above, where such a name is an error. vars are the
// template variables the run passes.
func ImpliedNames(w *ast.Workflow, vars []string) []Implied {
	return impliedNames(w, baseDecls(w, vars))
}

func impliedNames(w *ast.Workflow, decls []expr.Decl) []Implied {
	if w == nil || len(w.Edges) == 0 || InferLevel(w).N >= 2 {
		return nil
	}
	env, err := expr.NewEnv(decls)
	if err != nil {
		return nil
	}
	nodes := map[string]bool{}
	for _, n := range w.Nodes {
		nodes[n.ID.V] = true
	}
	var out []Implied
	at := map[string]int{}
	for _, e := range w.Edges {
		v := e.Raw.Get("when")
		if v == nil {
			v = e.Raw.Get("condition")
		}
		text, _ := v.String()
		if v == nil || e.Mode.V == "switch" || strings.TrimSpace(text) == "" {
			continue
		}
		_, issues := env.Check(text)
		for _, is := range issues {
			name := is.Undeclared
			if name == "" || nodes[name] || !expr.IsIdent(name) {
				continue
			}
			k, seen := at[name]
			if !seen {
				k = len(out)
				at[name] = k
				out = append(out, Implied{Name: name})
			}
			out[k].Uses = append(out[k].Uses, Use{Edge: e, Value: v, Line: is.Line, Column: is.Column})
		}
	}
	return out
}

func (c *checker) impliedNames() []Implied {
	if c.impliedList == nil {
		vars := make([]string, 0, len(c.known))
		for v := range c.known {
			vars = append(vars, v)
		}
		c.impliedList = ImpliedNames(c.w, vars)
		if c.impliedList == nil {
			c.impliedList = []Implied{}
		}
	}
	return c.impliedList
}

func (c *checker) implied(name string) *Implied {
	for k, im := range c.impliedNames() {
		if im.Name == name {
			return &c.impliedNames()[k]
		}
	}
	return nil
}

// undeclaredName warns of a name a condition of a descriptive workflow
// reads and nothing declares, and says where it could come from.
func (c *checker) undeclaredName(v *ast.Value, r expr.Ref, field string, src int) {
	step := c.g.Nodes[src].ID.V
	c.add(diag.Warning, "undeclared-name", c.within(v, r.Line, r.Column, r.Name),
		fmt.Sprintf("declare it as a workflow input (inputs: [{name: %s}]), or as an output of the step that knows it "+
			"(outputs: [%s] on node %q, or on the step that decides it); until then osop run asks for it, or takes --input %s=…",
			r.Name, r.Name, step, r.Name),
		"%s reads %q, which no node outputs and the workflow does not declare", field, r.Name)
}

// ImpliedMissing reports, for osop run, every implied name the run has
// no value for, at its first use: the run is refused before anything
// runs, naming them all.
func ImpliedMissing(doc *ast.Document, vars []string, given map[string]any) diag.Diagnostics {
	if doc.Workflow == nil {
		return nil
	}
	c := &checker{w: doc.Workflow, src: strings.Split(string(doc.Source), "\n")}
	for _, im := range ImpliedNames(doc.Workflow, vars) {
		if _, ok := given[im.Name]; ok {
			continue
		}
		u := im.Uses[0]
		c.add(diag.Error, "missing-input", c.within(u.Value, u.Line, u.Column, im.Name),
			fmt.Sprintf("pass --input %s=…, run osop at a terminal to be asked, or declare it (as a workflow input, or an output of the step that knows it)", im.Name),
			"the condition of edge %s → %s reads %q, which nothing in the workflow gives, and this run has no value for it",
			u.Edge.From.V, u.Edge.To.V, im.Name)
	}
	c.ds.Sort()
	return c.ds
}
