package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/store"
	"github.com/osopdev/osop/internal/validate"
)

// RunOptions are the settings of `osop run`.
type RunOptions struct {
	IO          *IOStreams
	Limits      parse.Limits
	File        string
	Vars        []string
	Inputs      []string
	Sets        []string
	Secrets     []string
	SecretsFile string
	Log         string
	DryRun      bool
	MaxParallel int
	// MaxIterations bounds loops that set no max_iterations; 0: defaults.
	MaxIterations int
	AutoApprove   bool
	Output        string // text or json
	Workdir       string
	Store         string
	FailFast      bool
	Stream        bool
	RunID         string
	MaxCost       float64 // US dollars the run's agents may spend; 0: no limit
	Prices        string  // a model price file over the built-in table
	manualFlags
	delegateFlags
	// Simulate runs nothing: every node takes the outcome Scenario (a
	// file) gives it, or completes with outputs made from its
	// declarations.
	Simulate bool
	Scenario string
	// AcceptRisk names the risk findings accepted (RULE or RULE:NODE) for
	// a workflow osop risk calls dangerous.
	AcceptRisk []string
}

const runLong = `Run a workflow on this machine, for real.

Each node runs through the executor for its type (cli, cicd and git run
commands; api makes HTTP requests; human asks a person; system, data,
gateway and event nodes run in process). Edges decide what runs next:
sequential, parallel (joins wait for all, or join_mode wait_any/wait_n),
conditional and switch (CEL, or the editor's AND/OR/contains, rewritten
to CEL), fallback/error/timeout on failure, loop (while, or for_each),
event (waits for 'osop signal'), spawn. A cycle through a conditional,
fallback, error or timeout edge is a rework loop, bounded by its
max_iterations (else 10, or --max-iterations).

Values:
  --var K=V        fills {{K}} (built in: GIT_SHA, GIT_SHA_SHORT, GIT_BRANCH, RUN_ID, TIMESTAMP, WORKFLOW_ID)
  --input K=V      fills ${inputs.K}, typed and checked against the declared inputs
  --set PATH=V     overrides any field: --set nodes.push.runtime.registry=127.0.0.1:5000
  --secret K=V     fills ${secrets.K}; secret values are masked as *** everywhere

Every run is recorded in .osop/osop.db (osop runs, osop logs) and in an
execution record, .osop/runs/RUN.osoplog.yaml. A run that crashed, was
killed or failed continues with 'osop resume RUN'.

Before a real run (not --dry-run) osop judges the workflow as 'osop risk'
does, and refuses one whose risk score reaches the danger threshold unless
--accept-risk names the findings that take it there.

Exit codes: 0 completed; 1 failed; 2 invalid workflow, usage, or refused
as dangerous (nothing ran); 3 completed only because a fallback/error/timeout edge handled a
failure; 130 interrupted (Ctrl-C: nodes get SIGTERM, then SIGKILL; a
second Ctrl-C exits at once).`

func newRunCmd(f *Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: f.IO, Limits: f.Limits}
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a workflow for real, recording every step",
		Long:  runLong,
		Example: `  osop run examples/quickstart.osop.yaml
  osop run deploy.osop.yaml --var REGISTRY=127.0.0.1:5000 --secret TOKEN=… --dry-run
  osop run deploy.osop.yaml --output json | jq .event`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Vars, "var", nil, "template variable NAME=VALUE (repeatable)")
	fl.StringArrayVar(&opts.Inputs, "input", nil, "workflow input NAME=VALUE (repeatable)")
	fl.StringArrayVar(&opts.Sets, "set", nil, "override a field of the workflow, PATH=VALUE (repeatable)")
	fl.StringArrayVar(&opts.Secrets, "secret", nil, "secret NAME=VALUE (repeatable); masked in all output")
	fl.StringVar(&opts.SecretsFile, "secrets-file", "", "file of NAME=VALUE secret lines")
	fl.StringVar(&opts.Log, "log", "", "where to write the .osoplog.yaml (default .osop/runs/RUN.osoplog.yaml)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "run nothing: print what each node would run, in order")
	fl.IntVar(&opts.MaxIterations, "max-iterations", 0, "bound of every loop without max_iterations (default: 10 for a rework loop, 100 for a while loop)")
	fl.StringSliceVar(&opts.AcceptRisk, "accept-risk", nil, "run a workflow osop risk calls dangerous, accepting these findings: RULE or RULE:NODE (repeatable, or comma-separated; recorded in the run)")
	addSimulateFlags(fl, opts)
	fl.StringVar(&opts.Workdir, "workdir", "", "directory the workflow runs in (default: the current directory)")
	fl.StringVar(&opts.RunID, "run-id", "", "use this run id instead of a generated one (letters, digits, - and _)")
	addExecutionFlags(cmd, opts)
	return cmd
}

