package template

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Call is one simple command of a shell script, as the shell reads it,
// for tools that judge what a command does (osop risk) without running it.
type Call struct {
	// Words are the command's name and arguments.
	Words []Word
	// Pipeline numbers the pipeline the command is part of (1, 2, …; 0
	// when it stands alone); Stage is its place in that pipeline (0 is the
	// first command, whose output feeds stage 1).
	Pipeline, Stage int
	// In is the name of the command whose argument holds this one in a
	// command or process substitution (bash <(curl …), sh -c "$(curl …)"),
	// or "".
	In string
}

// Word is one word of a [Call].
type Word struct {
	// Text is the word with quotes removed when it is literal; otherwise
	// the word as written (template references included).
	Text string
	// Literal is false when the word holds an expansion ($X, $(…), a
	// template reference): its value is known only when the script runs.
	Literal bool
	// Offset is the word's byte offset in the script.
	Offset int
}

// Name returns the command's name ("" when it has none).
func (c Call) Name() string {
	if len(c.Words) == 0 {
		return ""
	}
	return c.Words[0].Text
}

// ShellCalls parses script as shell (bash, or POSIX for sh, dash and ash)
// and returns its simple commands in the order they are written. Template
// references ({{X}}, ${inputs.x}) read as expansions of unknown value. A
// script that does not parse gives an error.
func ShellCalls(script, shell string) ([]Call, error) {
	lang, ok := dialect(shell)
	if !ok {
		lang = syntax.LangBash
	}
	text := maskRefs(script)
	f, err := syntax.NewParser(syntax.Variant(lang)).Parse(strings.NewReader(text), "")
	if err != nil {
		return nil, err
	}
	w := &callWalker{src: script, stage: map[*syntax.CallExpr][2]int{}, in: map[*syntax.CallExpr]string{}}
	w.pipelines(f)
	var calls []Call
	syntax.Walk(f, func(n syntax.Node) bool {
		ce, ok := n.(*syntax.CallExpr)
		if !ok || len(ce.Args) == 0 {
			return true
		}
		c := Call{In: w.in[ce]}
		c.Pipeline, c.Stage = w.stage[ce][0], w.stage[ce][1]
		for _, a := range ce.Args {
			c.Words = append(c.Words, w.word(a))
		}
		calls = append(calls, c)
		w.nested(ce, c.Name())
		return true
	})
	return calls, nil
}

// maskRefs replaces each template reference by a shell expansion of the
// same length ($RRR…), so offsets stay those of the script as written.
func maskRefs(s string) string {
	var b strings.Builder
	last := 0
	walk(s, func(r Ref) {
		if r.Offset < last {
			return
		}
		b.WriteString(s[last:r.Offset])
		b.WriteString("$" + strings.Repeat("R", len(r.Text)-1))
		last = r.Offset + len(r.Text)
	}, nil)
	b.WriteString(s[last:])
	return b.String()
}

type callWalker struct {
	src   string
	stage map[*syntax.CallExpr][2]int
	in    map[*syntax.CallExpr]string
	n     int
}

// pipelines numbers every pipeline's commands.
func (w *callWalker) pipelines(f *syntax.File) {
	seen := map[*syntax.BinaryCmd]bool{}
	syntax.Walk(f, func(n syntax.Node) bool {
		b, ok := n.(*syntax.BinaryCmd)
		if !ok || seen[b] || (b.Op != syntax.Pipe && b.Op != syntax.PipeAll) {
			return true
		}
		w.n++
		var stages []*syntax.Stmt
		var flatten func(b *syntax.BinaryCmd)
		flatten = func(b *syntax.BinaryCmd) {
			seen[b] = true
			for _, s := range []*syntax.Stmt{b.X, b.Y} {
				if inner, ok := s.Cmd.(*syntax.BinaryCmd); ok && (inner.Op == syntax.Pipe || inner.Op == syntax.PipeAll) {
					flatten(inner)
					continue
				}
				stages = append(stages, s)
			}
		}
		flatten(b)
		for i, s := range stages {
			if ce, ok := s.Cmd.(*syntax.CallExpr); ok {
				w.stage[ce] = [2]int{w.n, i}
			}
		}
		return true
	})
}

// nested marks the commands inside substitutions in ce's words.
func (w *callWalker) nested(ce *syntax.CallExpr, name string) {
	for _, a := range ce.Args {
		syntax.Walk(a, func(n syntax.Node) bool {
			if inner, ok := n.(*syntax.CallExpr); ok && inner != ce {
				if _, set := w.in[inner]; !set {
					w.in[inner] = name
				}
			}
			return true
		})
	}
}

// word reads one word: literal text without quotes, or as written.
func (w *callWalker) word(x *syntax.Word) Word {
	start, end := int(x.Pos().Offset()), int(x.End().Offset())
	var b strings.Builder
	if literalParts(x.Parts, &b) {
		return Word{Text: b.String(), Literal: true, Offset: start}
	}
	return Word{Text: w.src[start:end], Offset: start}
}

func literalParts(parts []syntax.WordPart, b *strings.Builder) bool {
	for _, p := range parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(strings.ReplaceAll(p.Value, `\`, ""))
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			if !literalParts(p.Parts, b) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
