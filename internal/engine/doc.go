// Package engine runs a workflow on this machine. It is the local driver
// of the decision machine (package machine), which decides everything: what
// becomes ready, which arcs are taken, retries, timeouts, loops, how the
// run ends, what resume keeps. The engine carries those decisions out:
// each attempt runs through its executor in a goroutine of its own;
// timers, approvals and signal waits run beside them; and everything they
// report comes back to one goroutine, which feeds it to the machine,
// journals the step (Options.Journal) and acts on what the machine says.
// It resolves templates and evaluates CEL for the machine, and masks
// secrets in every event it reports.
//
// Edge semantics follow the specification (§5): sequential, parallel with
// join modes, conditional, switch, fallback/error/timeout/compensation on
// failure, loop (while or for_each), event (waits for a signal), spawn. A
// node that is not reached is SKIPPED, with the reason; one blocked by a
// failure upstream is BLOCKED.
//
// engine imports ast, graph, machine, executor, run, expr, template and
// secret; it never imports the store or the CLI.
package engine
