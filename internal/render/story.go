package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
)

// step is a node in reading order with what the story and agent renderers
// say about it.
type step struct {
	n       int // 1-based step number
	node    *ast.Node
	index   int
	out     []graph.Arc
	in      []graph.Arc
	onlyVia bool // reached only through failure paths
}

func steps(g *graph.Graph) ([]*step, map[int]*step) {
	order := g.TopoOrder()
	all := make([]*step, len(order))
	by := map[int]*step{}
	for k, i := range order {
		s := &step{n: k + 1, node: g.Nodes[i], index: i, out: g.Out(i), in: g.In(i)}
		s.onlyVia = len(s.in) > 0
		for _, a := range s.in {
			if !a.Edge.IsFailurePath() {
				s.onlyVia = false
			}
		}
		all[k], by[i] = s, s
	}
	return all, by
}

// Story renders the workflow as numbered steps in plain language: what each
// receives, does and produces, and where each edge leads. It is the
// document a person follows by hand. It shows no actions: [StoryOf] does.
func Story(w *ast.Workflow, g *graph.Graph) string { return StoryOf(w, g, nil) }

// StoryOf is [Story] with what each step runs, as its executor describes
// it (the dry run's actions).
func StoryOf(w *ast.Workflow, g *graph.Graph, actions Actions) string {
	var b strings.Builder
	title := w.Name.V
	if title == "" {
		title = w.ID.V
	}
	fmt.Fprintf(&b, "# %s\n\n", mdText(title))
	meta := []string{"`" + w.ID.V + "`"}
	if w.Version.V != "" {
		meta = append(meta, "OSOP "+w.Version.V)
	}
	meta = append(meta, plural(len(g.Nodes), "step"))
	if w.Owner.V != "" {
		meta = append(meta, "owner: "+mdText(w.Owner.V))
	}
	b.WriteString(strings.Join(meta, " · ") + "\n\n")
	if w.Description.V != "" {
		b.WriteString(mdText(strings.TrimSpace(w.Description.V)) + "\n\n")
	}
	writeParams(&b, "Before you start, have", w.Inputs)
	ss, by := steps(g)
	b.WriteString("## Steps\n\n")
	for _, s := range ss {
		writeStoryStep(&b, s, by, actions)
	}
	return b.String()
}

