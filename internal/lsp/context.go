package lsp

import (
	"regexp"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/parse"
)

// spot is where the cursor is, in the terms completion needs.
type spot struct {
	// path is the keys (and list indices, as "#") from the document's root
	// to the field at the cursor's line: ["nodes", "#", "type"].
	path []string
	// index is the list index of each "#" in path.
	index []int
	// value is true when the cursor is after the key's colon.
	value bool
	// word is the text being typed, and start where it starts (UTF-16).
	word  string
	start Position
	// root is the tree the path was found in (the text with the cursor's
	// line completed so that it parses).
	root *ast.Value
	// w is the workflow of that text, nil when it is not one.
	w *ast.Workflow
}

var (
	keyLine   = regexp.MustCompile(`^(\s*(?:-\s+)*)([\w.-]*)$`)
	valueLine = regexp.MustCompile(`^(\s*(?:-\s+)*)([\w.-]+):\s*(.*)$`)
	// In a flow map, {from: a, to: b}, the key or value being typed.
	flowKey   = regexp.MustCompile(`^(\s*(?:-\s+)*)\{.*[{,]\s*([\w.-]*)$`)
	flowValue = regexp.MustCompile(`^(\s*(?:-\s+)*)\{.*[{,]\s*([\w.-]+):\s*([^,{}]*)$`)
)

// placeholder stands for the key being typed: a line that is only a
// partial word does not parse as YAML, so the cursor's line is rewritten
// with it before the text is parsed.
const placeholder = "osop_lsp_cursor"

// locate finds the cursor's place in the document's structure.
func locate(file string, t *text, p Position) (spot, bool) {
	if p.Line < 0 || p.Line >= len(t.lines) {
		return spot{}, false
	}
	line := string(t.line(p.Line))
	off := t.offset(p) - t.lines[p.Line]
	off = min(max(off, 0), len(line))
	prefix := line[:off]
	var sp spot
	var patched string
	if m := keyLine.FindStringSubmatch(prefix); m != nil {
		sp.word = m[2]
		patched = m[1] + placeholder + ":"
	} else if m := flowKey.FindStringSubmatch(prefix); m != nil {
		// The map's other keys are dropped: the path is what matters.
		sp.word = m[2]
		patched = m[1] + placeholder + ":"
	} else if m := flowValue.FindStringSubmatch(prefix); m != nil {
		sp.value = true
		sp.word = valueWord(m[3])
		patched = m[1] + m[2] + ":"
	} else if m := valueLine.FindStringSubmatch(prefix); m != nil {
		sp.value = true
		sp.word = valueWord(m[3])
		patched = m[1] + m[2] + ":"
	} else {
		return sp, false
	}
	sp.start = Position{Line: p.Line, Character: p.Character - utf16Count(sp.word)}
	src := make([]byte, 0, len(t.src)+len(placeholder))
	src = append(src, t.src[:t.lines[p.Line]]...)
	src = append(src, patched...)
	if p.Line+1 < len(t.lines) {
		src = append(src, '\n')
		src = append(src, t.src[t.lines[p.Line+1]:]...)
	}
	root, _ := parse.Tree(file, src, parse.DefaultLimits)
	if root == nil {
		return sp, false
	}
	sp.root = root
	if root.IsMap() {
		sp.w, _ = parse.Workflow(file, root)
	}
	sp.path, sp.index = pathAt(root, p.Line+1, nil, nil)
	return sp, sp.path != nil
}

// valueWord is the part of a value being typed that completion replaces:
// an identifier with dots (outputs.build.tag), after any operator.
func valueWord(v string) string {
	i := len(v)
	for i > 0 {
		c := v[i-1]
		if c == '.' || c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			i--
			continue
		}
		break
	}
	return v[i:]
}

func utf16Count(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Len(r)
	}
	return n
}

// pathAt returns the path to the map key on line (1-based), or nil.
func pathAt(v *ast.Value, line int, path []string, index []int) ([]string, []int) {
	switch {
	case v == nil:
	case v.IsMap():
		for _, f := range v.Fields {
			if f.KeyRange.Start.Line == line {
				return append(path, f.Key), index
			}
			if p, i := pathAt(f.Value, line, append(path, f.Key), index); p != nil {
				return p, i
			}
		}
	case v.IsList():
		for n, item := range v.Items {
			if p, i := pathAt(item, line, append(path, "#"), append(index, n)); p != nil {
				return p, i
			}
		}
	}
	return nil, nil
}

// object names what the map holding the cursor's key is: "workflow",
// "node", "edge", "retry_policy", …, or "" when osop has no list of its
// fields; key is the key at the cursor.
func (sp spot) object() (object, key string) {
	p := sp.path
	key = p[len(p)-1]
	parent := strings.Join(p[:len(p)-1], "/")
	switch parent {
	case "":
		return "workflow", key
	case "nodes/#":
		return "node", key
	case "edges/#":
		return "edge", key
	case "edges/#/cases/#":
		return "case", key
	case "nodes/#/retry_policy", "retry_policy":
		return "retry_policy", key
	case "nodes/#/retry", "retry":
		return "retry", key
	case "nodes/#/retry/backoff", "retry/backoff":
		return "backoff", key
	case "nodes/#/explain", "edges/#/explain":
		return "explain", key
	case "nodes/#/runtime":
		return "runtime", key
	}
	if strings.HasPrefix(parent, "nodes/#/inputs") {
		return "node-inputs", key
	}
	return "", key
}

// nodeIndex is the index of the node the cursor is in, or -1.
func (sp spot) nodeIndex() int {
	if len(sp.path) >= 2 && sp.path[0] == "nodes" && sp.path[1] == "#" {
		return sp.index[0]
	}
	return -1
}

// nodeID is the id of the node at index i of the parsed tree.
func (sp spot) nodeID(i int) string {
	nodes := sp.root.Get("nodes")
	if i < 0 || !nodes.IsList() || i >= len(nodes.Items) {
		return ""
	}
	s, _ := nodes.Items[i].Get("id").String()
	return s
}
