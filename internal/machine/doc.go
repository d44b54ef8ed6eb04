// Package machine holds every decision a workflow run makes, as one
// deterministic state machine: which node becomes ready, which arcs are
// taken, not taken or blocked, whether a failed attempt is tried again and
// after how long, when a loop re-enters, what a cancellation or a timeout
// stops, how the run ends, and what `resume` and `retry --from` keep.
//
// A driver feeds it [Event]s (an attempt started or finished, a timer
// fired, a decision or a signal arrived, a cancellation was asked for) and
// carries out the [Action]s it returns (start attempt K of node N, set a
// timer, wait for a person or a signal, record an event, finish the run).
// The local engine is one driver, with goroutines, processes and the store;
// a Temporal interpreter is meant to be another, from workflow code. Both
// then decide alike by construction.
//
// Nothing here starts a goroutine, reads a clock, touches a file or the
// network, or ranges over a map where the order could show: the same
// events in give the same actions out, and a [State] encoded as JSON and
// restored continues exactly as the machine it came from. CEL conditions
// are evaluated through an [Evaluator] the driver supplies; randomness for
// retry jitter comes from a seed carried in the state.
//
// machine imports graph, ast and run; it must not import os, os/exec, net,
// database/sql, sync or time (beyond time.Duration values), nor the
// engine, the executors or the store (machine_test.go checks this).
package machine
