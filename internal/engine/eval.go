package engine

import (
	"errors"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/expr"
	"github.com/osopdev/osop/internal/machine"
	"github.com/osopdev/osop/internal/run"
)

// evalRequest is a worker's expression (a data transform) for the
// driver's goroutine, which alone reads the machine's values.
type evalRequest struct {
	node    int
	src     string
	item    any
	itemVar string
	reply   chan evalReply
}

type evalReply struct {
	value any
	err   error
}

var _ machine.Evaluator = (*driver)(nil)

// Eval answers the machine's conditions, switches, loops and for_each
// lists; each answer goes into the step's history, and a replayed step
// gets its recorded answer back.
func (d *driver) Eval(src string, sc machine.Scope) (any, error) {
	if r, ok := d.recall(src); ok {
		if r.Err != "" {
			return nil, errors.New(r.Err)
		}
		return r.V["v"], nil
	}
	v, err := d.evalWith(sc.Node, src, nil, "", sc.Event)
	d.record(src, v, err)
	return v, err
}

// evalWith evaluates an expression in the scope of node i (after it ran,
// or as it runs with a for_each item).
func (d *driver) evalWith(i int, src string, item any, itemVar string, event map[string]any) (any, error) {
	p, err := d.env.Program(src)
	if err != nil {
		return nil, executor.Errorf(run.CodeExpression, false, "%v", err)
	}
	v, err := p.Eval(d.celResolver(i, item, itemVar, event))
	if err != nil {
		return nil, executor.Errorf(run.CodeExpression, false, "%v", err)
	}
	return v, nil
}

// celResolver gives CEL the machine's live maps (read only, on the
// driver's goroutine) and resolves bare names in node i's scope.
func (d *driver) celResolver(i int, item any, itemVar string, event map[string]any) expr.Resolver {
	n := d.m.Node(i)
	node := d.g.Nodes[i]
	return func(name string) (any, bool) {
		switch name {
		case expr.VarInputs:
			return d.opts.Inputs, true
		case expr.VarOutputs:
			return d.m.Outputs(), true
		case expr.VarEnv:
			return d.opts.Env, true
		case expr.VarMetadata:
			return d.metadata(&job{index: i, node: node, iteration: n.Iteration}, n.Attempt), true
		case expr.VarSecrets:
			present := make(map[string]any, len(d.opts.Secrets))
			for k := range d.opts.Secrets {
				present[k] = true
			}
			return present, true
		case expr.VarLoop:
			loop := map[string]any{"index": int64(n.Iteration)}
			if itemVar != "" {
				loop[itemVar] = item
			}
			return loop, true
		case expr.VarStatus:
			return d.m.Statuses(), true
		case expr.VarError:
			return d.m.Errors(), true
		case expr.VarDuration:
			return d.m.Durations(), true
		case expr.VarAttempt:
			return int64(n.Attempt), true
		case expr.VarNow:
			return d.now(), true
		case expr.VarEvent:
			if event != nil {
				return event, true
			}
			return map[string]any{}, true
		}
		if itemVar != "" && name == itemVar {
			return item, true
		}
		return d.bare(i, name, d.m.NodeOutputs)
	}
}
