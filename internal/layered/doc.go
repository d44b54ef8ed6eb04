// Package layered places the nodes and edges of a directed graph in layers
// from top to bottom (a Sugiyama-style layered drawing): it breaks cycles
// by drawing some edges against the flow (loop edges first), assigns
// layers by longest path, orders each layer to reduce crossings
// (barycentre sweeps and adjacent exchanges), assigns x coordinates by
// Brandes and Köpf's method, and routes each edge as a smooth curve
// through the layers, with its label beside it in a row of its own.
//
// The drawing's geometry makes promises its tests check: no two boxes
// (nodes and labels) overlap; every node, label and curve lies inside the
// canvas; labels touch no edge; edges cross only where the order of the
// layers forces them to; the same input always gives the same output.
//
// It knows nothing of workflows, fonts or pictures and imports only the
// standard library. Nothing runs at package initialisation.
package layered
