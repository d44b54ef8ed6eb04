// Package ast is the workflow model: a position-carrying value tree ([Value])
// for every document, and the normalised [Workflow], [Node] and [Edge] that
// both OSOP field dialects load into. Every field keeps the range it came
// from, so later stages can point at it.
//
// Values are never changed after parsing (the run-time override of
// `osop run --set` builds a new tree). ast imports only diag.
package ast