// addExecutionFlags adds the flags of how a run executes, rather than of
// what it runs: osop run, resume and retry share them, since a run that
// goes on may go on differently (streamed, fewer at once, with a budget).
func addExecutionFlags(cmd *cobra.Command, opts *RunOptions) {
	fl := cmd.Flags()
	fl.StringVar(&opts.Store, "store", "", "run database (default WORKDIR/.osop/osop.db)")
	fl.BoolVar(&opts.AutoApprove, "auto-approve", false, "approve every human node and approval gate (for CI)")
	fl.StringVar(&opts.Output, "output", "text", "text, or json: one JSON event per line on stdout")
	fl.BoolVar(&opts.Stream, "stream", false, "show each node's output as it runs, prefixed with the node id")
	fl.IntVar(&opts.MaxParallel, "max-parallel", 0, "most nodes running at once (default: CPUs × 4)")
	fl.BoolVar(&opts.FailFast, "fail-fast", false, "stop running nodes as soon as a failure is not handled")
	fl.Float64Var(&opts.MaxCost, "max-cost", 0, "stop before an agent's model call that could take the run's cost past this many US dollars")
	fl.StringVar(&opts.Prices, "prices", "", "JSON file of model prices (USD per million tokens) over the built-in table")
	addManualFlags(fl, &opts.manualFlags)
	addDelegateFlags(fl, &opts.delegateFlags)
	addLimitFlags(cmd, &opts.Limits)
}

// checkExecution refuses execution flags with values that mean nothing,
// rather than running with a default the user did not ask for.
func checkExecution(opts *RunOptions) error {
	switch {
	case opts.Output != "text" && opts.Output != "json":
		return exitf(ExitUsage, "--output %q: want text or json", opts.Output)
	case opts.MaxParallel < 0:
		return exitf(ExitUsage, "--max-parallel %d: give a positive number of nodes (or 0: CPUs × 4)", opts.MaxParallel)
	case opts.MaxCost < 0:
		return exitf(ExitUsage, "--max-cost %v: give a positive number of US dollars", opts.MaxCost)
	case opts.MaxIterations < 0:
		return exitf(ExitUsage, "--max-iterations %d: want a positive number of iterations (0: the defaults)", opts.MaxIterations)
	case opts.Scenario != "" && !opts.Simulate:
		return exitf(ExitUsage, "--scenario is for simulated runs: add --simulate")
	case opts.Simulate && opts.DryRun:
		return exitf(ExitUsage, "--simulate and --dry-run: pass one (a dry run prints the plan; a simulation walks it)")
	}
	if err := opts.delegateFlags.check(); err != nil {
		return err
	}
	return opts.manualFlags.check()
}

// prepared is a workflow ready to run.
type prepared struct {
	doc     *ast.Document
	w       *ast.Workflow
	hash    string
	file    string
	workdir string
}

