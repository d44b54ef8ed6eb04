// Package cli is the osop command line: one cobra command per subcommand,
// each with an XxxOptions struct, a newXxxCmd that only parses flags, and
// an xxxRun that does the work. Only [Main] turns errors into exit codes.
//
// cli may import any osop package.
package cli
