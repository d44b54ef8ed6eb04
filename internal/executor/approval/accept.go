package approval

import (
	"strings"

	"github.com/osopdev/osop/internal/executor"
)

var _ executor.Acceptor = (*Ask)(nil)

// decidingSubtypes are the human subtypes that ask a decision (the spec's
// approval, review and decision; input describes work).
var decidingSubtypes = map[string]bool{"approval": true, "review": true, "decision": true}

// Accepts a human node that asks a decision: an approval, review or
// decision subtype, an approval gate, runtime options, a prompt or
// approvers, a declared decision, a condition after it that reads one,
// or a purpose that is a question. Any
// other human node describes work a person does: a manual step.
func (a *Ask) Accepts(n executor.NodeConfig) bool {
	if decidingSubtypes[strings.ToLower(n.Subtype)] || n.Approval || n.Decides {
		return true
	}
	for _, k := range []string{"prompt", "options", "approvers", "assignees", "min_approvals"} {
		if _, ok := n.Runtime[k]; ok {
			return true
		}
	}
	for _, o := range n.Outputs {
		if o == "decision" || o == "approved" {
			return true
		}
	}
	return asks(n.Purpose)
}

// asks reports whether a purpose asks for a decision: it is a question,
// or it is about approving or deciding ("Approve the release").
func asks(purpose string) bool {
	p := strings.ToLower(strings.TrimSpace(purpose))
	if strings.HasSuffix(p, "?") {
		return true
	}
	for _, w := range strings.FieldsFunc(p, func(r rune) bool { return r < 'a' || r > 'z' }) {
		if strings.HasPrefix(w, "approv") || strings.HasPrefix(w, "decide") || w == "decision" || w == "sign-off" {
			return true
		}
	}
	return false
}
