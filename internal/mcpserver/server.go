package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/osopdev/osop/internal/run"
)

// Ops are what the tools do. The CLI implements them with its own
// commands' functions, so a tool and the command of the same name agree.
// File names reaching Ops are absolute and inside the workdir.
type Ops interface {
	Validate(ctx context.Context, in ValidateInput) (*ValidateOutput, error)
	Render(ctx context.Context, in RenderInput) (*RenderOutput, error)
	// DryRun says what each node of in.File would run, running nothing.
	DryRun(ctx context.Context, in RunInput) (*RunOutput, error)
	// Start starts a run that goes on until ctx ends, sending every
	// event to sink, and returns once the run is recorded; done is closed
	// when the run has ended and its record is written.
	Start(ctx context.Context, in RunInput, sink func(run.Event)) (out *RunOutput, done <-chan struct{}, err error)
	RunStatus(ctx context.Context, in RunRef) (*RunStatusOutput, error)
	Runs(ctx context.Context, in RunsInput) (*RunsOutput, error)
	Logs(ctx context.Context, in LogsInput) (*LogsOutput, error)
	Approve(ctx context.Context, in ApproveInput) (*ApproveOutput, error)
	Complete(ctx context.Context, in CompleteInput) (*CompleteOutput, error)
	Schema(ctx context.Context, in SchemaInput) (*SchemaOutput, error)
	Rules(ctx context.Context) (*RulesOutput, error)
	// Record returns a run's execution record (.osoplog.yaml).
	Record(ctx context.Context, id string) ([]byte, error)
}

// Options configure a [Server].
type Options struct {
	Name, Version string
	// Workdir holds the workflows; every file a tool names must be in it.
	Workdir string
	// AllowRun lets the run tool start runs and the approve tool answer
	// them. Without it the server only reads (dry runs included).
	AllowRun bool
	// MaxFileBytes bounds a workflow resource read (default 1 MiB).
	MaxFileBytes int64
	Ops          Ops
	// Log receives the server's own notes (stderr; never stdout, which
	// is the stdio transport).
	Log io.Writer
}

// Server is osop as an MCP server: its tools and resources, and the runs
// it started.
type Server struct {
	opts    Options
	workdir string // Workdir, absolute with symlinks resolved
	mcp     *mcp.Server

	// runCtx is the lifetime of runs the server starts: Serve's context.
	// Set once, by Serve, before any tool is called.
	runCtx context.Context
	mu     sync.Mutex       // guards live
	live   map[string]*live // runs this server started, by id
	wg     sync.WaitGroup   // one per live run
}

// New makes the server and registers its tools.
func New(opts Options) (*Server, error) {
	if opts.Ops == nil {
		return nil, errors.New("mcpserver: Options.Ops is required")
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = 1 << 20
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	wd, err := filepath.Abs(opts.Workdir)
	if err == nil {
		wd, err = filepath.EvalSymlinks(wd)
	}
	if err != nil {
		return nil, fmt.Errorf("workdir: %w", err)
	}
	s := &Server{opts: opts, workdir: wd, live: map[string]*live{}, runCtx: context.Background()}
	s.mcp = mcp.NewServer(&mcp.Implementation{Name: opts.Name, Title: "osop", Version: opts.Version}, &mcp.ServerOptions{
		Instructions: instructions(opts.AllowRun),
		Capabilities: &mcp.ServerCapabilities{},
	})
	s.addTools()
	s.addResourceTemplates()
	return s, nil
}

func instructions(allowRun bool) string {
	s := `osop validates, renders and runs OSOP workflows (YAML graphs of typed nodes and edges) found under this server's workdir.
Start with validate (diagnostics with positions and fixes), render (mermaid, ascii, story, agent instructions), and run with dry_run to see what each node would execute. schema and rules describe the format. Workflow files and run records are resources.`
	if allowRun {
		return s + "\nThis server may run workflows: run returns a run id; follow it with run_status, run_events and logs; answer a waiting human step with approve."
	}
	return s + "\nThis server does not run workflows or answer approvals (start it with --allow-run for that); dry runs work."
}

// start begins serving: the runs it starts live as long as ctx.
func (s *Server) start(ctx context.Context) {
	s.runCtx = ctx
	s.addResources(ctx)
}

// drain waits for the server's runs, which ctx's end has cancelled, to
// write their records, for at most grace.
func (s *Server) drain(grace time.Duration) {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		fmt.Fprintf(s.opts.Log, "osop mcp: runs still ending after %s; leaving them\n", grace)
	}
}

// resolve turns a file argument into an absolute path inside the
// workdir, refusing anything outside it (symlinks followed).
func (s *Server) resolve(name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", errors.New("no file given")
	}
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.workdir, p)
	}
	p = filepath.Clean(p)
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%s does not exist under %s", name, s.workdir)
		}
		return "", err
	}
	if rel, err := filepath.Rel(s.workdir, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the server's workdir %s: osop mcp reads only files under it", name, s.workdir)
	}
	return real, nil
}

// rel shows a path relative to the workdir when it is inside it.
func (s *Server) rel(p string) string {
	if r, err := filepath.Rel(s.workdir, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}
