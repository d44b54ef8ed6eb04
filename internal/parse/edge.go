package parse

import (
	"github.com/osopdev/osop/internal/ast"
)

func (l *loader) edge(v *ast.Value) *ast.Edge {
	e := &ast.Edge{Raw: v, Range: v.Range}
	e.From = str(v, "from")
	e.To = str(v, "to")
	e.Mode = str(v, "mode")
	if !e.Mode.Set() || e.Mode.V == "" {
		e.Mode = ast.Str{V: "sequential", R: v.Range}
	}
	e.When = str(v, "when")
	if cond := v.Field("condition"); cond != nil {
		c := strOf(cond.Value)
		switch {
		case !e.When.Set():
			e.When = c
			l.alias(cond.KeyRange, "condition read as when")
		case c.V != e.When.V:
			l.warnf("conflicting-fields", cond.KeyRange, "keep only when",
				"condition %q disagrees with when %q; when wins", c.V, e.When.V)
		}
	}
	e.Label = str(v, "label")
	e.ForEach = str(v, "for_each")
	e.IteratorVar = str(v, "iterator_var")
	e.MaxIterations, _ = intOf(v.Get("max_iterations"))
	e.JoinMode = str(v, "join_mode")
	e.JoinCount, _ = intOf(v.Get("join_count"))
	e.SpawnCount, _ = intOf(v.Get("spawn_count"))
	e.DefaultTo = str(v, "default_to")
	if cases := v.Get("cases"); cases.IsList() {
		for _, c := range cases.Items {
			if c.IsMap() {
				e.Cases = append(e.Cases, &ast.Case{Value: c.Get("value"), To: str(c, "to")})
			}
		}
	}
	return e
}
