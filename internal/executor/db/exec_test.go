package db

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const hostile = "'; DROP TABLE t; --"

// hostileInLiteral would drop the table if it were spliced between quotes.
const hostileInLiteral = "x'); DROP TABLE t; --"

// TestExecute_boundNotSpliced stores a hostile value through every way a
// value reaches SQL; each time it is stored as text and the table
// survives.
func TestExecute_boundNotSpliced(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		query string
		n     node
	}{
		{"named from input", "INSERT INTO t (v) VALUES (:title)", node{inputs: map[string]any{"title": hostile}}},
		{"named from params", "INSERT INTO t (v) VALUES (:v)", node{runtime: map[string]any{"params": map[string]any{"v": "${inputs.title}"}}, inputs: map[string]any{"title": hostile}}},
		{"positional", "INSERT INTO t (v) VALUES ($1)", node{runtime: map[string]any{"params": []any{"{{title}}"}}, inputs: map[string]any{"title": hostile}}},
		{"reference in SQL", "INSERT INTO t (v) VALUES (${inputs.title})", node{inputs: map[string]any{"title": hostile}}},
		{"reference alone in a literal", "INSERT INTO t (v) VALUES ('{{title}}')", node{inputs: map[string]any{"title": hostile}}},
		{"reference alone in a literal, closing it", "INSERT INTO t (v) VALUES ('{{title}}')", node{inputs: map[string]any{"title": hostileInLiteral}}},
		{"bare variable", "INSERT INTO t (v) VALUES (${TITLE})", node{vars: map[string]any{"TITLE": hostile}}},
		{"params template around it", "INSERT INTO t (v) VALUES ($1)", node{runtime: map[string]any{"params": []any{"x{{title}}"}}, inputs: map[string]any{"title": hostile}}},
	}
	for _, b := range backends(t) {
		for _, c := range cases {
			t.Run(b.name+"/"+c.name, func(t *testing.T) {
				b.exec(t, "CREATE TABLE IF NOT EXISTS t (v TEXT)")
				b.exec(t, "DELETE FROM t")
				c.n.runtime = merge(c.n.runtime, map[string]any{"query": c.query})
				out, err := b.run(t.Context(), c.n)
				if err != nil {
					t.Fatal(err)
				}
				if out["rows_affected"] != int64(1) {
					t.Errorf("rows_affected = %v, want 1", out["rows_affected"])
				}
				var got string
				if err := b.direct.QueryRow("SELECT v FROM t").Scan(&got); err != nil {
					t.Fatalf("the table did not survive: %v", err)
				}
				want, _ := c.n.inputs["title"].(string)
				if want == "" {
					want, _ = c.n.vars["TITLE"].(string)
				}
				if !strings.HasSuffix(got, want) {
					t.Errorf("stored %q, want the value as text", got)
				}
			})
		}
	}
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestExecute_transaction: with transaction: true a failing statement
// rolls back the ones before it; without, they stay.
func TestExecute_transaction(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		for _, tx := range []bool{true, false} {
			t.Run(b.name+"/transaction="+map[bool]string{true: "true", false: "false"}[tx], func(t *testing.T) {
				b.exec(t, "CREATE TABLE IF NOT EXISTS acct (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))")
				b.exec(t, "DELETE FROM acct")
				b.exec(t, "INSERT INTO acct VALUES (1, 100), (2, 0)")
				_, err := b.run(t.Context(), node{runtime: map[string]any{"transaction": tx, "statements": []any{
					"UPDATE acct SET balance = balance + 50 WHERE id = 2",
					"UPDATE acct SET balance = balance - 150 WHERE id = 1", // violates the CHECK
				}}})
				if err == nil || code(err) != CodeSQL {
					t.Fatalf("err = %v (code %q), want a SQL error", err, code(err))
				}
				if !strings.Contains(err.Error(), "statement 2 of 2") {
					t.Errorf("error %q does not say which statement failed", err)
				}
				if tx != strings.Contains(err.Error(), "rolled back") {
					t.Errorf("error %q: rolled back should be said only with a transaction", err)
				}
				var second int
				if err := b.direct.QueryRow("SELECT balance FROM acct WHERE id = 2").Scan(&second); err != nil {
					t.Fatal(err)
				}
				if want := map[bool]int{true: 0, false: 50}[tx]; second != want {
					t.Errorf("balance of 2 = %d, want %d", second, want)
				}
			})
		}
	}
}

// TestExecute_params: one params list serves several statements, each
// taking the $N it uses; a statement's own params are exact.
func TestExecute_params(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			out, err := b.run(t.Context(), node{runtime: map[string]any{"params": []any{"a", 2}, "statements": []any{
				"CREATE TABLE kv (k TEXT, v INTEGER)",
				"INSERT INTO kv VALUES ($1, $2)",
				map[string]any{"query": "INSERT INTO kv VALUES ($1, 3)", "params": []any{"b"}},
				"SELECT k FROM kv WHERE v >= $2 ORDER BY k",
			}}})
			if err != nil {
				t.Fatal(err)
			}
			if out["row_count"] != int64(2) || out["rows_affected"] != int64(2) {
				t.Errorf("outputs = %v", out)
			}
			_, err = b.run(t.Context(), node{runtime: map[string]any{"query": "SELECT $1", "params": []any{1, 2}}})
			if err == nil || !strings.Contains(err.Error(), "params has 2 values but the SQL uses parameters up to $1") {
				t.Errorf("too many params: %v", err)
			}
			_, err = b.run(t.Context(), node{runtime: map[string]any{"query": "SELECT :missing"}})
			if err == nil || !strings.Contains(err.Error(), "neither params.missing nor an input missing") {
				t.Errorf("a name nothing gives: %v", err)
			}
		})
	}
}

