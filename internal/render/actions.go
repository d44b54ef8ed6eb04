package render

import (
	"fmt"
	"strings"
)

// Action is what a node's executor says it runs: the description a dry
// run prints (engine.Plan), so a runbook and a run can never disagree.
type Action struct {
	Text string // the exact command, request or operation
	Err  string // why it cannot be shown before the run
}

// Actions maps node ids to their [Action]. A node missing from it (one
// whose executor describes nothing: a gateway, say) is shown without one.
type Actions map[string]Action

// writeAction writes "lead `action`", or lead and the action as a fenced
// block indented by indent when it spans lines.
func writeAction(b *strings.Builder, lead, indent string, a Action, ok bool) {
	switch {
	case !ok:
	case a.Err != "":
		fmt.Fprintf(b, "%s (cannot be shown before the run: %s)\n", lead, mdText(a.Err))
	case a.Text == "":
	case !strings.Contains(a.Text, "\n"):
		fmt.Fprintf(b, "%s %s\n", lead, codeSpan(a.Text))
	default:
		fence := strings.Repeat("`", max(3, longestRun(a.Text, '`')+1))
		fmt.Fprintf(b, "%s\n\n%s%s\n", lead, indent, fence)
		for _, l := range strings.Split(a.Text, "\n") {
			b.WriteString(strings.TrimRight(indent+l, " ") + "\n")
		}
		fmt.Fprintf(b, "%s%s\n\n", indent, fence)
	}
}

// codeSpan makes s a CommonMark code span that shows it as it is: the
// backtick fence is longer than any run of backticks inside, with a space
// inside each end when s starts or ends with a backtick or a space.
func codeSpan(s string) string {
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	return fence + s + fence
}

func longestRun(s string, c byte) int {
	longest, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			longest = max(longest, n)
		} else {
			n = 0
		}
	}
	return longest
}

// sentBy says which steps lead to one reached only through failure
// paths, and when: "step 6 (`health_check`) if it fails".
func sentBy(s *step, by map[int]*step) string {
	var parts []string
	for _, a := range s.in {
		from := by[a.From]
		when := "if it fails"
		switch e := a.Edge; {
		case e.Mode.V == "timeout":
			when = "if it runs out of time"
		case e.When.V != "":
			when = fmt.Sprintf("if it fails or `%s`", codeText(e.When.V))
		}
		parts = append(parts, fmt.Sprintf("step %d (`%s`) %s", from.n, from.node.ID.V, when))
	}
	return strings.Join(parts, ", or ")
}
