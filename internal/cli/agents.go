package cli

import (
	"sync"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/agent"
	"github.com/osopdev/osop/internal/executor/all"
	"github.com/osopdev/osop/internal/executor/mcp"
)

// runRegistry is the registry a run uses: the standard one, or, with
// --max-cost or --prices, one whose agents share that budget and prices.
func runRegistry(f *Factory, opts *RunOptions) (*executor.Registry, error) {
	setMCPVersion()
	if opts.MaxCost == 0 && opts.Prices == "" {
		return f.registry(), nil
	}
	o := all.Options{}
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
