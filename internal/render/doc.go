// Package render draws a workflow: as a story a person follows by hand
// (Markdown), as instructions an AI agent follows (Markdown), as Mermaid
// and Graphviz DOT source, as a picture in the terminal (Unicode box
// drawing, or ASCII), as a laid-out picture (SVG and PNG, through the
// layered layout and the picture package), and as one self-contained
// HTML page around that SVG.
//
// Every renderer is deterministic: the same file (and, for pictures, the
// same fonts) gives the same bytes.
//
// render imports ast, diag, graph, layered and render/picture only.
package render
