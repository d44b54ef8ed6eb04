// Package format rewrites OSOP files: `osop fmt` puts a workflow in a
// canonical layout (standard key order for the workflow, its nodes and
// edges; two-space indentation; quotes only where YAML needs them) while
// keeping comments, and `osop convert` turns YAML into JSON and back.
// Formatting never changes what a file means; the tests check that on the
// whole corpus.
//
// format imports ast and the YAML library.
package format
