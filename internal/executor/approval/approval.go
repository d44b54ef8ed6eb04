// Package approval runs human nodes: it asks a person, through the run's
// Approver, and records the decision as the node's outputs (approved,
// decision, comment, approver and decided_by; validate.HumanOutputs). A rejection fails the node, so nothing after an
// approval gate runs unless an edge handles the rejection.
package approval

import (
	"context"
	"fmt"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// Register adds the executor for human nodes.
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "human", New: func() executor.Executor { return &Ask{} }})
}

// Ask asks for a decision.
type Ask struct{}

// builtinOutputs are the outputs every decision gives; the node's other
// declared outputs are asked of the person.
var builtinOutputs = map[string]bool{"decision": true, "comment": true, "decided_by": true, "approved": true, "approver": true}

var _ executor.Describer = (*Ask)(nil)

func (a *Ask) request(req *executor.Request) (executor.ApprovalRequest, error) {
	ar := executor.ApprovalRequest{RunID: string(req.RunID), NodeID: req.NodeID, Attempt: req.Attempt, Iteration: req.Iteration,
		Options: executor.DefaultApprovalOptions}
	for _, o := range req.Outputs {
		if !builtinOutputs[o] {
			ar.Outputs = append(ar.Outputs, o)
		}
	}
	prompt, _ := req.Runtime["prompt"].(string)
	if prompt == "" {
		prompt = req.Purpose
	}
	if prompt == "" {
		prompt = "Approve " + req.NodeID + "?"
	}
	p, err := req.Expand(prompt)
	if err != nil {
		return ar, err
	}
	ar.Prompt = p
	if opts, ok := req.Runtime["options"].([]any); ok && len(opts) > 0 {
		ar.Options = nil
		for _, o := range opts {
			ar.Options = append(ar.Options, fmt.Sprint(o))
		}
	}
	for _, key := range []string{"approvers", "assignees"} {
		if list, ok := req.Runtime[key].([]any); ok {
			for _, x := range list {
				ar.Approvers = append(ar.Approvers, fmt.Sprint(x))
			}
		}
	}
	return ar, nil
}

// Describe says who is asked what.
func (a *Ask) Describe(req *executor.Request) (string, error) {
	ar, err := a.request(req)
	if err != nil {
		return "", err
	}
	s := fmt.Sprintf("ask %q [%s]", ar.Prompt, strings.Join(ar.Options, "/"))
	if len(ar.Approvers) > 0 {
		s += " of " + strings.Join(ar.Approvers, ", ")
	}
	return s, nil
}

// Execute waits for the decision.
func (a *Ask) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	ar, err := a.request(req)
	if err != nil {
		return nil, err
	}
	if req.Approver == nil {
		return nil, executor.Errorf(run.CodeConfig, false, "no way to ask for approval in this run")
	}
	d, err := req.Approver.Approve(ctx, ar)
	if err != nil {
		return nil, err
	}
	outputs := map[string]any{"decision": d.Choice, "comment": d.Comment, "decided_by": d.By,
		"approved": !d.Rejected(), "approver": d.By}
	fmt.Fprintf(req.Stderr, "decision: %s by %s\n", d.Choice, d.By)
	given, err := executor.CheckOutputs(req.OutputSpecs, d.Outputs)
	if err != nil {
		return nil, executor.Errorf(run.CodeConfig, false, "%s: decision by %s: %v", req.NodeID, d.By, err)
	}
	for _, name := range ar.Outputs {
		if v, ok := given[name]; ok {
			outputs[name] = v
		}
	}
	if d.Rejected() {
		msg := fmt.Sprintf("%s rejected by %s", req.NodeID, d.By)
		if d.Comment != "" {
			msg += ": " + d.Comment
		}
		return nil, &executor.Error{Code: run.CodeRejected, Message: msg, Outputs: outputs}
	}
	var missing []string
	for _, name := range ar.Outputs {
		if _, ok := outputs[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, executor.Errorf(run.CodeMissingOut, false, "%s was approved by %s without %s, which the node asks its approver for (osop approve --output %s=…)",
			req.NodeID, d.By, strings.Join(missing, ", "), missing[0])
	}
	return &executor.Result{Outputs: outputs}, nil
}
