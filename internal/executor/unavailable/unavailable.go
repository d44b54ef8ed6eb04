// Package unavailable stands for executors osop does not have yet. A
// workflow using those node types still validates and dry-runs, but a
// real run fails the node with a message naming what is missing: never a
// silent success.
package unavailable

import (
	"context"
	"fmt"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// Register adds a stand-in for each type not in reg.
func Register(reg *executor.Registry, types ...string) {
	have := map[string]bool{}
	for _, t := range reg.Types() {
		have[t] = true
	}
	for _, t := range types {
		if !have[t] {
			t := t
			reg.Register(executor.Info{Type: t, New: func() executor.Executor { return missing(t) }})
		}
	}
}

type missing string

func (m missing) Execute(context.Context, *executor.Request) (*executor.Result, error) {
	return nil, executor.Errorf(run.CodeNoExecutor, false,
		"this osop has no executor for %s nodes; the node was not run (validate and --dry-run still work)", string(m))
}

func (m missing) Describe(req *executor.Request) (string, error) {
	return fmt.Sprintf("(no %s executor: a real run fails this node)", string(m)), nil
}
