package template

import (
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// why is the reason a site has no safe form, and how to fix it.
type why struct{ summary, hint string }

// leafKind is how the text holding a marker is quoted.
type leafKind uint8

const (
	leafPlain  leafKind = iota // an unquoted literal
	leafDouble                 // inside "…"
	leafSingle                 // inside '…' or $'…'
)

// place walks the syntax tree and decides the form of each site from where
// its marker stands: the literal holding it and the nodes above that.
func (p *probe) place() *ShellError {
	var stack []syntax.Node
	var err *ShellError
	syntax.Walk(p.file, func(n syntax.Node) bool {
		if err != nil {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if err = p.visit(n, stack); err != nil {
			return false
		}
		stack = append(stack, n)
		return true
	})
	return err
}

// visit decides the form of each marker in one leaf of the tree.
func (p *probe) visit(n syntax.Node, stack []syntax.Node) *ShellError {
	var text string
	switch x := n.(type) {
	case *syntax.Lit:
		text = x.Value
	case *syntax.SglQuoted:
		text = x.Value
	case *syntax.Comment:
		text = x.Text
	default:
		return nil
	}
	for {
		k := strings.Index(text, p.mark)
		if k < 0 {
			return nil
		}
		text = text[k+len(p.mark):]
		digits := strings.IndexByte(text, 'Z')
		i, err := strconv.Atoi(text[:max(digits, 0)])
		if digits < 0 || err != nil || i >= len(p.sites) {
			continue // not a marker: the parser changed the text
		}
		s := &p.sites[i]
		s.found = true
		f, w := p.classify(n, stack, s)
		if w != nil {
			if e := p.refuse(*s, w.summary, w.hint); e != nil {
				return e
			}
			continue
		}
		s.form = f
	}
}

func top(stack []syntax.Node, k int) syntax.Node {
	if len(stack) < k {
		return nil
	}
	return stack[len(stack)-k]
}

// classify returns the form of a site whose marker is in leaf.
func (p *probe) classify(leaf syntax.Node, stack []syntax.Node, s *site) (form, *why) {
	parent := top(stack, 1)
	switch x := leaf.(type) {
	case *syntax.Comment:
		return formComment, nil
	case *syntax.SglQuoted:
		w, _ := parent.(*syntax.Word)
		if w == nil {
			return 0, unknownPlace(s)
		}
		if !x.Dollar {
			return p.inWord(w, stack[:len(stack)-1], formSingle, leafSingle, s)
		}
		if p.backslashBefore(s) {
			return 0, backslashWhy(s)
		}
		return p.inWord(w, stack[:len(stack)-1], formDollarSingle, leafSingle, s)
	case *syntax.Lit:
		return p.inLit(x, stack, s)
	}
	return 0, unknownPlace(s)
}

func (p *probe) inLit(l *syntax.Lit, stack []syntax.Node, s *site) (form, *why) {
	if _, isWord := top(stack, 1).(*syntax.Word); isWord || isDouble(top(stack, 1)) {
		if p.backslashBefore(s) {
			return 0, backslashWhy(s)
		}
	}
	switch q := top(stack, 1).(type) {
	case *syntax.Word:
		if tildePrefix(q, l, p.mark) {
			return 0, &why{s.ref.Text + " is in a tilde prefix (~" + s.ref.Text + "), which the shell reads as a user name before any value is placed",
				`write the directory in full, or "$HOME"`}
		}
		return p.inWord(q, stack[:len(stack)-1], formQuoted, leafPlain, s)
	case *syntax.DblQuoted:
		w, _ := top(stack, 2).(*syntax.Word)
		if w == nil {
			return 0, unknownPlace(s)
		}
		return p.inWord(w, stack[:len(stack)-2], formBare, leafDouble, s)
	case *syntax.ParamExp:
		if q.Short && !strings.HasPrefix(l.Value, s.marker) {
			name := strings.Split(l.Value, p.mark)[0]
			return 0, &why{s.ref.Text + " follows $" + name + " and the shell would read both as one name",
				"end the name with braces: ${" + name + "}" + s.ref.Text}
		}
		return 0, nameWhy(s, "the name of a parameter (${…} or $…)")
	case *syntax.Assign:
		return 0, nameWhy(s, "a variable's name in an assignment")
	case *syntax.FuncDecl:
		return 0, nameWhy(s, "a function's name")
	case *syntax.WordIter:
		return 0, nameWhy(s, "a loop variable's name")
	case *syntax.Redirect:
		return 0, nameWhy(s, "a file descriptor's number or name")
	case *syntax.ExtGlob:
		return 0, &why{s.ref.Text + " is inside an extended glob pattern (@(…), *(…), …)",
			`compare with [[ $x == "` + s.ref.Text + `" ]] or a case pattern instead`}
	}
	return 0, unknownPlace(s)
}

func isDouble(n syntax.Node) bool {
	_, ok := n.(*syntax.DblQuoted)
	return ok
}

// inWord returns the form of a site in word w, from what w is to the node
// above it. base is the form the quoting around the marker asks for.
func (p *probe) inWord(w *syntax.Word, above []syntax.Node, base form, kind leafKind, s *site) (form, *why) {
	switch q := top(above, 1).(type) {
	case *syntax.CallExpr:
		return base, p.callRule(q, w, s)
	case *syntax.Assign:
		return p.inAssign(q, w, top(above, 2), base, kind, s)
	case *syntax.Redirect:
		return p.inRedirect(q, w, base, kind, s)
	case *syntax.CaseClause, *syntax.CaseItem, *syntax.WordIter, *syntax.TestClause, *syntax.ParenTest:
		return base, nil
	case *syntax.BinaryTest:
		s.integer = arithmeticTest(q.Op)
		return base, nil
	case *syntax.UnaryTest:
		if q.Op == syntax.TsVarSet || q.Op == syntax.TsRefVar {
			return 0, nameWhy(s, "the variable a -v or -R test names (bash evaluates a subscript in that name as code)")
		}
		return base, nil
	case *syntax.ArrayElem:
		if q.Value == w {
			return base, nil
		}
		return p.whole(w, kind, formIndex, s)
	case *syntax.ParamExp:
		return p.inParamExp(q, w, above, kind, s)
	case *syntax.ArithmExp, *syntax.ArithmCmd, *syntax.BinaryArithm, *syntax.UnaryArithm, *syntax.ParenArithm, *syntax.CStyleLoop:
		return p.inArithm(q, w, above, kind, s)
	case *syntax.LetClause:
		return 0, letWhy(s)
	case *syntax.CoprocClause:
		return 0, nameWhy(s, "a coprocess's name")
	}
	return 0, unknownPlace(s)
}

func (p *probe) inAssign(a *syntax.Assign, w *syntax.Word, above syntax.Node, base form, kind leafKind, s *site) (form, *why) {
	if a.Index == w {
		return p.whole(w, kind, formIndex, s)
	}
	if a.Value != w {
		return 0, unknownPlace(s)
	}
	decl, _ := above.(*syntax.DeclClause)
	if a.Naked && decl != nil {
		return 0, nameWhy(s, "a name or option given to "+decl.Variant.Value)
	}
	flags := declFlags(decl)
	if strings.ContainsRune(flags, 'n') {
		return 0, nameWhy(s, "the variable a nameref (-n) points to")
	}
	s.integer = strings.ContainsRune(flags, 'i') || a.Name != nil && p.integers[a.Name.Value]
	return base, nil
}

// inRedirect returns the form of a site in a redirection's target or a
// here-document's body. (One in a delimiter never parses: the body cannot
// end with the same marker.)
func (p *probe) inRedirect(r *syntax.Redirect, w *syntax.Word, base form, kind leafKind, s *site) (form, *why) {
	switch {
	case r.Hdoc == w && quotedDelimiter(r.Word):
		return 0, &why{s.ref.Text + " is inside a here-document whose delimiter is quoted (<<'EOF'), where the shell expands nothing, so no value can be placed there",
			"unquote the delimiter (<<EOF) and escape any $, ` and \\ the text itself holds, or pass the value as an argument"}
	case r.Hdoc == w && kind == leafPlain:
		return formBare, nil
	case r.Hdoc == w:
		return 0, unknownPlace(s)
	}
	return base, nil
}

// inParamExp returns the form of a site in an operand of ${…}: a default
// (${x:-{{X}}}), a pattern (${x#{{X}}}), a replacement, an offset or a
// subscript.
func (p *probe) inParamExp(pe *syntax.ParamExp, w *syntax.Word, above []syntax.Node, kind leafKind, s *site) (form, *why) {
	pattern := false
	switch {
	case pe.Slice != nil && (pe.Slice.Offset == syntax.ArithmExpr(w) || pe.Slice.Length == syntax.ArithmExpr(w)):
		return p.whole(w, kind, formParen, s)
	case pe.Index == syntax.ArithmExpr(w):
		return p.whole(w, kind, formIndex, s)
	case pe.Repl != nil && (pe.Repl.Orig == w || pe.Repl.With == w):
		pattern = true // the replacement too: bash 5.2 reads an unquoted & in it
	case pe.Exp != nil && pe.Exp.Word == w:
		switch op := pe.Exp.Op; {
		case op >= syntax.RemSmallSuffix && op <= syntax.RemLargePrefix, op >= syntax.UpperFirst && op <= syntax.LowerAll:
			pattern = true
		case op > syntax.AssignUnsetOrNull:
			return 0, unknownPlace(s)
		}
	default:
		return 0, unknownPlace(s)
	}
	return operandForm(paramQuoting(above[:len(above)-1]), pattern, kind, s)
}

// paramQuote is how the ${…} holding an operand is itself quoted.
type paramQuote uint8

const (
	paramPlain paramQuote = iota
	paramDouble
	paramHeredoc
	paramNested // inside another ${…} or arithmetic: refused
)

// paramQuoting says how the ${…} at the top of above is quoted.
func paramQuoting(above []syntax.Node) paramQuote {
	switch q := top(above, 1).(type) {
	case *syntax.DblQuoted:
		return paramDouble
	case *syntax.Word:
		switch r := top(above, 2).(type) {
		case *syntax.Redirect:
			if r.Hdoc == q {
				return paramHeredoc
			}
			return paramPlain
		case *syntax.ParamExp, *syntax.ArrayElem,
			*syntax.ArithmExp, *syntax.ArithmCmd, *syntax.BinaryArithm, *syntax.UnaryArithm, *syntax.ParenArithm,
			*syntax.CStyleLoop, *syntax.LetClause:
			return paramNested
		case *syntax.Assign:
			if r.Index == q {
				return paramNested
			}
		}
		return paramPlain
	}
	return paramNested
}

func operandForm(pq paramQuote, pattern bool, kind leafKind, s *site) (form, *why) {
	switch {
	case pq == paramNested:
		return 0, &why{s.ref.Text + " is inside a ${…} that stands inside another ${…} or in arithmetic",
			"put the inner expansion in a variable first"}
	case kind == leafSingle && pq != paramPlain, kind == leafDouble && pq == paramHeredoc:
		return 0, &why{s.ref.Text + " is in quotes inside a ${…} that is itself in double quotes or a here-document, where shells read those quotes differently",
			`drop the inner quotes: "${x:-` + s.ref.Text + `}"`}
	case pattern && pq == paramHeredoc:
		return 0, &why{s.ref.Text + " is in a pattern of a ${…} inside a here-document, where it cannot be quoted to match literally",
			"compute the expansion in a variable before the here-document"}
	case kind == leafSingle:
		return formSingle, nil
	case kind == leafDouble:
		return formBare, nil
	case pattern || pq == paramPlain:
		return formQuoted, nil // quoted: a pattern matches the value literally
	}
	return formBare, nil
}

func (p *probe) inArithm(q syntax.Node, w *syntax.Word, above []syntax.Node, kind leafKind, s *site) (form, *why) {
	for i := len(above) - 1; i >= 0; i-- {
		if _, ok := above[i].(*syntax.Stmt); ok {
			break
		}
		if _, ok := above[i].(*syntax.LetClause); ok {
			return 0, letWhy(s)
		}
	}
	switch x := q.(type) {
	case *syntax.UnaryArithm:
		if x.Op == syntax.Inc || x.Op == syntax.Dec {
			return 0, nameWhy(s, "the variable ++ or -- changes")
		}
	case *syntax.BinaryArithm:
		if x.X == w && assignOp(x.Op) {
			return 0, nameWhy(s, "the variable an arithmetic assignment changes")
		}
	}
	return p.whole(w, kind, formParen, s)
}

func assignOp(op syntax.BinAritOperator) bool {
	switch op {
	case syntax.Assgn, syntax.AddAssgn, syntax.SubAssgn, syntax.MulAssgn, syntax.QuoAssgn, syntax.RemAssgn,
		syntax.AndAssgn, syntax.OrAssgn, syntax.XorAssgn, syntax.ShlAssgn, syntax.ShrAssgn,
		syntax.AndBoolAssgn, syntax.OrBoolAssgn, syntax.XorBoolAssgn, syntax.PowAssgn:
		return true
	}
	return false
}

// whole requires a site in arithmetic or a subscript to be a whole word
// of its own, and its value an integer.
func (p *probe) whole(w *syntax.Word, kind leafKind, f form, s *site) (form, *why) {
	if l, ok := w.Parts[0].(*syntax.Lit); !ok || len(w.Parts) != 1 || kind != leafPlain || l.Value != s.marker {
		return 0, &why{s.ref.Text + " is part of a longer word in arithmetic or an array subscript, where the shell reads its value as an expression",
			"write it as an operand of its own: $(( " + s.ref.Text + " + 1 )), ${a[" + s.ref.Text + "]}"}
	}
	s.integer = true
	return f, nil
}

func (p *probe) backslashBefore(s *site) bool {
	return s.at > 0 && p.text[s.at-1] == '\\'
}

// tildePrefix reports whether a marker stands in the ~user part of a word.
func tildePrefix(w *syntax.Word, l *syntax.Lit, mark string) bool {
	if w.Parts[0] != l || !strings.HasPrefix(l.Value, "~") {
		return false
	}
	k := strings.Index(l.Value, mark)
	return !strings.Contains(l.Value[:k], "/")
}

func quotedDelimiter(w *syntax.Word) bool {
	for _, part := range w.Parts {
		l, ok := part.(*syntax.Lit)
		if !ok || strings.Contains(l.Value, `\`) {
			return true
		}
	}
	return false
}

func arithmeticTest(op syntax.BinTestOperator) bool {
	switch op {
	case syntax.TsEql, syntax.TsNeq, syntax.TsLeq, syntax.TsGeq, syntax.TsLss, syntax.TsGtr:
		return true
	}
	return false
}

func nameWhy(s *site, what string) *why {
	return &why{s.ref.Text + " stands in " + what + ", and names cannot come from values",
		"use a fixed name and assign the value to it: NAME=" + s.ref.Text}
}

func letWhy(s *site) *why {
	return &why{s.ref.Text + " is in a let expression, which bash reads twice",
		"use $(( … )) or (( … )) with the value as an operand of its own: (( x = " + s.ref.Text + " + 1 ))"}
}

func backslashWhy(s *site) *why {
	return &why{"a backslash right before " + s.ref.Text + " would escape the text osop puts there",
		"remove the backslash: the value arrives exactly as it is"}
}

func unknownPlace(s *site) *why {
	return &why{s.ref.Text + " stands where osop cannot tell how the shell reads it",
		"move it into a plain argument, a double-quoted string or an assignment"}
}