func writeParams(b *strings.Builder, lead string, ps []*ast.Param) {
	if len(ps) == 0 {
		return
	}
	fmt.Fprintf(b, "%s:\n\n", lead)
	for _, p := range ps {
		line := "- `" + p.Name + "`"
		if p.Type != "" {
			line += " (" + p.Type + ")"
		}
		if p.Description != "" {
			line += ": " + mdText(p.Description)
		}
		if p.Default != nil {
			line += fmt.Sprintf(" (default `%s`)", scalarText(p.Default))
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n")
}

func writeStoryStep(b *strings.Builder, s *step, by map[int]*step, actions Actions) {
	n := s.node
	fmt.Fprintf(b, "### %d. %s\n\n", s.n, mdText(headline(n)))
	fmt.Fprintf(b, "`%s` · %s", n.ID.V, typeLabel(n))
	if n.Role.V != "" {
		fmt.Fprintf(b, " · by %s", mdText(n.Role.V))
	}
	b.WriteString("\n\n")
	if s.onlyVia {
		fmt.Fprintf(b, "*Only when an earlier step sends you here: %s.*\n\n", sentBy(s, by))
	}
	if d := n.Description.V; d != "" && d != headline(n) {
		b.WriteString(mdText(strings.TrimSpace(d)) + "\n\n")
	}
	if ex := n.Explain; ex != nil {
		for _, part := range []struct{ k, v string }{{"", ex.Text}, {"Why", ex.Why}, {"What", ex.What}, {"Result", ex.Result}} {
			if part.v == "" {
				continue
			}
			if part.k != "" {
				fmt.Fprintf(b, "> **%s:** %s\n", part.k, mdText(strings.TrimSpace(part.v)))
			} else {
				fmt.Fprintf(b, "> %s\n", strings.ReplaceAll(mdText(strings.TrimSpace(part.v)), "\n", "\n> "))
			}
		}
		b.WriteString("\n")
	}
	if len(n.Inputs) > 0 {
		fmt.Fprintf(b, "- **Receives:** %s\n", paramList(n.Inputs))
	}
	a, ok := actions[n.ID.V]
	writeAction(b, "- **Does:**", "  ", a, ok)
	if a := n.Approval; a != nil && a.Required {
		line := "- **Needs approval**"
		if len(a.Approvers) > 0 {
			line += " from " + strings.Join(a.Approvers, ", ")
		}
		b.WriteString(line + "\n")
	}
	if len(n.Outputs) > 0 {
		fmt.Fprintf(b, "- **Produces:** %s\n", paramList(n.Outputs))
	}
	if lim := limits(n); lim != "" {
		fmt.Fprintf(b, "- **Limits:** %s\n", lim)
	}
	writeNext(b, s, by)
	b.WriteString("\n")
}

func writeNext(b *strings.Builder, s *step, by map[int]*step) {
	if len(s.out) == 0 {
		b.WriteString("- **Next:** this is a final step.\n")
		return
	}
	for _, a := range s.out {
		t := by[a.To]
		fmt.Fprintf(b, "- **%s** step %d (`%s`)%s\n", nextVerb(a), t.n, t.node.ID.V, edgeCondition(a))
	}
}

func nextVerb(a graph.Arc) string {
	switch kindOf(a.Edge.Mode.V) {
	case edgeFailure:
		return "If this fails, go to"
	case edgeLoop:
		return "Repeat from"
	case edgeParallel:
		return "Then, in parallel, go to"
	case edgeAsync:
		if a.Edge.Mode.V == "event" {
			return "On the event, go to"
		}
		return "Start, without waiting,"
	}
	return "Next:"
}

// edgeCondition says in words when an arc is followed.
func edgeCondition(a graph.Arc) string {
	e := a.Edge
	switch {
	case e.Mode.V == "switch" && a.Case != nil:
		return fmt.Sprintf(" — when `%s` is `%s`", codeText(e.When.V), codeText(scalarText(a.Case.Value)))
	case e.Mode.V == "switch":
		return " — when no case matches"
	case e.Mode.V == "loop" && e.ForEach.Set():
		return fmt.Sprintf(" — once for each item of `%s`", codeText(e.ForEach.V))
	case e.Mode.V == "loop":
		return fmt.Sprintf(" — while `%s`", codeText(e.When.V))
	case e.Mode.V == "timeout":
		return " — if this step runs out of time"
	case e.IsFailurePath() && e.When.V != "":
		return fmt.Sprintf(" — also when `%s`", codeText(e.When.V))
	case e.When.V != "":
		return fmt.Sprintf(" — only if `%s`", codeText(e.When.V))
	case e.Label.V != "":
		return " — " + mdText(e.Label.V)
	}
	return ""
}

func headline(n *ast.Node) string {
	if n.Name.V != "" {
		return n.Name.V
	}
	if n.Purpose.V != "" {
		return n.Purpose.V
	}
	return n.ID.V
}

func typeLabel(n *ast.Node) string {
	if n.Subtype.V != "" {
		return n.Type.V + " / " + n.Subtype.V
	}
	return n.Type.V
}

func paramList(ps []*ast.Param) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = "`" + p.Name + "`"
	}
	return strings.Join(parts, ", ")
}

// limits describes a node's timeout and retry policy.
func limits(n *ast.Node) string {
	var parts []string
	if n.Timeout != nil {
		parts = append(parts, "time limit "+shortDuration(n.Timeout.D))
	}
	if r := n.Retry; r != nil && r.MaxAttempts > 1 {
		s := fmt.Sprintf("up to %d attempts", r.MaxAttempts)
		if r.Backoff.Initial > 0 {
			s += fmt.Sprintf(", %s apart", shortDuration(r.Backoff.Initial))
			if r.Backoff.Type != "fixed" {
				s += " (" + r.Backoff.Type + ")"
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " · ")
}

// shortDuration prints 10m rather than 10m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// mdText escapes the characters Markdown would read as markup at the
// start of a line or inline.
func mdText(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "`", "\\`", "<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]")
	return r.Replace(s)
}

// codeText makes s safe inside a `code span`.
func codeText(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "`", "'")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
