// Package lsp is osop's Language Server Protocol server: the checks of
// `osop validate` while a workflow is typed, in any editor that speaks
// LSP over stdio.
//
// Diagnostics come from the same parser and validator as `osop validate`
// (through [Options.Check], which the CLI supplies), so ranges, severities,
// rule ids and "did you mean" are the command's own; completion draws on
// the validator's field, type and mode lists, the template namespaces and
// the CEL environment, never on a copy of them.
//
// Only this package imports the JSON-RPC library (go.lsp.dev/jsonrpc2); it
// does not import the executors, the engine or the CLI: what needs them
// (what a node runs, the SVG of a workflow) comes in through [Options].
package lsp
