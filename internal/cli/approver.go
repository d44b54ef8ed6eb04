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

func (p *promptApprover) Approve(ctx context.Context, req executor.ApprovalRequest) (executor.Decision, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hold != nil {
		defer p.hold()()
	}
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

func (s *storeApprover) Approve(ctx context.Context, req executor.ApprovalRequest) (executor.Decision, error) {
	fmt.Fprintf(s.out, "  ? %s waits for a decision: osop approve %s %s [--reject] [--comment TEXT]\n", req.NodeID, req.RunID, req.NodeID)
	d, err := s.st.WaitApproval(ctx, run.ID(req.RunID), req.NodeID)
	if err != nil {
		return executor.Decision{}, err
	}
	return executor.Decision{Choice: d.Decision, By: d.By, Comment: d.Comment}, nil
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