// TestExecute_limits: past max_rows or max_bytes the attempt fails,
// saying which limit; at the limit it succeeds.
func TestExecute_limits(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			b.exec(t, "CREATE TABLE big (n INTEGER, s TEXT)")
			for i := range 20 {
				b.exec(t, "INSERT INTO big VALUES ($1, $2)", i, strings.Repeat("x", 100))
			}
			cases := []struct {
				rt      map[string]any
				wantErr string
			}{
				{map[string]any{"max_rows": 20}, ""},
				{map[string]any{"max_rows": 19}, "more than 19 rows (runtime.max_rows)"},
				{map[string]any{"max_bytes": 100_000}, ""},
				{map[string]any{"max_bytes": 1000}, "passed 1000 bytes as JSON at row 9 (runtime.max_bytes)"},
			}
			for _, c := range cases {
				c.rt["query"] = "SELECT n, s FROM big ORDER BY n"
				out, err := b.run(t.Context(), node{runtime: c.rt})
				switch {
				case c.wantErr == "" && err != nil:
					t.Errorf("%v: %v", c.rt, err)
				case c.wantErr == "" && out["row_count"] != int64(20):
					t.Errorf("%v: row_count = %v, want 20", c.rt, out["row_count"])
				case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr) || code(err) != CodeTooLarge):
					t.Errorf("%v: err = %v (%s), want %q", c.rt, err, code(err), c.wantErr)
				}
			}
			// The default: 10,000 rows.
			q := "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < $1) SELECT n FROM c"
			if _, err := b.run(t.Context(), node{runtime: map[string]any{"query": q, "params": []any{10_000}}}); err != nil {
				t.Errorf("10,000 rows: %v", err)
			}
			_, err := b.run(t.Context(), node{runtime: map[string]any{"query": q, "params": []any{10_001}}})
			if code(err) != CodeTooLarge || !strings.Contains(err.Error(), "more than 10000 rows") {
				t.Errorf("10,001 rows: err = %v, want the default limit", err)
			}
		})
	}
}

// TestExecute_outputs: rows are JSON-typed, and declared outputs are read
// from the first row's columns.
func TestExecute_outputs(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			b.exec(t, "CREATE TABLE items (id INTEGER, name TEXT, price DOUBLE PRECISION, note TEXT)")
			b.exec(t, "INSERT INTO items VALUES (1, 'bolt', 0.25, NULL), (2, 'nut', 0.1, 'm8')")
			out, err := b.run(t.Context(), node{runtime: map[string]any{"query": "SELECT id, name, price, note FROM items ORDER BY id"},
				outputs: []string{"name", "price", "missing"}})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]any{
				"rows": []any{
					map[string]any{"id": int64(1), "name": "bolt", "price": 0.25, "note": nil},
					map[string]any{"id": int64(2), "name": "nut", "price": 0.1, "note": "m8"},
				},
				"row_count": int64(2), "rows_affected": int64(0), "name": "bolt", "price": 0.25,
			}
			if d := cmp.Diff(want, out); d != "" {
				t.Errorf("outputs (-want +got):\n%s", d)
			}
			// One declared output that is no column gets the rows.
			out, err = b.run(t.Context(), node{runtime: map[string]any{"query": "SELECT id FROM items ORDER BY id"}, outputs: []string{"items"}})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(out["rows"], out["items"]); d != "" || out["row_count"] != int64(2) {
				t.Errorf("items = %v, want the rows", out["items"])
			}
		})
	}
}

// TestExecute_timeout: a node's timeout reaches the query, which stops
// at once, classified TIMEOUT; a cancellation is CANCELLED.
func TestExecute_timeout(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			slow := "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) SELECT count(*) FROM c"
			if b.name == "postgresql" {
				slow = "SELECT pg_sleep(60)"
			}
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := b.run(ctx, node{runtime: map[string]any{"query": slow}})
			if code(err) != "TIMEOUT" {
				t.Fatalf("err = %v (%s), want TIMEOUT", err, code(err))
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("the query went on for %s after its deadline", d)
			}
			ctx, cancel = context.WithCancel(t.Context())
			go func() { time.Sleep(100 * time.Millisecond); cancel() }()
			if _, err := b.run(ctx, node{runtime: map[string]any{"query": slow}}); code(err) != "CANCELLED" {
				t.Errorf("cancelled: err = %v (%s), want CANCELLED", err, code(err))
			}
		})
	}
}
