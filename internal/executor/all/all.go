// Package all registers osop's standard executors.
package all

import (
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/approval"
	"github.com/osopdev/osop/internal/executor/data"
	"github.com/osopdev/osop/internal/executor/db"
	"github.com/osopdev/osop/internal/executor/docker"
	"github.com/osopdev/osop/internal/executor/httpcall"
	"github.com/osopdev/osop/internal/executor/infra"
	"github.com/osopdev/osop/internal/executor/shell"
	"github.com/osopdev/osop/internal/executor/system"
	"github.com/osopdev/osop/internal/executor/unavailable"
)

// Registry returns a registry with every standard executor.
func Registry() *executor.Registry {
	r := executor.NewRegistry()
	shell.Register(r)
	httpcall.Register(r)
	approval.Register(r)
	data.Register(r)
	system.Register(r)
	docker.Register(r)
	infra.Register(r)
	db.Register(r)
	unavailable.Register(r, "agent", "mcp", "db")
	return r
}
