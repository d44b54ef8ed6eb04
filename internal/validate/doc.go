// Package validate checks a loaded OSOP document: its structure against the
// embedded JSON Schemas, then its meaning, each rule with a stable id (see
// [Rules]): node ids, edge endpoints, node types and edge modes, unknown
// fields, CEL expressions type-checked against what is in scope, template
// references, inputs nobody produces, cycles, unreachable nodes, timeouts
// and retries. It also infers the conformance level (L0 to L3).
//
// Executors add checks of their runtime configuration through
// [RuntimeChecker], so this package does not import them.
//
// validate imports ast, diag, graph, expr, schema, template and parse.
package validate
