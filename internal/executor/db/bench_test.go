package db

import (
	"context"
	"testing"
)

// BenchmarkCompile: reading a statement with every kind of parameter,
// literal and comment.
func BenchmarkCompile(b *testing.B) {
	src := "/* report */ SELECT id, note::text, 'a:b $1' FROM t -- :c\nWHERE a = $1 AND b = :name AND c = ${inputs.year} AND d = '{{X}}'"
	for b.Loop() {
		if _, err := compile(src, dialectPG); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExecute_sqlite: one db node attempt on a SQLite file: open,
// bind, insert with RETURNING, read the row, close.
func BenchmarkExecute_sqlite(b *testing.B) {
	be := sqliteBackend(b)
	be.exec(b, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
	n := node{runtime: map[string]any{"query": "INSERT INTO t (v) VALUES (:v) RETURNING id, v"}, inputs: map[string]any{"v": hostile}, outputs: []string{"id"}}
	for b.Loop() {
		if _, err := be.run(context.Background(), n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExecute_sqliteRows: one attempt reading 10,000 rows (the
// default limit) into JSON-typed outputs.
func BenchmarkExecute_sqliteRows(b *testing.B) {
	be := sqliteBackend(b)
	n := node{runtime: map[string]any{"query": "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10000) SELECT n, 'row ' || n AS label, n * 0.5 AS half FROM c"}}
	for b.Loop() {
		out, err := be.run(context.Background(), n)
		if err != nil || out["row_count"] != int64(10_000) {
			b.Fatal(out["row_count"], err)
		}
	}
}
