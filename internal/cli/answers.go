package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// answerBook holds the answers to manual steps an --answers file gives:
// node id → one answer, or a list answering the node's attempts (and loop
// iterations) in order, the last answering any after it.
type answerBook struct {
	file     string
	operator string // who answers, unless an answer says by
	mu       sync.Mutex
	by       map[string][]fileAnswer
	keys     map[string]*yaml.Node // where each node id is, for errors
	used     map[string]int
}

// fileAnswer is one answer of the file.
type fileAnswer struct {
	choice  string
	reason  string
	by      string
	outputs map[string]string
	at      map[string][2]*yaml.Node // output name → its key and value, for errors
	line    int
}

// readAnswers reads an --answers file; "" gives an empty book. Errors
// name the file, line and column.
func readAnswers(path string) (*answerBook, error) {
	b := &answerBook{file: path, by: map[string][]fileAnswer{}, keys: map[string]*yaml.Node{}, used: map[string]int{}}
	if path == "" {
		return b, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, exitf(ExitUsage, "--answers: %v", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, exitf(ExitUsage, "%s: %v", path, err)
	}
	if len(doc.Content) == 0 {
		return b, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, b.errAt(root, "want a map of node id to answer, e.g. review: {status: done, outputs: {ticket: T-1}}")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		id, v := root.Content[i].Value, root.Content[i+1]
		b.keys[id] = root.Content[i]
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			items = v.Content
		}
		for _, it := range items {
			a, err := b.answer(it)
			if err != nil {
				return nil, err
			}
			b.by[id] = append(b.by[id], a)
		}
	}
	return b, nil
}

func (b *answerBook) errAt(n *yaml.Node, format string, args ...any) error {
	return exitf(ExitUsage, "%s:%d:%d: %s", b.file, n.Line, n.Column, fmt.Sprintf(format, args...))
}

// answer reads one answer: a status word alone, or a map with status,
// outputs, reason and by.
func (b *answerBook) answer(n *yaml.Node) (fileAnswer, error) {
	a := fileAnswer{line: n.Line}
	status := n
	if n.Kind == yaml.MappingNode {
		status = nil
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch k.Value {
			case "status":
				status = v
			case "reason", "comment":
				a.reason = v.Value
			case "by":
				a.by = v.Value
			case "outputs":
				if v.Kind != yaml.MappingNode {
					return a, b.errAt(v, "outputs must be a map of name to value")
				}
				a.outputs, a.at = map[string]string{}, map[string][2]*yaml.Node{}
				for j := 0; j+1 < len(v.Content); j += 2 {
					name, val := v.Content[j], v.Content[j+1]
					a.outputs[name.Value], a.at[name.Value] = scalarText(val), [2]*yaml.Node{name, val}
				}
			default:
				return a, b.errAt(k, "unknown field %q of an answer: use status, outputs, reason, by", k.Value)
			}
		}
		if status == nil {
			return a, b.errAt(n, "an answer needs status: done, failed or skipped")
		}
	}
	if a.choice = manualChoice(status.Value); a.choice == "" || status.Kind != yaml.ScalarNode {
		return a, b.errAt(status, "status %q: want done, failed or skipped", status.Value)
	}
	if a.choice == executor.AnswerFailed && a.reason == "" {
		return a, b.errAt(n, "a failed answer needs a reason: {status: failed, reason: …}")
	}
	return a, nil
}

// nodes lists the node ids the book answers, in order.
func (b *answerBook) nodes() []string { return sortedKeys(b.by) }

// next takes the answer for a manual step's next attempt, if the book has
// one.
func (b *answerBook) next(req executor.ApprovalRequest) (executor.Decision, bool, error) {
	if b == nil {
		return executor.Decision{}, false, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	as := b.by[req.NodeID]
	if len(as) == 0 {
		return executor.Decision{}, false, nil
	}
	k := min(b.used[req.NodeID], len(as)-1)
	b.used[req.NodeID]++
	a := as[k]
	for name := range a.outputs {
		if !slices.Contains(req.Outputs, name) {
			return executor.Decision{}, true, executor.Errorf(run.CodeConfig, false, "%s:%d: output %q: node %s declares %s",
				b.file, a.line, name, req.NodeID, outputsPhrase(req.Outputs))
		}
	}
	by := a.by
	if by == "" {
		by = b.operator
	}
	return executor.Decision{Choice: a.choice, Comment: a.reason, By: by, Outputs: a.outputs, At: time.Now()}, true, nil
}

// scalarText is an answer's value as text: a scalar as written, a map or
// list as JSON, which is how an object or array output is given.
func scalarText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	js, err := json.Marshal(v)
	if err != nil {
		return n.Value
	}
	return string(js)
}

// check refuses, before the run, answers whose outputs node n does not
// declare or whose values are not of the declared type or enum.
func (b *answerBook) check(n *ast.Node) error {
	specs := engine.OutputSpecs(n)
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	for _, a := range b.by[n.ID.V] {
		for _, name := range sortedKeys(a.outputs) {
			at := a.at[name]
			i := slices.Index(names, name)
			if i < 0 {
				return b.errAt(at[0], "output %q: node %s declares %s", name, n.ID.V, outputsPhrase(names))
			}
			if _, err := specs[i].Check(a.outputs[name]); err != nil {
				return b.errAt(at[1], "%v: give %s", err, specs[i].Want())
			}
		}
	}
	return nil
}
