package db

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/template"
)

// Defaults for the limits on what a query may return.
const (
	DefaultMaxRows  = 10_000
	DefaultMaxBytes = 16 << 20
)

// fields are the runtime settings a db node reads; any other is reported.
var fields = map[string]bool{
	"engine": true, "connection": true, "password": true, "query": true, "statements": true,
	"params": true, "parameters": true, "transaction": true, "max_rows": true, "max_bytes": true,
	// A db node may run a migration or seed tool instead of SQL.
	"command": true, "action": true, "working_directory": true, "environment": true, "env": true,
	"shell": true, "success_codes": true, "raw": true,
}

// statementSpec is one statement as written: its SQL and its own params.
type statementSpec struct {
	SQL    string
	Params any // []any ($N) or map[string]any (:name); nil
	Path   string
	// Shared says Params are runtime.params, given for all statements:
	// each takes the $N it uses, rather than all of them.
	Shared bool
}

// config is a db node's runtime, read but not yet expanded.
type config struct {
	Engine     string // as written
	Connection string
	Password   string
	Statements []statementSpec
	Tx         bool
	MaxRows    int
	MaxBytes   int
	Command    bool // runs runtime.command instead of SQL
}

// problem is a configuration problem at a field path.
type problem struct {
	path, summary, detail string
}

// readConfig reads a node's runtime, collecting every problem.
func readConfig(rt map[string]any) (*config, []problem) {
	c := &config{MaxRows: DefaultMaxRows, MaxBytes: DefaultMaxBytes}
	var ps []problem
	bad := func(path, summary, detail string) { ps = append(ps, problem{path, summary, detail}) }
	str := func(key string) string {
		v, ok := rt[key]
		if !ok || v == nil {
			return ""
		}
		s, isStr := v.(string)
		if !isStr {
			bad("runtime."+key, key+" must be a string", "")
		}
		return s
	}
	c.Engine, c.Connection, c.Password = str("engine"), str("connection"), str("password")
	_, c.Command = rt["command"]
	c.Tx = boolField(rt, "transaction", bad)
	c.MaxRows = intField(rt, "max_rows", DefaultMaxRows, bad)
	c.MaxBytes = intField(rt, "max_bytes", DefaultMaxBytes, bad)
	params := rt["params"]
	if params == nil {
		params = rt["parameters"]
	}
	if q, ok := rt["query"]; ok {
		s, isStr := q.(string)
		if !isStr {
			bad("runtime.query", "query must be a string of SQL", "")
		}
		c.Statements = append(c.Statements, statementSpec{SQL: s, Params: params, Path: "runtime.query"})
	}
	if st, ok := rt["statements"]; ok {
		if _, both := rt["query"]; both {
			bad("runtime.statements", "write query or statements, not both", "statements runs several in order; query runs one")
		}
		c.Statements = append(c.Statements, readStatements(st, params, bad)...)
	}
	for _, k := range slices.Sorted(maps.Keys(rt)) {
		if !fields[k] {
			bad("runtime."+k, fmt.Sprintf("unknown db setting %q", k),
				"db nodes read engine, connection, password, query or statements, params, transaction, max_rows, max_bytes (or command, for a migration tool)")
		}
	}
	return c, ps
}

func readStatements(v any, params any, bad func(path, summary, detail string)) []statementSpec {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		bad("runtime.statements", "statements must be a list of SQL strings, or of {query, params}", "")
		return nil
	}
	var out []statementSpec
	for i, item := range list {
		path := fmt.Sprintf("runtime.statements.%d", i)
		switch x := item.(type) {
		case string:
			out = append(out, statementSpec{SQL: x, Params: params, Path: path, Shared: params != nil})
		case map[string]any:
			q, _ := x["query"].(string)
			if q == "" {
				q, _ = x["sql"].(string)
			}
			if q == "" {
				bad(path, "this statement has no query", "write {query: \"…\", params: […]}")
			}
			p, shared := x["params"], false
			if p == nil {
				p, shared = params, params != nil
			}
			out = append(out, statementSpec{SQL: q, Params: p, Path: path, Shared: shared})
		default:
			bad(path, "a statement is a SQL string or {query, params}", "")
		}
	}
	return out
}

func boolField(rt map[string]any, key string, bad func(path, summary, detail string)) bool {
	v, ok := rt[key]
	if !ok || v == nil {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		bad("runtime."+key, key+" must be true or false", "")
	}
	return b
}

func intField(rt map[string]any, key string, def int, bad func(path, summary, detail string)) int {
	v, ok := rt[key]
	if !ok || v == nil {
		return def
	}
	var n int
	switch x := v.(type) {
	case int:
		n = x
	case int64:
		n = int(x)
	case uint64:
		n = int(x)
	case float64:
		n = int(x)
		if float64(n) != x {
			n = -1
		}
	default:
		n = -1
	}
	if n <= 0 {
		bad("runtime."+key, key+" must be a positive whole number", "")
		return def
	}
	return n
}

// check reports what cannot work before anything runs: an engine osop
// does not speak, no SQL, a password written in the file, parameters
// that cannot be bound.
func (c *config) check() []problem {
	var ps []problem
	bad := func(path, summary, detail string) { ps = append(ps, problem{path, summary, detail}) }
	engine, known, err := engineOf(c.Engine, c.Connection)
	switch {
	case err != nil && c.Engine != "":
		bad("runtime.engine", err.Error(), "run other databases' own clients from a cli node")
	case err != nil:
		bad("runtime.connection", err.Error(), "run other databases' own clients from a cli node")
	case c.Command && len(c.Statements) == 0:
		return ps // a migration or seed tool; the shell executor checks it
	case !known && !template.HasRefs(c.Connection):
		bad("runtime", "a db node needs runtime.engine", "write engine: postgresql (or postgres, pgvector) or engine: sqlite")
	}
	if c.Connection == "" {
		bad("runtime", "a db node needs runtime.connection",
			`write connection: "postgres://user:${secrets.DB_PASSWORD}@host:5432/db" or connection: "sqlite://data/app.db"`)
	} else if err := checkPassword(c.Connection); err != nil {
		bad("runtime.connection", err.Error(), "")
	}
	if c.Password != "" {
		refs := template.Scan(c.Password)
		if len(refs) != 1 || refs[0].Namespace != "secrets" || refs[0].Text != strings.TrimSpace(c.Password) {
			bad("runtime.password", "the password must come from a secret", "write password: ${secrets.DB_PASSWORD} and pass it with --secret DB_PASSWORD=…")
		}
	}
	if len(c.Statements) == 0 {
		bad("runtime", "a db node needs runtime.query or runtime.statements",
			`write query: "SELECT … WHERE id = :id" (values are bound from params or the node's inputs), or command: for a migration tool`)
	}
	d := dialectOf(engine)
	for _, st := range c.Statements {
		if strings.TrimSpace(st.SQL) == "" {
			bad(st.Path, "the SQL is empty", "")
			continue
		}
		if _, err := compile(st.SQL, d); err != nil {
			bad(st.Path, err.Error(), "")
		}
		switch st.Params.(type) {
		case nil, []any, map[string]any:
		default:
			bad("runtime.params", "params must be a list (for $1, $2, …) or a map (for :name)", "")
		}
	}
	return ps
}
