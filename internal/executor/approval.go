package executor

import (
	"context"
	"strings"
	"time"
)

// DefaultApprovalOptions are offered when a node lists none.
var DefaultApprovalOptions = []string{"approve", "reject"}

// ApprovalRequest is what a person is asked. A decision answers one
// request: the node's attempt and iteration that waits for it.
type ApprovalRequest struct {
	RunID     string
	NodeID    string
	Attempt   int
	Iteration int
	Prompt    string
	Options   []string
	Approvers []string
	// Outputs are the node's declared outputs the person gives with the
	// decision (a ticket number, say); an approval without them is
	// incomplete.
	Outputs []string
	// Manual, when set, makes this the question of a manual step: the
	// options are [ManualOptions], the choice says how the step went and
	// Comment why (for failed and skip).
	Manual *ManualStep
}

// Decision is a person's answer.
type Decision struct {
	Choice  string // one of the options; "approve" or "reject" by default
	By      string
	Comment string
	// Outputs are the values given for the request's Outputs.
	Outputs map[string]string
	// At is when the answer was given; zero means now.
	At time.Time
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
