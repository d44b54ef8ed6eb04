package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/mattn/go-isatty"

	"github.com/osopdev/osop/internal/diag"
)

// Exit codes, documented in README.md and `osop help`.
const (
	ExitOK        = 0   // validate: valid; run: completed
	ExitFailed    = 1   // validate: invalid; run: failed
	ExitUsage     = 2   // usage error, a file that cannot be read or parsed, or a workflow refused before anything ran
	ExitRecovered = 3   // run: completed only because a fallback/error/timeout edge handled a failure
	ExitCancelled = 130 // interrupted
)

// ExitError carries an exit code up to [Main]. A nil Err means the
// command already said everything it had to say.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

func exitf(code int, format string, args ...any) error {
	return &ExitError{Code: code, Err: fmt.Errorf(format, args...)}
}

// IOStreams are the command's standard streams.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InTTY, OutTTY and ErrTTY say whether In, Out and ErrOut are terminals.
	InTTY, OutTTY, ErrTTY bool
	// Color is false under NO_COLOR or when ErrOut is not a terminal.
	Color bool
}

// System returns the process's real streams.
func System() *IOStreams {
	isTTY := func(f *os.File) bool { return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()) }
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, InTTY: isTTY(os.Stdin), OutTTY: isTTY(os.Stdout), ErrTTY: isTTY(os.Stderr)}
	_, noColor := os.LookupEnv("NO_COLOR")
	s.Color = s.ErrTTY && !noColor && os.Getenv("TERM") != "dumb"
	return s
}

// Version is the osop version, set at build time with
// -ldflags "-X github.com/osopdev/osop/internal/cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Main runs osop with args (without the program name) and returns the exit
// code.
func Main(ctx context.Context, args []string, io *IOStreams) int {
	f := newFactory(io)
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(io.ErrOut, "osop: %s\n", diag.PrintableText(ee.Err.Error()))
		}
		return ee.Code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(io.ErrOut, "osop: interrupted")
		return ExitCancelled
	}
	// cobra's own errors are usage errors: unknown flag or command.
	fmt.Fprintf(io.ErrOut, "osop: %s\nRun 'osop help' for usage.\n", diag.PrintableText(err.Error()))
	return ExitUsage
}
