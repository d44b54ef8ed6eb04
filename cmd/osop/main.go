// Command osop validates, visualizes and runs OSOP workflows.
package main

import (
	"os"

	"github.com/osopdev/osop/internal/cli"
)

func main() {
	ctx, stop := cli.SignalContext()
	code := cli.Main(ctx, os.Args[1:], cli.System())
	stop()
	os.Exit(code)
}
