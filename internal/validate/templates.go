package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/template"
)

// Builtins are the template variables every run provides.
var Builtins = []string{"GIT_SHA", "GIT_SHA_SHORT", "GIT_BRANCH", "RUN_ID", "TIMESTAMP", "WORKFLOW_ID"}

// MetadataKeys are the keys ${metadata.x} may read besides the workflow's
// own metadata map; the engine gives each a value (a test holds it to it).
var MetadataKeys = []string{"run_id", "workflow_id", "workflow_version", "node_id", "attempt", "attempt_number",
	"iteration", "started_at", "timestamp", "git_sha", "git_branch", "triggered_by"}

// templates checks every reference inside the strings of each node's
// runtime, workflow_inputs and approval prompt.
func (c *checker) templates() {
	for i, n := range c.g.Nodes {
		scope := func(j int) bool { return c.anc[i].Has(j) }
		shell := n.Type.V == "cli" || n.Type.V == "cicd" || n.Type.V == "git"
		for _, v := range []*ast.Value{n.Runtime, n.WorkflowInputs} {
			eachString(v, func(s *ast.Value) {
				for _, r := range template.Scan(s.Str) {
					c.reference(n, s, r, scope, shell)
				}
			})
		}
	}
}

// eachString calls fn for every string in v, map keys excepted.
func eachString(v *ast.Value, fn func(*ast.Value)) {
	if v == nil {
		return
	}
	switch v.Kind {
	case ast.String:
		if template.HasRefs(v.Str) {
			fn(v)
		}
	case ast.List:
		for _, it := range v.Items {
			eachString(it, fn)
		}
	case ast.Map:
		for _, f := range v.Fields {
			eachString(f.Value, fn)
		}
	}
}

func (c *checker) reference(n *ast.Node, s *ast.Value, r template.Ref, in func(int) bool, shell bool) {
	at := c.offsetIn(s, r.Offset, r.Text)
	switch r.Namespace {
	case "outputs":
		field := ""
		if len(r.Path) > 1 {
			field = r.Path[1]
		}
		c.outputRef(at, r.Path[0], field, in, fmt.Sprintf("node %q", n.ID.V))
	case "inputs":
		if !c.declaresInput(r.Head()) {
			detail := fmt.Sprintf("declare it under the workflow's inputs, and pass it with --input %s=…", r.Head())
			c.add(diag.Warning, "undeclared-input", at, detail, "%s refers to an input the workflow does not declare", r.Text)
		}
	case "metadata":
		if !slices.Contains(MetadataKeys, r.Head()) && c.w.Metadata.Get(r.Head()) == nil {
			c.add(diag.Warning, "undeclared-variable", at, "known: "+strings.Join(MetadataKeys, ", "),
				"%s is not run metadata osop provides", r.Text)
		}
	case "vars":
		if !c.isGlobal(r.Head()) {
			c.add(diag.Warning, "undeclared-variable", at, fmt.Sprintf("declare it under variables, or pass --var %s=…", r.Head()),
				"%s is not a declared variable", r.Text)
		}
	case "loop":
		c.loopRef(n, at, r)
	case "secrets", "env":
		// Resolved at run time from --secret/--secrets-file and the environment.
	default:
		c.bareRef(n, at, r, in, shell)
	}
}

func (c *checker) declaresInput(name string) bool {
	for _, p := range c.w.Inputs {
		if p.Name == name {
			return true
		}
	}
	return c.known[name]
}

func (c *checker) isGlobal(name string) bool {
	_, ok := c.globals()[name]
	return ok
}

func (c *checker) loopRef(n *ast.Node, at diag.Range, r template.Ref) {
	i, _ := c.g.Index(n.ID.V)
	for _, a := range c.g.In(i) {
		if a.Edge.IteratorVar.V == r.Head() || (a.Edge.ForEach.Set() && !a.Edge.IteratorVar.Set() && r.Head() == "item") {
			return
		}
	}
	c.add(diag.Warning, "undeclared-variable", at, "set iterator_var on a for_each loop edge that leads into this node",
		"%s is not the iterator of a loop into node %q", r.Text, n.ID.V)
}

// bareRef checks {{NAME}} and ${NAME}: a built-in, an output of a node that
// runs first, a workflow input or variable, or a variable the user passes.
// ${NAME} in a shell command that resolves to none of these is the shell's.
func (c *checker) bareRef(n *ast.Node, at diag.Range, r template.Ref, in func(int) bool, shell bool) {
	name := r.Head()
	if IsBuiltin(name) || c.isGlobal(name) {
		return
	}
	producers := c.producers()[name]
	for _, p := range producers {
		if in(p) {
			return
		}
	}
	if len(producers) > 0 {
		c.add(diag.Error, "not-upstream", at,
			"add an edge so that it runs first, or pass the value with --var",
			"%s is an output of node %q, which does not run before node %q", r.Text, c.g.Nodes[producers[0]].ID.V, n.ID.V)
		return
	}
	if !r.Mustache {
		if shell || r.HasDefault {
			return // a shell or environment variable
		}
		c.add(diag.Info, "undeclared-variable", at, "",
			"%s is not declared; it will be read from the environment at run time", r.Text)
		return
	}
	c.add(diag.Warning, "undeclared-variable", at,
		fmt.Sprintf("pass it with osop run --var %s=…, declare it under variables or inputs, or output it from an earlier node", name),
		"%s is not declared by any node, input or variable", r.Text)
}

// IsBuiltin reports whether name is one of [Builtins], in any case.
func IsBuiltin(name string) bool {
	for _, b := range Builtins {
		if strings.EqualFold(b, name) {
			return true
		}
	}
	return false
}

// inputs checks that each node input is produced by a node that runs
// first, or is a workflow input or variable.
func (c *checker) inputs() {
	for i, n := range c.g.Nodes {
		for _, in := range n.Inputs {
			if c.isGlobal(in.Name) || IsBuiltin(in.Name) {
				continue
			}
			producers := c.producers()[in.Name]
			ok := false
			for _, p := range producers {
				if c.anc[i].Has(p) {
					ok = true
				}
			}
			if ok {
				continue
			}
			detail := fmt.Sprintf("no node outputs %q: add it to the outputs of the node that makes it, or declare it as a workflow input", in.Name)
			if len(producers) > 0 {
				detail = fmt.Sprintf("node %q outputs it, but does not run before %q: add an edge", c.g.Nodes[producers[0]].ID.V, n.ID.V)
			}
			c.add(diag.Warning, "unproduced-input", in.Range, detail, "input %q of node %q is not produced upstream", in.Name, n.ID.V)
		}
	}
}
