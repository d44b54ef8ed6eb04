package cli

import (
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/agent"
	"github.com/osopdev/osop/internal/executor/all"
	"github.com/osopdev/osop/internal/executor/mcp"
	"github.com/osopdev/osop/internal/store"
)

// runRegistry is the registry a run uses: the standard one, or, with
// --max-cost or --prices, one whose agents share that budget and prices,
// with --model, one whose agent nodes default to it, with --delegate
// agent, one whose manual steps an agent does, and for a dry run or a
// simulation, one whose agent nodes need no model.
func runRegistry(f *Factory, opts *RunOptions) (*executor.Registry, error) {
	setMCPVersion()
	d := agentDefaults(opts)
	if opts.MaxCost == 0 && opts.Prices == "" && opts.Delegate == "" && d == (agent.Defaults{}) {
		return f.registry(), nil
	}
	o := all.Options{Agent: agent.Options{Defaults: d}}
	if opts.Delegate != "" {
		o.Delegate = &agent.Delegation{Provider: opts.Provider, Model: opts.Model, AllowShell: opts.DelegateShell}
	}
	if opts.Prices != "" {
		p, err := agent.LoadPrices(opts.Prices)
		if err != nil {
			return nil, &ExitError{Code: ExitUsage, Err: err}
		}
		o.Agent.Prices = p
	}
	if opts.MaxCost > 0 {
		o.Agent.Budget = agent.NewBudget(opts.MaxCost)
	}
	return all.RegistryWith(o), nil
}

// agentDefaults are the run's defaults for agent nodes: --model and
// --provider, and whether the run calls no model at all.
func agentDefaults(opts *RunOptions) agent.Defaults {
	return agent.Defaults{Model: opts.Model, Provider: opts.Provider, Planning: opts.DryRun || opts.Simulate}
}

// checkRegistry is the registry prepare checks the nodes with: the
// standard one, or one that knows the run's agent defaults.
func checkRegistry(f *Factory, opts *RunOptions) *executor.Registry {
	d := agentDefaults(opts)
	if d == (agent.Defaults{}) {
		return f.registry()
	}
	return all.RegistryWith(all.Options{Agent: agent.Options{Defaults: d}})
}

// setMCPVersion tells MCP servers osop's version, once per process: runs
// started in one process (tests, osop mcp) would otherwise race on it.
var setMCPVersion = sync.OnceFunc(func() { mcp.Version = version() })

// delegateFlags are osop run's --model and --provider (the model of every
// agent node that names none) and --delegate agent's (who does the manual
// steps: an agent with that model).
type delegateFlags struct {
	Delegate      string // "" (people) or agent
	Model         string
	Provider      string
	DelegateShell bool
}

func addDelegateFlags(fl *pflag.FlagSet, d *delegateFlags) {
	fl.StringVar(&d.Delegate, "delegate", "", "agent: an agent does every manual step (a step that says what, not how) with --model, instead of a person")
	fl.StringVar(&d.Model, "model", "", "the model of every agent node that names none, and of --delegate agent (claude-… and gpt-… name their provider)")
	fl.StringVar(&d.Provider, "provider", "", "the provider of --model: "+strings.Join(agent.Providers(), ", "))
	fl.BoolVar(&d.DelegateShell, "allow-shell", false, "let the delegated agent run shell commands in the workdir")
}

// check refuses a model or a delegation that cannot work, before
// anything runs.
func (d delegateFlags) check() error {
	switch {
	case d.Delegate == "" && d.DelegateShell:
		return exitf(ExitUsage, "--allow-shell is for --delegate agent: add it")
	case d.Delegate == "" && d.Model == "" && d.Provider != "":
		return exitf(ExitUsage, "--provider %s names the provider of --model: add --model", d.Provider)
	case d.Delegate == "" && d.Model == "":
		return nil
	case d.Delegate != "" && d.Delegate != "agent":
		return exitf(ExitUsage, "--delegate %q: the one delegate is agent", d.Delegate)
	case d.Model == "":
		return exitf(ExitUsage, "--delegate agent needs --model (e.g. claude-sonnet-4-5, gpt-4o, or a local model with --provider ollama)")
	case d.Delegate != "" && d.Provider == "" && agent.ProviderOf(d.Model) == "":
		return exitf(ExitUsage, "--delegate agent: which provider runs model %q? pass --provider (one of %s)", d.Model, strings.Join(agent.Providers(), ", "))
	}
	if err := (agent.Delegation{Provider: d.Provider, Model: d.Model}).Check(); err != nil {
		if d.Delegate == "" {
			return exitf(ExitUsage, "--model: %v", err)
		}
		return exitf(ExitUsage, "--delegate agent: %v", err)
	}
	return nil
}

// params is what the store keeps of the delegation, so resume goes on
// delegating.
func (d delegateFlags) params() *store.Delegation {
	if d.Delegate == "" {
		return nil
	}
	return &store.Delegation{To: d.Delegate, Model: d.Model, Provider: d.Provider, AllowShell: d.DelegateShell}
}

// resumed takes the model and delegation the run was started with,
// unless the resume gives them.
func (d *delegateFlags) resumed(p store.Params) {
	if d.Model == "" && d.Provider == "" {
		d.Model, d.Provider = p.Model, p.Provider
	}
	if d.Delegate != "" || p.Delegate == nil {
		return
	}
	dl := p.Delegate
	d.Delegate, d.Model, d.Provider, d.DelegateShell = dl.To, dl.Model, dl.Provider, dl.AllowShell
}
