package lsp

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/validate"
)

// A reference to a workflow input (template or CEL) or a bare template
// name.
var refAt = regexp.MustCompile(`\binputs\.([A-Za-z_][\w-]*)|\{\{\s*([A-Za-z_][\w-]*)\s*\}\}`)

// refHover says where the value of the reference under the cursor comes
// from: a workflow input's declaration, a variable, osop itself, or the
// nodes that output it.
func (v *view) refHover(p Position) (*Hover, bool) {
	w := v.workflow()
	if w == nil {
		return nil, false
	}
	line := v.text.line(p.Line)
	start := v.text.lines[min(p.Line, len(v.text.lines)-1)]
	off := v.text.offset(p) - start
	for _, m := range refAt.FindAllSubmatchIndex(line, -1) {
		if off < m[0] || off > m[1] {
			continue
		}
		var text string
		if m[2] >= 0 {
			text = inputHover(w, string(line[m[2]:m[3]]))
		} else {
			text = bareHover(w, string(line[m[4]:m[5]]))
		}
		r := v.text.lspRange(start+m[0], start+m[1])
		return &Hover{Contents: markdown(text), Range: &r}, true
	}
	return nil, false
}

func inputHover(w *ast.Workflow, name string) string {
	for _, in := range w.Inputs {
		if in.Name != name {
			continue
		}
		s := fmt.Sprintf("**inputs.%s** — workflow input, declared on line %d", name, in.Range.Start.Line)
		if in.Type != "" {
			s += fmt.Sprintf("\n\ntype: `%s`", in.Type)
		}
		if in.Default != nil {
			s += fmt.Sprintf("\n\ndefault: `%v`", in.Default.Interface())
		} else {
			s += fmt.Sprintf("\n\nno default: pass it with `osop run --input %s=…`", name)
		}
		if in.Description != "" {
			s += "\n\n" + in.Description
		}
		return s
	}
	return fmt.Sprintf("**inputs.%s** — not declared: add it to the workflow's inputs", name)
}

func bareHover(w *ast.Workflow, name string) string {
	if validate.IsBuiltin(name) {
		return fmt.Sprintf("**%s** — set by osop at run time", name)
	}
	for _, p := range w.Variables {
		if p.Name == name {
			return fmt.Sprintf("**%s** — workflow variable, declared on line %d", name, p.Range.Start.Line)
		}
	}
	for _, p := range w.Inputs {
		if p.Name == name {
			return inputHover(w, name)
		}
	}
	var from []string
	for _, n := range w.Nodes {
		if n.HasOutput(name) {
			from = append(from, "`"+n.ID.V+"`")
		}
	}
	if len(from) > 0 {
		return fmt.Sprintf("**%s** — output of %s", name, strings.Join(from, ", "))
	}
	return fmt.Sprintf("**%s** — declared nowhere: pass it with `osop run --var %s=…`", name, name)
}
