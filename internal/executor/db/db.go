package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/executor/shell"
	"github.com/osopdev/osop/internal/run"
)

// Register adds the executor for db nodes.
func Register(r *executor.Registry) {
	r.Register(executor.Info{Type: "db", New: func() executor.Executor { return &Query{} }})
}

// Query runs a db node's SQL.
type Query struct{}

var (
	_ executor.Checker        = (*Query)(nil)
	_ executor.Describer      = (*Query)(nil)
	_ executor.OutputDeclarer = (*Query)(nil)
)

// ImplicitOutputs are the outputs every db node sets (see result.outputs).
func (q *Query) ImplicitOutputs() []string { return []string{"rows", "row_count", "rows_affected"} }

// Check reports an engine osop does not speak, missing SQL, a password
// written in the file and parameters that cannot be bound, each at its
// field.
func (q *Query) Check(n executor.NodeConfig) []executor.Problem {
	c, ps := readConfig(n.Runtime)
	ps = append(ps, c.check()...)
	var out []executor.Problem
	for _, p := range ps {
		out = append(out, executor.Problem{Path: strings.Split(p.path, "."), Severity: diag.Error, Summary: p.summary, Detail: p.detail})
	}
	if c.Command && len(c.Statements) == 0 {
		out = append(out, (&shell.Command{}).Check(n)...)
	}
	return out
}

// plan is a node's work with every template resolved.
type plan struct {
	engine  string
	dialect dialect
	dsn     string // what the driver opens
	shown   string // the connection for people: password hidden, secrets masked
	stmts   []*bound
	cfg     *config
}

func (q *Query) plan(req *executor.Request) (*plan, error) {
	c, ps := readConfig(req.Runtime)
	if ps = append(ps, c.check()...); len(ps) > 0 {
		return nil, executor.Errorf(run.CodeConfig, false, "%s: %s", ps[0].path, ps[0].summary)
	}
	conn, err := req.Expand(c.Connection)
	if err != nil {
		return nil, err
	}
	engine, ok, err := engineOf(c.Engine, conn)
	if err != nil || !ok {
		return nil, executor.Errorf(run.CodeConfig, false, "runtime.engine: say which database this is (%s)", EngineNames)
	}
	p := &plan{engine: engine, dialect: dialectOf(engine), cfg: c, shown: req.Mask(redact(conn))}
	if err := p.connection(req, conn); err != nil {
		return nil, err
	}
	for _, st := range c.Statements {
		cs, err := compile(st.SQL, p.dialect)
		if err != nil {
			return nil, executor.Errorf(run.CodeConfig, false, "%s: %v", st.Path, err)
		}
		b, err := bind(req, cs, st.Params, st.Shared)
		if err != nil {
			return nil, err
		}
		p.stmts = append(p.stmts, b)
	}
	return p, nil
}

// connection settles what the driver opens. A password in the expanded
// connection string must be a secret's value, so masking hides it.
func (p *plan) connection(req *executor.Request, conn string) error {
	if start, end, ok := passwordSpan(conn); ok && start < end {
		if strings.Contains(req.Mask(conn), conn[start:end]) {
			return executor.Errorf(run.CodeConfig, false,
				"the password in runtime.connection does not come from a secret, so it would show in logs: pass it with --secret NAME=… and write ${secrets.NAME}")
		}
	}
	if p.engine == "sqlite" {
		dsn, path, err := sqliteDSN(conn, req.Workdir)
		if err != nil {
			return executor.Errorf(run.CodeConfig, false, "runtime.connection: %v", err)
		}
		p.dsn, p.shown = dsn, req.Mask(path)
		return nil
	}
	p.dsn = conn
	return nil
}

// Describe shows the connection (password hidden) and each statement with
// its bound values, masked.
func (q *Query) Describe(req *executor.Request) (string, error) {
	if isCommand(req.Runtime) {
		return (&shell.Command{}).Describe(req)
	}
	p, err := q.plan(req)
	if err != nil {
		return "", err
	}
	parts := make([]string, len(p.stmts))
	for i, b := range p.stmts {
		parts[i] = describe(b, p.dialect, req.Mask)
	}
	tx := ""
	if p.cfg.Tx {
		tx = " (one transaction)"
	}
	return fmt.Sprintf("%s %s%s: %s", p.engine, p.shown, tx, strings.Join(parts, "; ")), nil
}

