// Package expr compiles, checks and evaluates the CEL expressions of OSOP
// workflows (edge when/condition, for_each, switch, data transforms).
//
// The environment has OSOP's context variables (inputs, outputs, env,
// metadata, secrets, event, loop), every output and variable name of the
// workflow as a bare identifier, and OSOP's functions status(node),
// error_of(node), duration_of(node), attempt() and now(). The functions are
// macros over hidden variables, so one environment serves both the
// validator (no run) and the engine (each evaluation supplies the values).
//
// It is the only package that imports cel-go; it imports nothing else of
// osop.
package expr
