// Package picture draws vector pictures and writes them as SVG or, in
// process, as PNG: shapes (paths filled and stroked, solid or dashed) and
// lines of text measured with real font metrics.
//
// Text is measured and drawn with [Fonts]: the installed sans-serif font
// that fontconfig's fc-match names, then the fonts in the usual font
// folders, and the Go fonts built into the binary when nothing else is
// found. Runes the primary font lacks come from the first font that has
// them (the CJK fonts, for instance); runes no font has are reported by
// [Fonts.Missing], so that callers can say so.
//
// It writes nothing anywhere but to the writers it is given, and nothing
// runs at package initialisation. It is the only package that imports the
// font shaping and rasterizing libraries, and it imports no osop package.
package picture
