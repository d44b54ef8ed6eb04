// Package db runs db nodes: SQL on PostgreSQL (pgx; engine postgresql,
// postgres or pgvector) or SQLite (modernc.org/sqlite), through
// database/sql, one connection per attempt.
//
// runtime.query (one statement) or runtime.statements (several, in
// order, on the same connection; in one transaction with transaction:
// true) hold the SQL. Values are never spliced into it: $1, $2, … take
// the values of params (a list), :name takes params.name or the node's
// input name, and a template reference written in the SQL (${inputs.x},
// {{X}}, or '${x}' alone in a string literal) becomes a placeholder too;
// a reference anywhere else in a literal or a name is refused.
//
// Outputs: rows (a list of column → JSON value), row_count, rows_affected,
// and each declared output named after a column of the first row. A
// result past runtime.max_rows (10,000) or runtime.max_bytes (16 MiB as
// JSON) fails the attempt with RESULT_TOO_LARGE.
//
// A password in runtime.connection must come from ${secrets.NAME}
// (Check reports one written in the file; a run refuses one that is no
// secret's value), so the masker hides it; descriptions hide it as well.
//
// It must not import engine, store or cli; pgx stays in this package.
package db
