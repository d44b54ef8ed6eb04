// Package graph builds the executable graph of a workflow: nodes indexed by
// id, arcs (a switch edge becomes one arc per target), entry points,
// reachability, cycles not formed by loop edges, ancestors and a
// deterministic topological order.
//
// It imports ast and diag only.
package graph
