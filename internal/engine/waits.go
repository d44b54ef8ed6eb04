package engine

import (
	"context"
	"fmt"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/machine"
	"github.com/osopdev/osop/internal/run"
)

// ask asks the run's approver whether a gated node may run, off the
// driver's goroutine.
func (d *driver) ask(a machine.AwaitDecision) {
	n := d.g.Nodes[a.Node]
	decided := machine.Decided{Node: a.ID, Iteration: a.Iteration, Attempt: a.Attempt}
	if d.opts.Approver == nil {
		decided.Err = &machine.Failure{Code: run.CodeConfig,
			Message: fmt.Sprintf("node %q needs approval and nobody can give it in this run", a.ID)}
		d.later = append(d.later, report{ev: decided})
		return
	}
	ctx, cancel := context.WithCancel(d.base)
	d.waits[attemptKey{a.Node, a.Iteration, a.Attempt}] = cancel
	req := executor.ApprovalRequest{
		RunID: string(d.opts.RunID), NodeID: a.ID, Attempt: a.Attempt, Iteration: a.Iteration,
		Prompt:  "Run " + a.ID + ": " + n.Summary() + "?",
		Options: executor.DefaultApprovalOptions, Approvers: n.Approval.Approvers,
	}
	approver := d.opts.Approver
	go func() {
		dec, err := approver.Approve(ctx, req)
		if err != nil {
			decided.Err = failure(err)
		} else {
			decided.Approved, decided.By, decided.Comment = !dec.Rejected(), dec.By, dec.Comment
		}
		d.post(report{ev: decided})
	}()
}

// waitSignal waits, off the driver's goroutine, for the next signal an
// event arc needs.
func (d *driver) waitSignal(a machine.AwaitSignal) {
	ctx, cancel := context.WithCancel(d.base)
	d.signals = append(d.signals, cancel)
	src, id := d.opts.Signals, d.opts.RunID
	go func() {
		data, err := src.Wait(ctx, id, a.Name)
		if err != nil {
			return // the run is ending; the machine settles the arc
		}
		d.post(report{ev: machine.Signalled{Arc: a.Arc, Name: a.Name, Data: data}})
	}()
}
