package db

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/template"
)

// bound is one statement ready to run: the driver's SQL and its
// arguments, each value a parameter and never SQL text.
type bound struct {
	*compiled
	Args []any
}

// bind gives each placeholder of st its value: $N from the Nth of
// params, :name from params.name or else the node's input name, and a
// template reference from what the run knows (a node input keeps its
// type). Strings in params are templates too.
func bind(req *executor.Request, st *compiled, params any, shared bool) (*bound, error) {
	list, _ := params.([]any)
	named, _ := params.(map[string]any)
	if len(list) > 0 && !shared && len(list) != st.MaxPos {
		return nil, executor.Errorf(run.CodeConfig, false, "params has %d values but the SQL uses %s", len(list), upTo(st.MaxPos))
	}
	b := &bound{compiled: st, Args: make([]any, len(st.Params))}
	for k, p := range st.Params {
		v, err := value(req, p, list, named)
		if err != nil {
			return nil, err
		}
		b.Args[k] = v
	}
	return b, nil
}

func upTo(n int) string {
	if n == 0 {
		return "no $N parameter"
	}
	return "parameters up to $" + strconv.Itoa(n)
}

func value(req *executor.Request, p param, list []any, named map[string]any) (any, error) {
	switch {
	case p.Ref != nil:
		return refValue(req, *p.Ref)
	case p.Name != "":
		if v, ok := named[p.Name]; ok {
			return paramValue(req, v)
		}
		if v, ok := req.Inputs[p.Name]; ok {
			return sqlValue(v), nil
		}
		return nil, executor.Errorf(run.CodeConfig, false, "the SQL uses :%s, and neither params.%s nor an input %s gives it a value", p.Name, p.Name, p.Name)
	}
	if p.Pos > len(list) {
		return nil, executor.Errorf(run.CodeConfig, false, "the SQL uses $%d, and params has %d values", p.Pos, len(list))
	}
	return paramValue(req, list[p.Pos-1])
}

// refValue resolves a reference written in the SQL. A bare name that is
// one of the node's inputs keeps its type (the engine resolves both the
// same way); anything else is its text.
func refValue(req *executor.Request, r template.Ref) (any, error) {
	if r.Namespace == "" && len(r.Path) == 1 {
		if v, ok := req.Inputs[r.Path[0]]; ok {
			return sqlValue(v), nil
		}
	}
	return req.Expand(r.Text)
}

// paramValue is a value from params: a string is a template (one that is
// a single reference to an input keeps the input's type); other YAML
// values bind as they are.
func paramValue(req *executor.Request, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return sqlValue(v), nil
	}
	if refs := template.Scan(s); len(refs) == 1 && refs[0].Text == s {
		return refValue(req, refs[0])
	}
	return req.Expand(s)
}

// sqlValue turns a workflow value into one every driver binds: maps and
// lists as JSON text (a json or jsonb parameter reads them).
func sqlValue(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, time.Time, []byte:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint64:
		if x > 1<<63-1 {
			return strconv.FormatUint(x, 10)
		}
		return int64(x)
	case float32:
		return float64(x)
	case json.Number:
		return x.String()
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// describe shows one bound statement for people: the SQL on one line
// and each placeholder's value, masked.
func describe(b *bound, d dialect, mask func(string) string) string {
	sql := strings.Join(strings.Fields(b.SQL), " ")
	if len(b.Args) == 0 {
		return sql
	}
	mark := "$"
	if d == dialectSQLite {
		mark = "?"
	}
	parts := make([]string, len(b.Args))
	for k, a := range b.Args {
		src := ""
		if p := b.Params[k]; p.Ref != nil || p.Name != "" {
			src = " from " + p.String()
		}
		parts[k] = fmt.Sprintf("%s%d = %s%s", mark, k+1, show(a, mask), src)
	}
	return sql + " [" + strings.Join(parts, ", ") + "]"
}

// show writes a value for people, masking before it quotes or cuts, so
// no part of a secret shows.
func show(v any, mask func(string) string) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return strconv.Quote(truncate(mask(x), 60))
	case []byte:
		return fmt.Sprintf("<%d bytes>", len(x))
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return mask(fmt.Sprint(v))
}
