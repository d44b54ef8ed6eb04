package executor

// Decliner is implemented by executors that run only some of the nodes
// of their type: a git node with a known action (clone, commit, push, …)
// or a command runs; one that names an action osop does not know
// (subtype: pr, say) is a step for a person. Decline returns why the
// executor has nothing to run for n, or "" when it runs it. A declined
// node is left to the manual-step path; its Check reports the reason as
// an info note, never an error, and its Execute fails with
// run.CodeNoExecutor if it is called anyway.
type Decliner interface {
	Decline(n NodeConfig) string
}

// Decline asks the executor registered for n's type whether it runs n:
// it returns the reason it declines, or "" when it runs it (or has no say:
// it does not implement [Decliner]). A type with no executor is declined.
func (r *Registry) Decline(n NodeConfig) string {
	e, ok := r.New(n.Type)
	if !ok {
		return "no executor for node type " + n.Type
	}
	if d, ok := e.(Decliner); ok {
		return d.Decline(n)
	}
	return ""
}