// prepare loads the workflow, applies --set, and validates it for running:
// any error refuses the run (exit 2) before anything starts.
func prepare(f *Factory, opts *RunOptions) (*prepared, error) {
	workdir, err := filepath.Abs(firstNonEmpty(opts.Workdir, "."))
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	file, err := filepath.Abs(opts.File)
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	doc, ds, err := loadWorkflow(opts.IO, opts.Limits, opts.File)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(doc.Source)
	root := doc.Root
	for _, s := range opts.Sets {
		path, value, ok := strings.Cut(s, "=")
		if !ok {
			return nil, exitf(ExitUsage, "--set %q: write PATH=VALUE", s)
		}
		warnNewKey(opts.IO, root, path)
		if root, err = parse.Set(root, path, value); err != nil {
			return nil, &ExitError{Code: ExitUsage, Err: err}
		}
	}
	if len(opts.Sets) > 0 {
		doc.Root = root
		var more diag.Diagnostics
		doc.Workflow, more = parse.Workflow(doc.File, root)
		ds = append(ds.Filter(diag.Warning), more...)
	}
	vars, _ := keyValues("--var", opts.Vars)
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	ds = append(ds, validate.Document(doc, validate.Options{Vars: names, Runtime: checkerFor(checkRegistry(f, opts), doc, false)})...)
	ds.Sort()
	if ds.HasErrors() {
		printDiags(opts.IO, doc, ds.Filter(diag.Error))
		return nil, exitf(ExitUsage, "%s has %d error(s); nothing was run", opts.File, ds.Count(diag.Error))
	}
	return &prepared{doc: doc, w: doc.Workflow, hash: "sha256:" + hex.EncodeToString(sum[:]), file: file, workdir: workdir}, nil
}

