package executor

import (
	"context"
	"strings"
)

// DefaultApprovalOptions are offered when a node lists none.
var DefaultApprovalOptions = []string{"approve", "reject"}

// ApprovalRequest is what a person is asked.
type ApprovalRequest struct {
	RunID     string
	NodeID    string
	Prompt    string
	Options   []string
	Approvers []string
}

// Decision is a person's answer.
type Decision struct {
	Choice  string // one of the options; "approve" or "reject" by default
	By      string
	Comment string
}

// Rejected reports whether the choice means no.
func (d Decision) Rejected() bool {
	switch strings.ToLower(strings.TrimSpace(d.Choice)) {
	case "reject", "rejected", "deny", "denied", "no":
		return true
	}
	return false
}

// Approver collects decisions. The CLI answers on a terminal or waits for
// `osop approve` from another process; a server answers over HTTP.
type Approver interface {
	Approve(ctx context.Context, req ApprovalRequest) (Decision, error)
}
