// Package manual runs manual steps: nodes that say what to do but give
// nothing a machine can run (see [executor.Registry.Manual]). The step is
// put to a person through the run's Approver, as a decision is, and their
// answer (done, failed or skip, with the outputs the step must give) is
// the attempt's result. Who answered and when are the attempt's outputs
// answered_by and answered_at, so they are in the record and the store.
package manual

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// Register makes manual steps run through [Step].
func Register(r *executor.Registry) {
	r.SetManual(executor.Info{New: func() executor.Executor { return &Step{} }})
}

// Step asks a person to do a step and say how it went.
type Step struct{}

var _ executor.Describer = (*Step)(nil)

// The outputs every answer gives, besides the node's own.
const (
	OutAnswer     = "answer"      // done, failed or skipped
	OutAnsweredBy = "answered_by" // who answered
	OutAnsweredAt = "answered_at" // when, RFC 3339
	OutReason     = "reason"      // why it failed or was skipped
)

// Describe says that a person does the step.
func (s *Step) Describe(req *executor.Request) (string, error) {
	what := req.Purpose
	if what == "" {
		what = req.NodeID
	}
	return fmt.Sprintf("manual step: a person does %q and answers done, failed or skip", what), nil
}

// Brief is what the person is shown of the step.
func Brief(req *executor.Request) *executor.ManualStep {
	b := &executor.ManualStep{Purpose: req.Purpose, Outputs: req.OutputSpecs}
	if len(b.Outputs) == 0 {
		for _, o := range req.Outputs {
			b.Outputs = append(b.Outputs, executor.OutputSpec{Name: o})
		}
	}
	b.Role, _ = req.Node["role"].(string)
	b.Explain = texts(req.Node["explain"])
	b.SuccessCriteria = texts(req.Node["success_criteria"])
	if len(req.Inputs) > 0 {
		b.Inputs = make(map[string]any, len(req.Inputs))
		for k, v := range req.Inputs {
			if req.Mask != nil {
				v = req.Mask(fmt.Sprint(v))
			}
			b.Inputs[k] = v
		}
	}
	return b
}

// texts flattens an explain or success_criteria field (a string, a list,
// or a map of what/why/result) into lines.
func texts(v any) []string {
	switch x := v.(type) {
	case string:
		if s := strings.TrimSpace(x); s != "" {
			return []string{s}
		}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, texts(e)...)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			for _, t := range texts(x[k]) {
				out = append(out, k+": "+t)
			}
		}
		return out
	case nil:
	default:
		return []string{fmt.Sprint(x)}
	}
	return nil
}

// Execute puts the step to a person and turns the answer into the
// attempt's result.
func (s *Step) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	if req.Approver == nil {
		return nil, executor.Errorf(run.CodeUnanswered, false, "%s is a manual step and nobody can answer it in this run", req.NodeID)
	}
	ar := executor.ApprovalRequest{RunID: string(req.RunID), NodeID: req.NodeID, Attempt: req.Attempt, Iteration: req.Iteration,
		Prompt: req.Purpose, Options: executor.ManualOptions, Outputs: req.Outputs, Manual: Brief(req)}
	if ar.Prompt == "" {
		ar.Prompt = "Do " + req.NodeID
	}
	d, err := req.Approver.Approve(ctx, ar)
	if err != nil {
		return nil, err
	}
	at := d.At
	if at.IsZero() {
		at = time.Now()
	}
	out := map[string]any{OutAnsweredBy: d.By, OutAnsweredAt: at.UTC().Format(time.RFC3339)}
	if d.Comment != "" {
		out[OutReason] = d.Comment
	}
	given, err := executor.CheckOutputs(req.OutputSpecs, d.Outputs)
	if err != nil {
		// Where the answer was given refuses this already; a value that
		// gets here anyway fails the node rather than pass as garbage.
		return nil, executor.Errorf(run.CodeConfig, false, "%s: answer by %s: %v", req.NodeID, d.By, err)
	}
	for _, name := range req.Outputs {
		if v, ok := given[name]; ok {
			out[name] = v
		}
	}
	fmt.Fprintf(req.Stderr, "answer: %s by %s at %s\n", d.Choice, d.By, out[OutAnsweredAt])
	return answer(req, d, out)
}

// answer is the result the person's answer gives.
func answer(req *executor.Request, d executor.Decision, out map[string]any) (*executor.Result, error) {
	because := ""
	if d.Comment != "" {
		because = ": " + d.Comment
	}
	switch d.Choice {
	case executor.AnswerSkip:
		out[OutAnswer] = "skipped"
		return &executor.Result{Outputs: out, Skipped: fmt.Sprintf("skipped by %s%s", d.By, because)}, nil
	case executor.AnswerFailed:
		out[OutAnswer] = "failed"
		return nil, &executor.Error{Code: run.CodeManualFailed, Outputs: out,
			Message: fmt.Sprintf("%s failed, says %s%s", req.NodeID, d.By, because)}
	case executor.AnswerDone:
	default:
		return nil, executor.Errorf(run.CodeConfig, false, "%s: %q is not an answer to a manual step (done, failed or skip)", req.NodeID, d.Choice)
	}
	out[OutAnswer] = "done"
	var missing []string
	for _, name := range req.Outputs {
		if _, ok := out[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, &executor.Error{Code: run.CodeMissingOut, Outputs: out,
			Message: fmt.Sprintf("%s was done by %s without %s, which the step must give (an answer's outputs: %s=…)",
				req.NodeID, d.By, strings.Join(missing, ", "), missing[0])}
	}
	return &executor.Result{Outputs: out}, nil
}
