package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

// CodeSQL classifies an error the database reported for a statement.
const CodeSQL = "SQL_ERROR"

// open returns a handle on one connection's worth of database: nothing
// is dialled until the first use, which carries the attempt's context.
func (p *plan) open(req *executor.Request) (*sql.DB, error) {
	if p.engine == "sqlite" {
		db, err := sql.Open("sqlite", p.dsn)
		if err != nil {
			return nil, executor.Errorf(run.CodeConfig, false, "opening %s: %v", p.shown, err)
		}
		db.SetMaxOpenConns(1)
		return db, nil
	}
	cfg, err := pgx.ParseConfig(p.dsn)
	if err != nil {
		return nil, executor.Errorf(run.CodeConfig, false, "runtime.connection: %s", p.scrub(req, err.Error()))
	}
	if p.cfg.Password != "" {
		if cfg.Password, err = req.Expand(p.cfg.Password); err != nil {
			return nil, err
		}
	}
	if _, set := cfg.RuntimeParams["application_name"]; !set {
		cfg.RuntimeParams["application_name"] = "osop"
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(1)
	return db, nil
}

// classify turns a driver error into a classified, masked attempt
// error: the node's timeout or a cancellation; a connection that failed
// (retryable); a serialization failure or deadlock (retryable); any other
// SQL error (not).
func classify(ctx context.Context, p *plan, req *executor.Request, what string, err error) *executor.Error {
	var e *executor.Error
	if errors.As(err, &e) {
		return &executor.Error{Code: e.Code, Retryable: e.Retryable, Message: what + ": " + p.scrub(req, e.Message), Err: err}
	}
	msg := what + ": " + p.scrub(req, err.Error())
	if ctx.Err() != nil {
		code, retry := executor.Stopped(ctx)
		return &executor.Error{Code: code, Retryable: retry, Message: what + ": stopped: " + p.scrub(req, executor.StopReason(ctx)), Err: err}
	}
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	var netErr net.Error
	var liteErr *sqlite.Error
	switch {
	case errors.As(err, &pgErr):
		retry := pgErr.Code == "40001" || pgErr.Code == "40P01" || strings.HasPrefix(pgErr.Code, "08")
		return &executor.Error{Code: CodeSQL, Retryable: retry, Message: msg, Err: err}
	case errors.As(err, &connErr), errors.As(err, &netErr):
		return &executor.Error{Code: run.CodeConnection, Retryable: true, Message: msg, Err: err}
	case errors.As(err, &liteErr):
		c := liteErr.Code() & 0xff
		retry := c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
		if c == sqlite3.SQLITE_CANTOPEN {
			return &executor.Error{Code: run.CodeConfig, Message: msg + fmt.Sprintf(" (%s)", p.shown), Err: err}
		}
		return &executor.Error{Code: CodeSQL, Retryable: retry, Message: msg, Err: err}
	}
	return &executor.Error{Code: CodeSQL, Message: msg, Err: err}
}

// scrub hides secrets and the connection's password in a message.
func (p *plan) scrub(req *executor.Request, msg string) string {
	if start, end, ok := passwordSpan(p.dsn); ok && end-start >= 3 {
		msg = strings.ReplaceAll(msg, p.dsn[start:end], "***")
	}
	return req.Mask(msg)
}
