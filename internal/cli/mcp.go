package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/mcpserver"
)

// MCPOptions are the settings of `osop mcp`.
type MCPOptions struct {
	IO        *IOStreams
	HTTP      string // listen address; "" serves stdio
	TokenFile string
	AllowRun  bool
	Workdir   string
	Store     string
}

const mcpLong = `Serve osop to AI agents over the Model Context Protocol.

Tools: validate, render, run (with dry_run), run_status, run_events, logs,
runs, approve, schema, rules; each takes and returns JSON described by a
schema. Resources: the workflow files under the workdir
(osop://workflows/PATH) and the runs' execution records (osop://runs/ID).
Every file a tool names must be under the workdir.

Running is off unless --allow-run is given: without it run only does dry
runs and approve is refused. Runs the server starts are recorded as
'osop run' records them, and are cancelled (and recorded so) when the
server stops.

By default osop mcp speaks MCP on stdin and stdout, for an MCP client that
starts it. With --http it serves streamable HTTP at /mcp on that address
(a bare port is on 127.0.0.1); every request needs the bearer token, read
from --token-file or generated and printed once on stderr.`

func newMCPCmd(f *Factory, runF func(*MCPOptions) error) *cobra.Command {
	opts := &MCPOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve osop's tools to AI agents over the Model Context Protocol",
		Long:  mcpLong,
		Example: `  osop mcp                                   # stdio, for Claude Desktop, Claude Code, Cursor, …
  osop mcp --allow-run --workdir ~/ops
  osop mcp --http 127.0.0.1:8765 --token-file ~/.config/osop/mcp-token`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return mcpRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.HTTP, "http", "", "serve streamable HTTP on HOST:PORT (a bare PORT is on 127.0.0.1) instead of stdio")
	fl.StringVar(&opts.TokenFile, "token-file", "", "file holding the bearer token HTTP clients must send (default: generate one and print it)")
	fl.BoolVar(&opts.AllowRun, "allow-run", false, "let the run tool start runs and the approve tool answer them")
	fl.StringVar(&opts.Workdir, "workdir", "", "directory of the workflows and their runs (default: the current directory)")
	fl.StringVar(&opts.Store, "store", "", "run database (default WORKDIR/.osop/osop.db)")
	return cmd
}

func mcpRun(ctx context.Context, f *Factory, opts *MCPOptions) error {
	workdir, err := filepath.Abs(firstNonEmpty(opts.Workdir, "."))
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if st, err := os.Stat(workdir); err != nil || !st.IsDir() {
		return exitf(ExitUsage, "--workdir %s is not a directory", workdir)
	}
	srv, err := mcpserver.New(mcpserver.Options{
		Name: "osop", Version: version(), Workdir: workdir, AllowRun: opts.AllowRun,
		Ops: newMCPOps(f, workdir, opts.Store), Log: opts.IO.ErrOut,
	})
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if opts.HTTP == "" {
		return srv.ServeStdio(ctx, io.NopCloser(opts.IO.In), nopWriteCloser{opts.IO.Out})
	}
	addr, err := mcpserver.ListenAddr(opts.HTTP)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	token, generated, err := mcpToken(opts.TokenFile)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	w := opts.IO.ErrOut
	fmt.Fprintf(w, "osop mcp: serving MCP (streamable HTTP) at http://%s/mcp · workdir %s · running %s\n",
		ln.Addr(), workdir, map[bool]string{true: "allowed", false: "off (--allow-run turns it on)"}[opts.AllowRun])
	if !mcpserver.Loopback(ln.Addr().String()) {
		fmt.Fprintf(w, "osop mcp: warning: %s is reachable from other machines; anyone with the token can use it\n", ln.Addr())
	}
	if generated {
		fmt.Fprintf(w, "osop mcp: bearer token (shown once): %s\n", token)
	}
	return srv.ServeHTTP(ctx, ln, token)
}

// mcpToken reads the bearer token from file, or makes one.
func mcpToken(file string) (token string, generated bool, err error) {
	if file == "" {
		return mcpserver.NewToken(), true, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", false, fmt.Errorf("--token-file: %w", err)
	}
	token = strings.TrimSpace(string(b))
	if len(token) < 16 || strings.ContainsAny(token, " \t\r\n") {
		return "", false, fmt.Errorf("--token-file %s: the token must be one word of at least 16 characters", file)
	}
	return token, false, nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
