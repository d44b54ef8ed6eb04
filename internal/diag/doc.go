// Package diag holds source positions, ranges and diagnostics, and renders
// diagnostics as text (with a snippet and a caret), JSON and SARIF.
//
// It is the bottom of the import graph: it imports only the standard
// library, and every other package may import it.
package diag
