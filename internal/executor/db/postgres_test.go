package db

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPostgres_types: each PostgreSQL type comes out as the JSON value a
// condition can use, and text bound to a typed column (a template in the
// SQL, as the corpus writes WHERE fiscal_year = ${FISCAL_YEAR}) is cast by
// the server, not spliced.
func TestPostgres_types(t *testing.T) {
	t.Parallel()
	b := postgresBackend(t, true)
	b.exec(t, `CREATE TABLE metrics (fiscal_year int, n bigint, ok boolean, amount numeric, big numeric, ratio double precision,
		doc jsonb, tags text[], id uuid, at timestamptz, raw bytea)`)
	b.exec(t, `INSERT INTO metrics VALUES (2025, 9007199254740993, true, 12.50, 123456789012345678901234567890.5, 0.5,
		'{"scope": 1, "ok": [true]}', '{a,b}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2025-01-02T03:04:05Z', '\x00ff')`)
	out, err := b.run(t.Context(), node{
		runtime: map[string]any{"query": "SELECT * FROM metrics WHERE fiscal_year = ${FISCAL_YEAR}"},
		vars:    map[string]any{"FISCAL_YEAR": "2025"},
		outputs: []string{"doc", "ok"},
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := out["rows"].([]any)
	if len(rows) != 1 {
		t.Fatalf("rows = %v, want one", rows)
	}
	want := map[string]any{
		"fiscal_year": int64(2025), "n": int64(9007199254740993), "ok": true, "amount": 12.5,
		"big":   "123456789012345678901234567890.5", // no float64 holds it: kept exact, as text
		"ratio": 0.5, "doc": map[string]any{"scope": float64(1), "ok": []any{true}}, "tags": "{a,b}",
		"id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "at": "2025-01-02T03:04:05Z", "raw": "AP8=",
	}
	got := rows[0].(map[string]any)
	if at, ok := got["at"].(string); ok {
		if ts, err := time.Parse(time.RFC3339Nano, at); err == nil {
			got["at"] = ts.UTC().Format(time.RFC3339Nano)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("row (-want +got):\n%s", d)
	}
	if out["ok"] != true || out["doc"] == nil {
		t.Errorf("declared outputs ok, doc = %v, %v", out["ok"], out["doc"])
	}
	// A list input binds as JSON, which a jsonb parameter reads.
	out, err = b.run(t.Context(), node{runtime: map[string]any{"query": "SELECT jsonb_array_length(:items::jsonb) AS n, :items::jsonb -> 1 ->> 'sku' AS second"},
		inputs: map[string]any{"items": []any{map[string]any{"sku": "a"}, map[string]any{"sku": "b'; --"}}}, outputs: []string{"n", "second"}})
	if err != nil || out["n"] != int64(2) || out["second"] != "b'; --" {
		t.Errorf("jsonb from a list: %v, %v", out, err)
	}
	// A value that is no integer is refused by the server, as a value.
	_, err = b.run(t.Context(), node{runtime: map[string]any{"query": "SELECT * FROM metrics WHERE fiscal_year = ${FISCAL_YEAR}"},
		vars: map[string]any{"FISCAL_YEAR": "2025 OR 1=1"}})
	if code(err) != CodeSQL || !strings.Contains(err.Error(), "invalid input syntax for type integer") {
		t.Errorf("err = %v, want the server to refuse the text as an integer", err)
	}
}

// TestPostgres_cancelReachesServer: when the node's time runs out, the
// statement stops on the server too, not only in osop.
func TestPostgres_cancelReachesServer(t *testing.T) {
	t.Parallel()
	b := postgresBackend(t, true)
	marker := fmt.Sprintf("osop_cancel_%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	_, err := b.run(ctx, node{runtime: map[string]any{"query": "SELECT pg_sleep(60) /* " + marker + " */"}})
	if code(err) != "TIMEOUT" {
		t.Fatalf("err = %v, want TIMEOUT", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := b.direct.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%' || $1 || '%' AND state = 'active' AND pid <> pg_backend_pid()", marker).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sleeping statement is still running on the server 10 s after the node's timeout")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPostgres_passwordNeverShown: the password is in no description,
// error or output, whether the query works, fails, or the login is wrong.
func TestPostgres_passwordNeverShown(t *testing.T) {
	t.Parallel()
	b := postgresBackend(t, true)
	pw := b.secrets["PGPW"]
	check := func(what, s string) {
		t.Helper()
		if strings.Contains(s, pw) {
			t.Errorf("%s shows the password: %s", what, s)
		}
	}
	for _, q := range []string{"SELECT 1 AS one", "SELECT * FROM no_such_table"} {
		req, stdout, stderr := b.request(node{runtime: map[string]any{"query": q}})
		d, err := (&Query{}).Describe(req)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(d, "osop:***@127.0.0.1") {
			t.Errorf("description %q does not show the connection with its password hidden", d)
		}
		check("the description", d)
		_, err = (&Query{}).Execute(t.Context(), req)
		if err != nil {
			check("the error", err.Error())
		}
		check("stdout", stdout.String())
		check("stderr", stderr.String())
	}
	// A wrong password: the server refuses the login; no password shows.
	wrong := &backend{name: b.name, workdir: b.workdir, runtime: b.runtime, secrets: map[string]string{"PGPW": "wrong-" + pw}}
	_, err := wrong.run(t.Context(), node{runtime: map[string]any{"query": "SELECT 1"}})
	if err == nil || !strings.Contains(err.Error(), "password authentication failed") {
		t.Fatalf("err = %v, want a refused login", err)
	}
	check("the login error", err.Error())
	if strings.Contains(err.Error(), "wrong-") {
		t.Errorf("the login error shows the wrong password: %v", err)
	}
}

// TestPostgres_unreachable: a server that is not there is a retryable
// connection failure, named.
func TestPostgres_unreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	b := &backend{name: "postgresql", workdir: t.TempDir(), secrets: map[string]string{"PGPW": "s3cret-pw"},
		runtime: map[string]any{"engine": "postgresql", "connection": "postgres://osop:${secrets.PGPW}@" + addr + "/x?sslmode=disable&connect_timeout=5"}}
	req, _, _ := b.request(node{runtime: map[string]any{"query": "SELECT 1"}})
	_, err = (&Query{}).Execute(t.Context(), req)
	if code(err) != "CONNECTION_REFUSED" {
		t.Fatalf("err = %v (%s), want CONNECTION_REFUSED", err, code(err))
	}
	if !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("err = %v: want the address, not the password", err)
	}
}
