// Command osop validates, visualizes and runs OSOP workflows.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/osopdev/osop/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.System())
	stop()
	os.Exit(code)
}
