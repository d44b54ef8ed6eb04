// Package mcpserver is osop as a Model Context Protocol server, on the
// official Go SDK: the tools validate, render, run, run_status,
// run_events, logs, runs, approve, schema and rules, each with an input
// JSON Schema and structured output, and the workflow files under the
// workdir and the runs' execution records as resources. It serves stdio
// (one client, osop mcp's stdin and stdout) or streamable HTTP behind a
// bearer token.
//
// What each tool does comes from [Ops], which the CLI implements with its
// own commands' functions; this package owns the protocol, the checks
// that every file named is under the workdir, the --allow-run gate on
// state-changing tools, and the events of the runs it started.
//
// It must not import cli (cli imports it).
package mcpserver
