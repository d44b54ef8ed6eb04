package expr

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/interpreter"
)

// Program is a compiled expression, ready to evaluate many times.
type Program struct {
	src string
	prg cel.Program
}

// Source returns the expression's text.
func (p *Program) Source() string { return p.src }

// Resolver supplies variable values at evaluation time, by name. It lets
// the engine hand CEL its live maps without copying them.
type Resolver func(name string) (any, bool)

// Program compiles src once for this environment and caches it: the same
// condition on many edges, or a transform on many nodes, compiles once.
func (e *Env) Program(src string) (*Program, error) {
	if p, ok := e.programs.Load(src); ok {
		return p.(*Program), nil
	}
	checked, issues := e.Check(src)
	if checked == nil {
		msgs := make([]string, len(issues))
		for i, is := range issues {
			msgs[i] = Friendly(is.Message)
		}
		if len(msgs) == 0 {
			msgs = []string{"invalid expression"}
		}
		return nil, fmt.Errorf("%q: %s", src, strings.Join(msgs, "; "))
	}
	prg, err := e.env.Program(checked.ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, fmt.Errorf("%q: %w", src, err)
	}
	p := &Program{src: src, prg: prg}
	e.programs.Store(src, p)
	return p, nil
}

// activation adapts a Resolver to cel-go.
type activation struct{ r Resolver }

func (a activation) ResolveName(name string) (any, bool) { return a.r(name) }
func (a activation) Parent() interpreter.Activation      { return nil }

// Eval evaluates the program and returns the result as plain Go values
// (map[string]any, []any, string, int64, float64, bool, time.Time,
// time.Duration, nil).
func (p *Program) Eval(r Resolver) (any, error) {
	val, _, err := p.prg.Eval(activation{r})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.src, err)
	}
	return Native(val)
}

// EvalBool evaluates a condition; anything but a boolean is an error.
func (p *Program) EvalBool(r Resolver) (bool, error) {
	v, err := p.Eval(r)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%s: gave %T %v, not a boolean", p.src, v, v)
	}
	return b, nil
}

// Native converts a CEL value to plain Go values.
func Native(v ref.Val) (any, error) {
	switch v.Type() {
	case types.NullType:
		return nil, nil
	case types.BoolType, types.IntType, types.UintType, types.DoubleType, types.StringType, types.BytesType:
		return v.Value(), nil
	case types.TimestampType:
		return v.Value().(time.Time), nil
	case types.DurationType:
		return v.Value().(time.Duration), nil
	case types.ErrType:
		return nil, errors.New(fmt.Sprint(v.Value()))
	}
	switch x := v.(type) {
	case traits.Mapper:
		out := map[string]any{}
		it := x.Iterator()
		for it.HasNext() == types.True {
			k := it.Next()
			val, err := Native(x.Get(k))
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k.Value())] = val
		}
		return out, nil
	case traits.Lister:
		n, _ := x.Size().Value().(int64)
		out := make([]any, 0, n)
		for i := int64(0); i < n; i++ {
			val, err := Native(x.Get(types.Int(i)))
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	}
	return v.Value(), nil
}
