package agent

import (
	"errors"
	"net/http"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/mcp"
)

// Delegation hands a step to an agent: osop run --delegate agent --model
// M gives every manual step (a node that says what to do but not how) to
// a model, with the workflow's tools. Which steps are manual is decided
// where the engine chooses an executor; this is the executor it chooses.
type Delegation struct {
	Provider string
	Model    string
	// AllowShell lets the agent run commands; off unless asked for.
	AllowShell bool
}

// NewDelegate returns an executor that carries out any node's purpose
// with the delegation's model, every built-in tool (shell only when
// allowed) and every tool of the workflow's MCP servers. Its attempts are
// recorded as delegated.
func NewDelegate(o Options, d Delegation) executor.Executor {
	if o.Prices == nil {
		o.Prices = DefaultPrices()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	return &Agent{opts: o, delegate: &d}
}

// Check says what is wrong with a delegation before anything runs: a
// model osop cannot place with a provider, or an unknown provider.
func (d Delegation) Check() error {
	c := config{Provider: d.Provider, Model: d.Model}
	var msgs []string
	c.checkProvider(func(path []string, summary, detail string) {
		msgs = append(msgs, summary+" ("+detail+")")
	})
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

func (d *Delegation) config(req *executor.Request) (config, []executor.Problem) {
	rt := map[string]any{"provider": d.Provider, "model": d.Model, "allow_shell": d.AllowShell}
	var tools []any
	for _, name := range []string{"read_file", "write_file", "http_get"} {
		tools = append(tools, name)
	}
	if d.AllowShell {
		tools = append(tools, "shell")
	}
	for _, name := range mcp.Names(req.MCPServers) {
		tools = append(tools, name+".*")
	}
	rt["tools"] = tools
	return readConfig(rt, req.MCPServers, Defaults{})
}
