// Package render draws a workflow: as a story a person follows by hand
// (Markdown), as instructions an AI agent follows (Markdown), as Mermaid
// and Graphviz DOT source, as a picture in the terminal (Unicode box
// drawing, or ASCII), and as one self-contained HTML page.
//
// Every renderer is deterministic: the same file gives the same bytes.
// SVG and PNG come from the DOT source in the render/image package, which
// holds the Graphviz dependency.
//
// render imports ast, graph and parse (for durations) only.
package render
