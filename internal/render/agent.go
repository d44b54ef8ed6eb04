package render

import (
	"fmt"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/graph"
)

// Agent renders the workflow as an ordered instruction list for an AI
// agent: one numbered instruction per step with what to do, what to
// record, and exactly where to go next under which condition. It shows no
// actions: [AgentOf] does.
func Agent(w *ast.Workflow, g *graph.Graph) string { return AgentOf(w, g, nil) }

// AgentOf is [Agent] with what each step runs, as its executor describes
// it (the dry run's actions).
func AgentOf(w *ast.Workflow, g *graph.Graph, actions Actions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Instructions: %s\n\n", mdText(firstNonEmpty(w.Name.V, w.ID.V)))
	fmt.Fprintf(&b, "You are executing the OSOP workflow `%s`. ", w.ID.V)
	b.WriteString("Work through the steps below, starting at step 1. ")
	b.WriteString("After each step, record its outputs under the names given; later steps and conditions refer to them. ")
	b.WriteString("Follow exactly one \"next\" rule after each step unless it says to run steps in parallel. ")
	b.WriteString("Do not skip a step that needs approval; stop and ask.\n\n")
	if w.Description.V != "" {
		fmt.Fprintf(&b, "Goal: %s\n\n", mdText(strings.TrimSpace(w.Description.V)))
	}
	writeParams(&b, "Inputs you need", w.Inputs)
	ss, by := steps(g)
	for _, s := range ss {
		writeAgentStep(&b, s, by, actions)
	}
	b.WriteString("When no rule sends you further, the workflow is complete: report each step's status and outputs.\n")
	return b.String()
}

func writeAgentStep(b *strings.Builder, s *step, by map[int]*step, actions Actions) {
	n := s.node
	fmt.Fprintf(b, "%d. **%s** (%s): %s\n", s.n, n.ID.V, typeLabel(n), mdText(firstNonEmpty(n.Summary(), headline(n))))
	if s.onlyVia {
		fmt.Fprintf(b, "   - Run this step only when another step's rule sends you here: %s.\n", sentBy(s, by))
	}
	if len(n.Inputs) > 0 {
		fmt.Fprintf(b, "   - Use: %s\n", paramList(n.Inputs))
	}
	a, ok := actions[n.ID.V]
	writeAction(b, "   - Do:", "     ", a, ok)
	if a := n.Approval; a != nil && a.Required || n.Type.V == "human" {
		b.WriteString("   - This step needs a person: present it, wait for their decision, and record it as `decision`.\n")
	}
	if len(n.Outputs) > 0 {
		fmt.Fprintf(b, "   - Record: %s\n", paramList(n.Outputs))
	}
	if lim := limits(n); lim != "" {
		fmt.Fprintf(b, "   - Limits: %s; if every attempt fails, the step has failed.\n", lim)
	}
	if len(s.out) == 0 {
		b.WriteString("   - Next: none; this path ends here.\n")
	}
	for _, a := range s.out {
		t := by[a.To]
		fmt.Fprintf(b, "   - %s step %d (`%s`)%s.\n", agentRule(a), t.n, t.node.ID.V, edgeCondition(a))
	}
	b.WriteString("\n")
}

func agentRule(a graph.Arc) string {
	switch kindOf(a.Edge.Mode.V) {
	case edgeFailure:
		return "If this step failed, go to"
	case edgeLoop:
		return "Go back to"
	case edgeParallel:
		return "Also start, in parallel,"
	case edgeAsync:
		return "Start, without waiting for it,"
	case edgeCond:
		return "Go to"
	}
	return "On success, go to"
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}