// warnNewKey says when a --set adds a key the workflow does not have:
// allowed (a field left out of the file), but a typo would add a field
// nothing reads and the run would go on as if the override were not there.
func warnNewKey(io *IOStreams, root *ast.Value, path string) {
	key, siblings := parse.Adds(root, path)
	if key == "" {
		return
	}
	msg := fmt.Sprintf("osop: warning: --set %s adds %q, which the workflow does not have there", path, key)
	if near, ok := validate.Closest(key, siblings); ok {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	fmt.Fprintln(io.ErrOut, msg)
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

func runRun(ctx context.Context, f *Factory, opts *RunOptions) error {
	p, eopts, params, err := engineOptions(f, opts)
	if err != nil {
		return err
	}
	if opts.DryRun {
		return dryRun(opts, p, eopts)
	}
	if !opts.Simulate { // a simulation runs nothing that risk guards against
		if params.AcceptedRisks, err = checkRisk(opts.IO, p, opts.AcceptRisk); err != nil {
			return err
		}
	}
	ex := &execution{f: f, opts: opts, p: p, eopts: eopts, params: params}
	return ex.run(ctx, nil, 0)
}

// engineOptions prepares the workflow and reads --var, --input, --secret
// and --run-id into what the engine runs, and the parameters the store
// keeps for resume (secrets redacted); osop run and the MCP run tool both
// use it.
func engineOptions(f *Factory, opts *RunOptions) (*prepared, engine.Options, store.Params, error) {
	fail := func(err error) (*prepared, engine.Options, store.Params, error) {
		return nil, engine.Options{}, store.Params{}, err
	}
	if err := checkExecution(opts); err != nil {
		return fail(err)
	}
	secrets, err := readSecrets(opts.Secrets, opts.SecretsFile)
	if err != nil {
		return fail(err)
	}
	p, err := prepareMasked(f, opts, secrets)
	if err != nil {
		return fail(err)
	}
	env := environ()
	if err := secrets.addEnv(p.doc, env); err != nil {
		return fail(err)
	}
	if opts.Simulate {
		simulatedSecrets(p.w, secrets)
	}
	m := secrets.masker()
	vars, given, inputs, err := runValues(opts, p)
	if err != nil {
		return fail(maskErr(err, m))
	}
	if err := refuseMissing(opts, p, inputs, secrets.values); err != nil {
		return fail(err)
	}
	now := time.Now()
	id := run.NewID(now)
	if opts.RunID != "" {
		if !validRunID(opts.RunID) {
			return fail(exitf(ExitUsage, "--run-id %q: use letters, digits, - and _ only", opts.RunID))
		}
		id = run.ID(opts.RunID)
	}
	eopts := engine.Options{
		Workflow: p.w, RunID: id, Vars: vars, Inputs: inputs, Secrets: secrets.values,
		Env: env, Builtins: builtins(p.w, id, p.workdir, now), Workdir: p.workdir,
		MaxParallel: opts.MaxParallel, FailFast: opts.FailFast, Masker: m, MaxIterations: opts.MaxIterations,
	}
	if eopts.Registry, err = runRegistry(f, opts); err != nil {
		return fail(err)
	}
	if opts.Simulate {
		if err := simulation(f, opts, p, &eopts); err != nil {
			return fail(err)
		}
	}
	params := redactParams(store.Params{Vars: vars, Inputs: inputs, Sets: opts.Sets, MaxParallel: opts.MaxParallel,
		MaxIterations: opts.MaxIterations, AutoApprove: opts.AutoApprove, Builtins: eopts.Builtins, Simulated: opts.Simulate, Scenario: absPath(opts.Scenario), Delegate: opts.delegateFlags.params(),
		Model: opts.Model, Provider: opts.Provider}, given, secrets)
	return p, eopts, params, nil
}

// prepareMasked is prepare with the secrets known so far masked in what
// it prints and returns: diagnostics quote values, and a --set value may
// be a secret.
func prepareMasked(f *Factory, opts *RunOptions, secrets *runSecrets) (*prepared, error) {
	m := secrets.masker()
	masked, flush := maskedStreams(opts.IO, m)
	o := *opts
	o.IO = masked
	p, err := prepare(f, &o)
	flush()
	return p, maskErr(err, m)
}

// runValues reads --var and --input, and a simulation's scenario inputs
// (--input wins); given are the inputs as typed.
func runValues(opts *RunOptions, p *prepared) (vars, given map[string]string, inputs map[string]any, err error) {
	if vars, err = keyValues("--var", opts.Vars); err != nil {
		return nil, nil, nil, &ExitError{Code: ExitUsage, Err: err}
	}
	if given, err = keyValues("--input", opts.Inputs); err != nil {
		return nil, nil, nil, &ExitError{Code: ExitUsage, Err: err}
	}
	added, err := withScenarioInputs(opts, given)
	if err != nil {
		return nil, nil, nil, err
	}
	if inputs, err = typedInputs(p.w, given); err != nil {
		return nil, nil, nil, &ExitError{Code: ExitUsage, Err: err}
	}
	for k, v := range added {
		if !slices.Contains(paramNames(p.w.Inputs), k) { // a name a condition reads: as the scenario types it
			inputs[k] = v
		}
	}
	return vars, given, inputs, nil
}

// dryRun prints the plan.
func dryRun(opts *RunOptions, p *prepared, eopts engine.Options) error {
	steps, err := engine.Plan(eopts)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if opts.Output == "json" {
		return writeJSON(opts.IO.Out, toPlanJSON(p.w.ID.V, steps, eopts.Masker.Mask))
	}
	w := opts.IO.Out
	fmt.Fprintf(w, "dry run of %s (%s): nothing is executed\n", p.w.ID.V, plural(len(steps), "node"))
	// Values (a --var, an input) reach these lines: their control
	// characters are escaped, as everywhere osop prints to people.
	for k, s := range steps {
		fmt.Fprintf(w, "%3d. %s [%s]\n", k+1, diag.Printable(s.Node), diag.Printable(s.Type))
		if s.When != "" {
			fmt.Fprintf(w, "       runs: %s\n", diag.PrintableText(s.When))
		}
		if s.Action != "" {
			fmt.Fprintf(w, "       %s\n", diag.PrintableText(s.Action))
		}
		if s.Err != "" {
			fmt.Fprintf(w, "       cannot show: %s\n", diag.PrintableText(eopts.Masker.Mask(s.Err)))
		}
	}
	return nil
}

// exitCode maps how a run ended to the documented exit codes.
func exitCode(r *engine.Result) int {
	switch r.Status {
	case run.Completed:
		if r.Recovered {
			return ExitRecovered
		}
		return ExitOK
	case run.Cancelled:
		return ExitCancelled
	}
	return ExitFailed
}

func platform() string { return runtime.GOOS + "/" + runtime.GOARCH }

func hostUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return currentUser()
}

func validRunID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c == '-' || c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}
