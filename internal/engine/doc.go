// Package engine runs a workflow on this machine: it walks the graph,
// starting each node when its incoming edges are satisfied, runs it through
// its executor with retries and timeouts, resolves templates and CEL
// conditions, and reports every state change as an event.
//
// One goroutine (the scheduler) owns all node and edge state; workers run
// attempts and send their results back on a channel. Edge semantics follow
// the specification (§5): sequential, parallel with join modes, conditional,
// switch, fallback/error/timeout on failure, loop (while or for_each),
// event (waits for a signal), spawn (fork without join). A node that is not
// reached is SKIPPED, with the reason; one blocked by a failure upstream is
// BLOCKED.
//
// engine imports ast, graph, executor, run, expr, template and secret; it
// never imports the store or the CLI.
package engine
