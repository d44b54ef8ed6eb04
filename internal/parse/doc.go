// Package parse turns the bytes of an OSOP file (.osop, .osop.yaml,
// .osop.json, .osoplog, .sop) into an [ast.Value] tree and then into the
// normalised model, reporting every problem as a positioned diagnostic.
//
// Both field dialects, and the visual editor's superset, load into one
// model; each alias the loader resolves is reported at Info severity so a
// user can see how a file was read. Hostile input is bounded: file size,
// nesting depth and alias expansion all have limits, and no input panics.
//
// parse imports ast, diag and the YAML library only.
package parse
