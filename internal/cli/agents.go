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
// and with --delegate agent, one whose manual steps an agent does.
func runRegistry(f *Factory, opts *RunOptions) (*executor.Registry, error) {
	setMCPVersion()
	if opts.MaxCost == 0 && opts.Prices == "" && opts.Delegate == "" {
		return f.registry(), nil
	}
	o := all.Options{}
	if opts.Delegate != "" {
		o.Delegate = &agent.Delegation{Provider: opts.DelegateProvider, Model: opts.DelegateModel, AllowShell: opts.DelegateShell}
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

// setMCPVersion tells MCP servers osop's version, once per process: runs
// started in one process (tests, osop mcp) would otherwise race on it.
var setMCPVersion = sync.OnceFunc(func() { mcp.Version = version() })

// delegateFlags are osop run --delegate agent's: who does the manual steps.
type delegateFlags struct {
	Delegate         string // "" (people) or agent
	DelegateModel    string
	DelegateProvider string
	DelegateShell    bool
}

func addDelegateFlags(fl *pflag.FlagSet, d *delegateFlags) {
	fl.StringVar(&d.Delegate, "delegate", "", "agent: an agent does every manual step (a step that says what, not how) with --model, instead of a person")
	fl.StringVar(&d.DelegateModel, "model", "", "the model --delegate agent uses (claude-… and gpt-… name their provider)")
	fl.StringVar(&d.DelegateProvider, "provider", "", "the provider of --model: "+strings.Join(agent.Providers(), ", "))
	fl.BoolVar(&d.DelegateShell, "allow-shell", false, "let the delegated agent run shell commands in the workdir")
}

// check refuses a delegation that cannot work, before anything runs.
func (d delegateFlags) check() error {
	switch {
	case d.Delegate == "":
		if d.DelegateModel != "" || d.DelegateProvider != "" || d.DelegateShell {
			return exitf(ExitUsage, "--model, --provider and --allow-shell are for --delegate agent: add it")
		}
		return nil
	case d.Delegate != "agent":
		return exitf(ExitUsage, "--delegate %q: the one delegate is agent", d.Delegate)
	case d.DelegateModel == "":
		return exitf(ExitUsage, "--delegate agent needs --model (e.g. claude-sonnet-4-5, gpt-4o, or a local model with --provider ollama)")
	case d.DelegateProvider == "" && agent.ProviderOf(d.DelegateModel) == "":
		return exitf(ExitUsage, "--delegate agent: which provider runs model %q? pass --provider (one of %s)", d.DelegateModel, strings.Join(agent.Providers(), ", "))
	}
	if err := (agent.Delegation{Provider: d.DelegateProvider, Model: d.DelegateModel}).Check(); err != nil {
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
	return &store.Delegation{To: d.Delegate, Model: d.DelegateModel, Provider: d.DelegateProvider, AllowShell: d.DelegateShell}
}

// resumed takes the delegation the run was started with, unless the
// resume gives one.
func (d *delegateFlags) resumed(p *store.Delegation) {
	if d.Delegate != "" || p == nil {
		return
	}
	d.Delegate, d.DelegateModel, d.DelegateProvider, d.DelegateShell = p.To, p.Model, p.Provider, p.AllowShell
}
