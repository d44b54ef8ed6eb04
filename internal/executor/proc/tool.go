package proc

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

// Tool runs a command-line tool (docker, kubectl, helm, terraform) for an
// executor: its output goes to the node's streams, a copy of stdout is
// returned, and a non-zero exit is an error naming the command and the
// last lines it printed.
type Tool struct {
	Req *executor.Request
	Dir string
	Env []string
	// Quiet keeps the program's stdout out of the node's output (a
	// password, or JSON read only to build outputs); it is still returned.
	Quiet bool
}

// Output runs argv and returns its stdout. stdin, when not nil, is fed to
// the program (passwords go this way, never in argv).
func (t Tool) Output(ctx context.Context, stdin io.Reader, argv ...string) (string, error) {
	if _, err := exec.LookPath(argv[0]); err != nil {
		return "", executor.Errorf(run.CodeConfig, false, "%s is not installed (not found on PATH); osop runs the %s CLI for this node", argv[0], argv[0])
	}
	var out, errb bytes.Buffer
	fmt.Fprintf(t.Req.Stderr, "$ %s\n", t.Req.Mask(template.ShellJoin(argv)))
	stdout := io.Writer(&out)
	if !t.Quiet {
		stdout = io.MultiWriter(t.Req.Stdout, &out)
	}
	code, err := Run(ctx, Spec{
		Argv: argv, Dir: firstNonEmpty(t.Dir, t.Req.Workdir), Env: t.env(), Stdin: stdin,
		Stdout: stdout, Stderr: io.MultiWriter(t.Req.Stderr, &errb),
	})
	if err != nil {
		return out.String(), err
	}
	if code != 0 {
		return out.String(), &executor.Error{Code: run.CodeExit, Retryable: true,
			Message: fmt.Sprintf("%s exited with status %d: %s", t.Req.Mask(Summary(argv)), code, lastLines(errb.String()+out.String(), 3))}
	}
	return out.String(), nil
}

// Summary names a command in an error: the program, its subcommand and
// its operands (what follows "--", else the words that are not flags),
// not its first three words, which for `git clone --branch main -- URL`
// would say nothing of what was cloned.
func Summary(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	words := []string{argv[0]}
	rest := argv[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		words, rest = append(words, rest[0]), rest[1:]
	}
	for i, a := range rest {
		if a == "--" {
			return strings.Join(append(words, rest[i+1:]...), " ")
		}
	}
	for _, a := range rest {
		if !strings.HasPrefix(a, "-") && len(words) < 4 {
			words = append(words, a)
		}
	}
	return strings.Join(words, " ")
}

func (t Tool) env() []string {
	if t.Env != nil {
		return t.Env
	}
	return t.Req.Env
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// lastLines returns the last n non-empty lines of s, joined.
func lastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 0 {
		return "(no output)"
	}
	return strings.Join(lines, " | ")
}
