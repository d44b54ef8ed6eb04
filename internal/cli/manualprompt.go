package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/executor"
)

// answer shows a manual step at the terminal (the live view held) and
// reads how it went: done, with each output the step must give; failed,
// with a reason; or skip, optionally with one.
func (p *promptApprover) answer(ctx context.Context, req executor.ApprovalRequest, operator string) (executor.Decision, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold != nil {
		defer p.hold()()
	}
	p.showStep(req)
	for {
		fmt.Fprintf(p.out, "? %s: done, failed or skip? [done/failed/skip] (node %s): ", req.NodeID, req.NodeID)
		line, err := p.readLine(ctx)
		if err != nil {
			return executor.Decision{}, err
		}
		word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		choice := manualChoice(word)
		if choice == "" {
			fmt.Fprintf(p.out, "  answer done, failed (with a reason) or skip\n")
			continue
		}
		d := executor.Decision{Choice: choice, By: operator, Comment: strings.TrimSpace(rest)}
		switch choice {
		case executor.AnswerFailed:
			for d.Comment == "" {
				fmt.Fprintf(p.out, "  reason: ")
				if d.Comment, err = p.readLine(ctx); err != nil {
					return executor.Decision{}, err
				}
				d.Comment = strings.TrimSpace(d.Comment)
			}
		case executor.AnswerDone:
			if d.Outputs, err = p.outputs(ctx, req.Manual.Outputs); err != nil {
				return executor.Decision{}, err
			}
		}
		d.At = time.Now()
		return d, nil
	}
}

// manualChoice reads an answer word: done, failed or skip, or their first
// letter.
func manualChoice(w string) string {
	w = strings.ToLower(w)
	switch w {
	case "done", "d", "ok", "yes", "y":
		return executor.AnswerDone
	case "failed", "fail", "f":
		return executor.AnswerFailed
	case "skip", "skipped", "s":
		return executor.AnswerSkip
	}
	return ""
}

// showStep prints what the operator must do.
func (p *promptApprover) showStep(req executor.ApprovalRequest) {
	b := req.Manual
	fmt.Fprintf(p.out, "\n── manual step %s%s ──\n", req.NodeID, attemptNote(req))
	fmt.Fprintf(p.out, "  %s\n", req.Prompt)
	if b.Role != "" {
		fmt.Fprintf(p.out, "  who: %s\n", b.Role)
	}
	for _, e := range b.Explain {
		fmt.Fprintf(p.out, "  %s\n", indentLines(e, "  "))
	}
	for _, c := range b.SuccessCriteria {
		fmt.Fprintf(p.out, "  done when: %s\n", indentLines(c, "  "))
	}
	for _, k := range sortedKeys(b.Inputs) {
		fmt.Fprintf(p.out, "  input %s = %v\n", k, b.Inputs[k])
	}
	for _, o := range b.Outputs {
		fmt.Fprintf(p.out, "  gives %s%s\n", o.Name, outputNote(o))
	}
}

func attemptNote(req executor.ApprovalRequest) string {
	s := ""
	if req.Attempt > 1 {
		s += fmt.Sprintf(", attempt %d", req.Attempt)
	}
	if req.Iteration > 0 {
		s += fmt.Sprintf(", iteration %d", req.Iteration)
	}
	return s
}

func outputNote(o executor.OutputSpec) string {
	var parts []string
	if o.Type != "" {
		parts = append(parts, o.Type)
	}
	if o.Description != "" {
		parts = append(parts, o.Description)
	}
	if len(o.Enum) > 0 {
		vs := make([]string, len(o.Enum))
		for i, v := range o.Enum {
			vs[i] = fmt.Sprint(v)
		}
		parts = append(parts, "one of "+strings.Join(vs, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func indentLines(s, pad string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
}

// outputs asks for each output the step must give, until each has a
// value of its declared type (and enum).
func (p *promptApprover) outputs(ctx context.Context, specs []executor.OutputSpec) (map[string]string, error) {
	out := map[string]string{}
	for _, o := range specs {
		for {
			fmt.Fprintf(p.out, "  %s: ", o.Name)
			line, err := p.readLine(ctx)
			if err != nil {
				return nil, err
			}
			v := strings.TrimSpace(line)
			if v == "" {
				continue
			}
			if _, err := o.Check(v); err != nil {
				fmt.Fprintf(p.out, "  %v: give %s\n", err, o.Want())
				continue
			}
			out[o.Name] = v
			break
		}
	}
	return out, nil
}

// readLine reads one line of the terminal.
func (p *promptApprover) readLine(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	line, err := p.in.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("no answer on the terminal: %w", err)
	}
	return line, nil
}
