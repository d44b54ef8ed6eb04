package expr

import (
	"regexp"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// Issue is a problem with an expression. Line and Column are 1-based and
// relative to the expression's text.
type Issue struct {
	Message string
	Line    int
	Column  int
	// Undeclared is set when the problem is an unknown identifier.
	Undeclared string
	// Syntax is set when the text does not parse.
	Syntax bool
	// CEL, when set, is the editor-style condition's CEL rewrite, which
	// the problem is about (its position is the source's).
	CEL string
}

// Ref is a use, inside an expression, of something the validator checks
// against the workflow: a bare identifier, outputs.<node>.<field>, or a
// node named in status()/error_of()/duration_of().
type Ref struct {
	Name   string // the identifier, the node, or the function's node argument
	Field  string // for outputs.<node>.<field>, the field
	Func   string // for node functions, the function's name
	Line   int
	Column int
}

// Checked is an expression that parsed and type-checked.
type Checked struct {
	ast *cel.Ast
	// CEL is the expression that runs: the source, or its rewrite when
	// the source is an editor-style condition.
	CEL string
	// Type is the expression's result type.
	Type *cel.Type
	// Idents are the bare identifiers it reads.
	Idents []Ref
	// Outputs are its outputs.<node>.<field> (or outputs.<node>) reads.
	Outputs []Ref
	// NodeCalls are its status()/error_of()/duration_of() calls with a
	// literal node id.
	NodeCalls []Ref
	// Hints are lint notes on code that type-checks but will not do what
	// it seems to (x.length, say).
	Hints []Issue
}

// IsBool reports whether the expression yields a boolean (or a dyn that
// may be one).
func (c *Checked) IsBool() bool {
	return c.Type.IsExactType(types.BoolType) || c.Type.IsExactType(types.DynType)
}

var undeclaredRE = regexp.MustCompile(`undeclared reference to '([^']+)'`)

// Check parses and type-checks src. It returns the checked expression, or
// nil and the issues found. A condition in the editor's style (AND, OR,
// NOT, =, contains, in (…)) that is not valid CEL as written is read as
// its CEL rewrite: Checked.CEL is what runs, and positions are the
// source's. Valid CEL is never rewritten.
func (e *Env) Check(src string) (*Checked, []Issue) {
	c, iss := e.check(src)
	if c != nil {
		c.CEL = src
		return c, nil
	}
	rw, ok := editorCEL(src)
	if !ok {
		return nil, iss
	}
	c2, iss2 := e.check(rw.text)
	if c2 == nil && syntaxOnly(iss2) {
		return nil, iss // the rewrite did not help: report the text as written
	}
	if c2 == nil {
		for k := range iss2 {
			iss2[k].Line, iss2[k].Column = rw.back(iss2[k].Line, iss2[k].Column)
			iss2[k].CEL = rw.text
		}
		return nil, iss2
	}
	c2.CEL = rw.text
	for _, refs := range [][]Ref{c2.Idents, c2.Outputs, c2.NodeCalls} {
		for k := range refs {
			refs[k].Line, refs[k].Column = rw.back(refs[k].Line, refs[k].Column)
		}
	}
	for k := range c2.Hints {
		c2.Hints[k].Line, c2.Hints[k].Column = rw.back(c2.Hints[k].Line, c2.Hints[k].Column)
	}
	return c2, nil
}

// syntaxOnly reports whether some issue is a syntax error.
func syntaxOnly(iss []Issue) bool {
	for _, is := range iss {
		if is.Syntax {
			return true
		}
	}
	return false
}

func (e *Env) check(src string) (*Checked, []Issue) {
	parsed, iss := e.env.Parse(src)
	if iss != nil && iss.Err() != nil {
		out := issues(iss)
		for k := range out {
			out[k].Syntax = true
		}
		return nil, out
	}
	if celast.ExceedsDepth(parsed.NativeRep(), maxDepth) {
		return nil, []Issue{{Message: "expression is nested too deeply", Line: 1, Column: 1}}
	}
	checked, iss := e.env.Check(parsed)
	if iss != nil && iss.Err() != nil {
		return nil, issues(iss)
	}
	c := &Checked{ast: checked, Type: checked.OutputType()}
	c.collect(e)
	return c, nil
}

// maxDepth bounds expression nesting so hostile input cannot exhaust the
// checker's stack.
const maxDepth = 100

func issues(iss *cel.Issues) []Issue {
	var out []Issue
	for _, err := range iss.Errors() {
		is := Issue{Message: err.Message, Line: err.Location.Line(), Column: err.Location.Column() + 1}
		if m := undeclaredRE.FindStringSubmatch(err.Message); m != nil {
			is.Undeclared = m[1]
		}
		if is.Line < 1 {
			is.Line, is.Column = 1, 1
		}
		out = append(out, is)
	}
	return out
}

// collect walks the checked tree for the references the validator checks.
func (c *Checked) collect(e *Env) {
	native := c.ast.NativeRep()
	info := native.SourceInfo()
	at := func(id int64) (int, int) {
		loc := info.GetStartLocation(id)
		return max(loc.Line(), 1), loc.Column() + 1
	}
	refs := native.ReferenceMap()
	consumed := map[int64]bool{}
	celast.PreOrderVisit(native.Expr(), celast.NewExprVisitor(func(x celast.Expr) {
		switch x.Kind() {
		case celast.IdentKind:
			name := x.AsIdent()
			if r, ok := refs[x.ID()]; ok && e.bare[r.Name] && r.Name == name {
				l, col := at(x.ID())
				c.Idents = append(c.Idents, Ref{Name: name, Line: l, Column: col})
			}
		case celast.SelectKind:
			c.selectRef(x, at, consumed)
		case celast.CallKind:
			c.callRef(x, at)
		}
	}))
}

func (c *Checked) selectRef(x celast.Expr, at func(int64) (int, int), consumed map[int64]bool) {
	sel := x.AsSelect()
	if sel.FieldName() == "length" {
		l, col := at(x.ID())
		c.Hints = append(c.Hints, Issue{Message: "CEL has no .length; use size(x) for the length of a list, map or string", Line: l, Column: col})
	}
	if consumed[x.ID()] {
		return
	}
	op := sel.Operand()
	switch {
	case op.Kind() == celast.IdentKind && op.AsIdent() == VarOutputs:
		// outputs.<node>
		l, col := at(x.ID())
		c.Outputs = append(c.Outputs, Ref{Name: sel.FieldName(), Line: l, Column: col})
	case op.Kind() == celast.SelectKind:
		// outputs.<node>.<field>; the walk reaches the inner select next.
		inner := op.AsSelect()
		if inner.Operand().Kind() == celast.IdentKind && inner.Operand().AsIdent() == VarOutputs {
			l, col := at(op.ID())
			c.Outputs = append(c.Outputs, Ref{Name: inner.FieldName(), Field: sel.FieldName(), Line: l, Column: col})
			consumed[op.ID()] = true
		}
	}
}

func (c *Checked) callRef(x celast.Expr, at func(int64) (int, int)) {
	call := x.AsCall()
	if call.FunctionName() != operators.Index || len(call.Args()) != 2 {
		return
	}
	target, key := call.Args()[0], call.Args()[1]
	if target.Kind() != celast.IdentKind || key.Kind() != celast.LiteralKind {
		return
	}
	fn, ok := nodeFunctions[target.AsIdent()]
	if !ok {
		return
	}
	if s, ok := key.AsLiteral().Value().(string); ok {
		l, col := at(key.ID())
		c.NodeCalls = append(c.NodeCalls, Ref{Name: s, Func: fn, Line: l, Column: col})
	}
}

// Friendly rewrites cel-go's messages into the words users know.
func Friendly(msg string) string {
	msg = strings.ReplaceAll(msg, VarStatus, "status()")
	msg = strings.ReplaceAll(msg, VarError, "error_of()")
	msg = strings.ReplaceAll(msg, VarDuration, "duration_of()")
	msg = strings.ReplaceAll(msg, VarAttempt, "attempt()")
	msg = strings.ReplaceAll(msg, VarNow, "now()")
	msg = strings.TrimPrefix(msg, "Syntax error: ")
	return msg
}