func isCommand(rt map[string]any) bool {
	_, cmd := rt["command"]
	_, q := rt["query"]
	_, st := rt["statements"]
	return cmd && !q && !st
}

// Execute runs the statements in order on one connection, in one
// transaction when runtime.transaction is true (any failure rolls it
// back).
func (q *Query) Execute(ctx context.Context, req *executor.Request) (*executor.Result, error) {
	if isCommand(req.Runtime) {
		return (&shell.Command{}).Execute(ctx, req)
	}
	p, err := q.plan(req)
	if err != nil {
		return nil, err
	}
	db, err := p.open(req)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, classify(ctx, p, req, "connecting", err)
	}
	defer conn.Close()
	out, err := p.run(ctx, req, conn)
	if err != nil {
		return nil, err
	}
	return &executor.Result{Outputs: out.outputs(req.Outputs)}, nil
}

// querier is a connection or a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (p *plan) run(ctx context.Context, req *executor.Request, conn *sql.Conn) (*result, error) {
	var on querier = conn
	var tx *sql.Tx
	if p.cfg.Tx {
		var err error
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			return nil, classify(ctx, p, req, "beginning the transaction", err)
		}
		on = tx
	}
	res := &result{}
	for i, b := range p.stmts {
		if err := p.statement(ctx, req, on, b, res); err != nil {
			what := "the statement"
			if len(p.stmts) > 1 {
				what = fmt.Sprintf("statement %d of %d", i+1, len(p.stmts))
			}
			e := classify(ctx, p, req, what, err)
			if tx != nil {
				_ = tx.Rollback() // the error says what failed; a failed rollback ends with the connection
				e.Message += "; the transaction was rolled back"
			}
			return nil, e
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return nil, classify(ctx, p, req, "committing the transaction", err)
		}
	}
	return res, nil
}

func (p *plan) statement(ctx context.Context, req *executor.Request, on querier, b *bound, res *result) error {
	start := time.Now()
	if !b.Rows {
		r, err := on.ExecContext(ctx, b.SQL, b.Args...)
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		if err == nil {
			res.affected += n
		}
		fmt.Fprintf(req.Stderr, "%d rows affected in %s\n", n, time.Since(start).Round(time.Millisecond))
		return nil
	}
	rs, err := on.QueryContext(ctx, b.SQL, b.Args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	rows, err := readRows(rs, limits{rows: p.cfg.MaxRows, bytes: p.cfg.MaxBytes}, req.Stdout)
	if err != nil {
		return err
	}
	if err := rs.Close(); err != nil {
		return err
	}
	res.rows, res.hasRows = rows, true
	if b.Returning {
		res.affected += int64(len(rows)) // INSERT … RETURNING and the like
	}
	fmt.Fprintf(req.Stderr, "%d rows in %s\n", len(rows), time.Since(start).Round(time.Millisecond))
	return nil
}

// result is what the statements gave: the rows of the last one that
// returned rows, and the rows changed by all.
type result struct {
	rows     []any
	hasRows  bool
	affected int64
}

// outputs are rows, row_count and rows_affected, and each declared
// output named after a column of the first row. A node declaring one
// output that is no column gets the rows under that name.
func (r *result) outputs(declared []string) map[string]any {
	out := map[string]any{"rows": r.rows, "row_count": int64(len(r.rows)), "rows_affected": r.affected}
	if r.rows == nil {
		out["rows"] = []any{}
	}
	var first map[string]any
	if len(r.rows) > 0 {
		first, _ = r.rows[0].(map[string]any)
	}
	var other []string
	for _, name := range declared {
		if v, ok := first[name]; ok {
			out[name] = v
		} else if _, std := out[name]; !std {
			other = append(other, name)
		}
	}
	if len(other) == 1 && len(declared) == 1 && r.hasRows {
		out[other[0]] = out["rows"]
	}
	return out
}
