package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/user"
	"strings"
	"sync"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/store"
)

// autoApprover approves everything (--auto-approve, for CI).
type autoApprover struct{}

func (autoApprover) Approve(_ context.Context, req executor.ApprovalRequest) (executor.Decision, error) {
	choice := "approve"
	if len(req.Options) > 0 {
		choice = req.Options[0]
	}
	return executor.Decision{Choice: choice, By: "--auto-approve"}, nil
}

// promptApprover asks on the terminal, one question at a time.
type promptApprover struct {
	mu   sync.Mutex
	in   *bufio.Reader
	out  io.Writer
	hold func() (release func()) // pauses the live progress table
}

// Approve asks for the choice, then, unless it is a rejection, for each
// output the node wants. The live view is held meanwhile, so nothing
// else is drawn into the prompt.
func (p *promptApprover) Approve(ctx context.Context, req executor.ApprovalRequest) (executor.Decision, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold != nil {
		defer p.hold()()
	}
	d, err := p.choice(ctx, req)
	if err != nil || d.Rejected() || len(req.Outputs) == 0 {
		return d, err
	}
	d.Outputs = map[string]string{}
	for _, name := range req.Outputs {
		for {
			fmt.Fprintf(p.out, "  %s: ", name)
			line, err := p.in.ReadString('\n')
			if err != nil {
				return executor.Decision{}, fmt.Errorf("no answer on the terminal: %w", err)
			}
			if v := strings.TrimSpace(line); v != "" {
				d.Outputs[name] = v
				break
			}
			if ctx.Err() != nil {
				return executor.Decision{}, ctx.Err()
			}
		}
	}
	return d, nil
}

func (p *promptApprover) choice(ctx context.Context, req executor.ApprovalRequest) (executor.Decision, error) {
	for {
		fmt.Fprintf(p.out, "\n? %s [%s] (node %s): ", req.Prompt, strings.Join(req.Options, "/"), req.NodeID)
		line, err := p.in.ReadString('\n')
		if err != nil {
			return executor.Decision{}, fmt.Errorf("no answer on the terminal: %w", err)
		}
		answer := strings.TrimSpace(line)
		choice, comment, _ := strings.Cut(answer, " ")
		for _, o := range req.Options {
			if strings.EqualFold(o, choice) || (len(choice) == 1 && strings.HasPrefix(strings.ToLower(o), strings.ToLower(choice))) {
				return executor.Decision{Choice: o, By: currentUser(), Comment: strings.TrimSpace(comment)}, nil
			}
		}
		if ctx.Err() != nil {
			return executor.Decision{}, ctx.Err()
		}
		fmt.Fprintf(p.out, "  answer one of: %s (optionally followed by a comment)\n", strings.Join(req.Options, ", "))
	}
}

// storeApprover waits for `osop approve RUN NODE` from another process.
type storeApprover struct {
	st  *store.Store
	out io.Writer
}

// Approve records that the attempt waits, then waits for the decision
// bound to that wait.
func (s *storeApprover) Approve(ctx context.Context, req executor.ApprovalRequest) (executor.Decision, error) {
	w := store.Wait{RunID: run.ID(req.RunID), NodeID: req.NodeID, Iteration: req.Iteration,
		Attempt: req.Attempt, Options: req.Options, Outputs: req.Outputs}
	what, hint := "a decision", approveHint(req)
	if req.Manual != nil {
		w, what, hint = manualWaitOf(req), "a person to do it", completeHint(req)
	}
	id, err := s.st.OpenWait(ctx, w)
	if err != nil {
		return executor.Decision{}, err
	}
	fmt.Fprintf(s.out, "  ? %s waits for %s: %s\n", req.NodeID, what, hint)
	d, err := s.st.WaitDecision(ctx, id)
	if err != nil {
		return executor.Decision{}, err
	}
	return executor.Decision{Choice: d.Decision, By: d.By, Comment: d.Comment, Outputs: d.Outputs, At: d.At}, nil
}

// approveHint is the command that answers a request.
func approveHint(req executor.ApprovalRequest) string {
	s := "osop approve " + req.RunID + " " + req.NodeID
	for _, o := range req.Outputs {
		s += " --output " + o + "=…"
	}
	if isApproveReject(req.Options) {
		return s + " [--reject] [--comment TEXT]"
	}
	return s + " --choice " + strings.Join(req.Options, "|") + " [--comment TEXT]"
}

func isApproveReject(options []string) bool {
	return len(options) == 2 && options[0] == "approve" && options[1] == "reject"
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
