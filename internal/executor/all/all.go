// Package all registers osop's standard executors.
package all

import (
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/agent"
	"github.com/osopdev/osop/internal/executor/approval"
	"github.com/osopdev/osop/internal/executor/cicd"
	"github.com/osopdev/osop/internal/executor/data"
	"github.com/osopdev/osop/internal/executor/db"
	"github.com/osopdev/osop/internal/executor/docker"
	"github.com/osopdev/osop/internal/executor/git"
	"github.com/osopdev/osop/internal/executor/httpcall"
	"github.com/osopdev/osop/internal/executor/infra"
	"github.com/osopdev/osop/internal/executor/manual"
	"github.com/osopdev/osop/internal/executor/mcp"
	"github.com/osopdev/osop/internal/executor/shell"
	"github.com/osopdev/osop/internal/executor/system"
	"github.com/osopdev/osop/internal/executor/unavailable"
)

// Options configure the standard executors for a run.
type Options struct {
	// Agent holds the run's model prices and spending limit.
	Agent agent.Options
	// Delegate, when set, hands every manual step to an agent with this
	// model instead of a person (osop run --delegate agent).
	Delegate *agent.Delegation
}

// Registry returns a registry with every standard executor.
func Registry() *executor.Registry { return RegistryWith(Options{}) }

// RegistryWith returns a registry with every standard executor, set up
// with o.
func RegistryWith(o Options) *executor.Registry {
	r := executor.NewRegistry()
	shell.Register(r)
	cicd.Register(r)
	git.Register(r)
	httpcall.Register(r)
	approval.Register(r)
	data.Register(r)
	system.Register(r)
	docker.Register(r)
	infra.Register(r)
	agent.Register(r, o.Agent)
	mcp.Register(r)
	db.Register(r)
	unavailable.Register(r, "agent", "mcp", "db")
	manual.Register(r)
	if d := o.Delegate; d != nil {
		r.SetManual(executor.Info{New: func() executor.Executor { return agent.NewDelegate(o.Agent, *d) }})
	}
	return r
}
