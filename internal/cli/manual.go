package cli

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/store"
)

// How manual steps are answered (--manual).
const (
	manualAsk  = "ask"  // at the terminal, else from --answers, else fail at once
	manualWait = "wait" // as ask, but without a terminal wait for osop complete
	manualFail = "fail" // every manual step fails at once
)

// manualFlags are the settings of manual steps that run, resume and
// retry share.
type manualFlags struct {
	Manual   string // ask, wait or fail
	Answers  string // YAML file of answers
	Operator string // who answers at this terminal; default $USER
}

func addManualFlags(fl *pflag.FlagSet, m *manualFlags) {
	fl.StringVar(&m.Manual, "manual", manualAsk, "manual steps: ask (at the terminal, else --answers, else fail at once), wait (for osop complete), or fail")
	fl.StringVar(&m.Answers, "answers", "", "YAML file of answers to manual steps: NODE: {status: done|failed|skipped, outputs: {…}, reason: …}")
	fl.StringVar(&m.Operator, "operator", "", "who answers manual steps at this terminal (default $USER)")
}

func (m manualFlags) check() error {
	switch m.Manual {
	case manualAsk, manualWait, manualFail, "":
		return nil
	}
	return exitf(ExitUsage, "--manual %q: want ask, wait or fail", m.Manual)
}

func (m manualFlags) operator() string {
	if m.Operator != "" {
		return m.Operator
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return currentUser()
}

// stepAnswerer puts manual steps to whoever can answer them, in order:
// --manual=fail fails them, then --answers, the terminal, and (with
// --manual=wait) osop complete; a step nobody can answer fails at once,
// saying how to answer it. Decisions (approvals) go to next.
type stepAnswerer struct {
	next     executor.Approver
	mode     string
	answers  *answerBook
	prompt   *promptApprover // nil without a terminal
	store    *storeApprover
	operator string
}

func (a *stepAnswerer) Approve(ctx context.Context, req executor.ApprovalRequest) (executor.Decision, error) {
	if req.Manual == nil {
		return a.next.Approve(ctx, req)
	}
	if a.mode == manualFail {
		return executor.Decision{}, executor.Errorf(run.CodeUnanswered, false,
			"%s is a manual step, and --manual=fail fails every manual step", req.NodeID)
	}
	if d, ok, err := a.answers.next(req); ok || err != nil {
		return d, err
	}
	if a.prompt != nil {
		return a.prompt.answer(ctx, req, a.operator)
	}
	if a.mode == manualWait {
		return a.store.Approve(ctx, req)
	}
	return executor.Decision{}, executor.Errorf(run.CodeUnanswered, false, "%s", unansweredMessage(req))
}

// unansweredMessage says how a manual step nobody could answer can be.
func unansweredMessage(req executor.ApprovalRequest) string {
	outs := ""
	if len(req.Outputs) > 0 {
		kv := make([]string, len(req.Outputs))
		for i, o := range req.Outputs {
			kv[i] = o + ": …"
		}
		outs = ", outputs: {" + strings.Join(kv, ", ") + "}"
	}
	return fmt.Sprintf("%s is a manual step (%s) and nobody can answer it here: there is no terminal and --answers has no answer for it. "+
		"Give one in an answers file (%s: {status: done%s}) with --answers FILE, run it at a terminal, "+
		"or run with --manual=wait and answer from another shell with %s",
		req.NodeID, req.Prompt, req.NodeID, outs, completeHint(req))
}

// completeHint is the command that answers a manual step.
func completeHint(req executor.ApprovalRequest) string {
	s := "osop complete " + req.RunID + " " + req.NodeID
	for _, o := range req.Outputs {
		s += " --output " + o + "=…"
	}
	return s + " [--failed REASON | --skip]"
}

// manualWaitOf is the store wait of a manual step.
func manualWaitOf(req executor.ApprovalRequest) store.Wait {
	return store.Wait{RunID: run.ID(req.RunID), NodeID: req.NodeID, Iteration: req.Iteration, Attempt: req.Attempt,
		Options: req.Options, Outputs: req.Outputs, Kind: store.WaitManual}
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
