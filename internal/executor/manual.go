package executor

// Manual steps. A node that says what to do but gives nothing a machine can
// run (a cli node without a command, an api node without a URL, a human
// node that asks no decision) is done by a person: osop shows them the
// step and waits for their answer. Which nodes those are is asked of the
// registry, never of a list of types, so an executor registered later
// (a git action, say) takes its nodes from the people at once.

// Acceptor is implemented by executors that run only some of the nodes of
// their type: a cli node needs a command. An executor that does not
// implement it runs every node of its type.
type Acceptor interface {
	Accepts(n NodeConfig) bool
}

// ManualType is the type the manual-step executor is registered under
// ([Registry.SetManual]); nodes of any type run through it when no
// executor accepts them.
const ManualType = "manual"

// SetManual sets the executor that runs manual steps: nodes whose type has
// no executor, or whose executor does not accept them.
func (r *Registry) SetManual(info Info) {
	if info.New == nil {
		panic("executor: SetManual needs a constructor")
	}
	info.Type = ManualType
	r.manual = &info
}

// Manual reports whether node n is a manual step: the registry has a
// manual-step executor and no executor of its own accepts n.
func (r *Registry) Manual(n NodeConfig) bool {
	if r.manual == nil {
		return false
	}
	e, ok := r.New(n.Type)
	if !ok {
		return true
	}
	if d, ok := e.(Decliner); ok && d.Decline(n) != "" {
		return true
	}
	a, ok := e.(Acceptor)
	return ok && !a.Accepts(n)
}

// For returns a fresh executor for node n: its type's, or, for a manual
// step, the manual-step executor.
func (r *Registry) For(n NodeConfig) (Executor, bool) {
	if r.Manual(n) {
		return r.manual.New(), true
	}
	return r.New(n.Type)
}

// ManualOptions are the answers a manual step takes.
var ManualOptions = []string{AnswerDone, AnswerFailed, AnswerSkip}

// The answers to a manual step.
const (
	AnswerDone   = "done"
	AnswerFailed = "failed"
	AnswerSkip   = "skip"
)

// ManualStep is what a person is shown of a manual step: what to do, how
// to tell it is done, what it starts from and what it must give.
type ManualStep struct {
	Purpose string
	// Explain is the node's explain text (what, why, the result wanted).
	Explain []string
	// SuccessCriteria say how to tell the step is done.
	SuccessCriteria []string
	// Inputs are the values the step starts from, secrets masked.
	Inputs map[string]any
	// Outputs are the values the person must give, in order.
	Outputs []OutputSpec
	// Role is who is meant to do it, if the file says.
	Role string
}
