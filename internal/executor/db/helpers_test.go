package db

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/secret"
	"github.com/osopdev/osop/internal/template"
)

// backend is a real database a test runs against: a SQLite file, or a
// schema of its own on the PostgreSQL server test/pg.sh starts.
type backend struct {
	name    string
	runtime map[string]any // engine and connection (password as ${secrets.PGPW})
	secrets map[string]string
	direct  *sql.DB // for the test's own setup and checks
	workdir string
}

// backends returns SQLite and, when test/pg.sh started a server,
// PostgreSQL. Each test gets its own file or schema.
func backends(t *testing.T) []*backend {
	t.Helper()
	out := []*backend{sqliteBackend(t)}
	if pg := postgresBackend(t, false); pg != nil {
		out = append(out, pg)
	}
	return out
}

func sqliteBackend(t testing.TB) *backend {
	dir := t.TempDir()
	direct, err := sql.Open("sqlite", filepath.Join(dir, "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close() })
	return &backend{name: "sqlite", workdir: dir, direct: direct,
		runtime: map[string]any{"engine": "sqlite", "connection": "sqlite://test.db"}}
}

// postgresBackend connects to $OSOP_TEST_PG_DSN and makes a schema for
// the test. Without the server it returns nil, or skips when required.
func postgresBackend(t *testing.T, required bool) *backend {
	t.Helper()
	dsn, pw := os.Getenv("OSOP_TEST_PG_DSN"), os.Getenv("OSOP_TEST_PG_PASSWORD")
	if dsn == "" || pw == "" {
		if required {
			t.Skip("skipping: no PostgreSQL server (OSOP_TEST_PG_DSN is unset); run under test/pg.sh, which starts one on 127.0.0.1")
		}
		t.Log("PostgreSQL cases skipped: OSOP_TEST_PG_DSN is unset (run under test/pg.sh)")
		return nil
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	direct, err := sql.Open("pgx", dsn+"&search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := direct.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = direct.Exec("DROP SCHEMA " + schema + " CASCADE")
		direct.Close()
	})
	conn := strings.Replace(dsn, ":"+pw+"@", ":${secrets.PGPW}@", 1) + "&search_path=" + schema
	return &backend{name: "postgresql", workdir: t.TempDir(), direct: direct, secrets: map[string]string{"PGPW": pw},
		runtime: map[string]any{"engine": "postgresql", "connection": conn}}
}

var _ = stdlib.GetDefaultDriver // registers the "pgx" driver for direct connections

// exec runs setup SQL directly, with ? or $1 written for the engine.
func (b *backend) exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if b.name == "sqlite" {
		query = strings.NewReplacer("$1", "?", "$2", "?", "$3", "?").Replace(query)
	}
	if _, err := b.direct.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// node is a test's db node: its runtime (merged over the backend's) and
// the run it is part of.
type node struct {
	runtime map[string]any
	inputs  map[string]any
	vars    map[string]any // what bare names and namespaces resolve to
	outputs []string
}

// request builds the attempt the engine would: templates resolve from
// n.vars, n.inputs and the backend's secrets, which are masked.
func (b *backend) request(n node) (*executor.Request, *bytes.Buffer, *bytes.Buffer) {
	rt := map[string]any{}
	for k, v := range b.runtime {
		rt[k] = v
	}
	for k, v := range n.runtime {
		rt[k] = v
	}
	var m secret.Masker
	for _, v := range b.secrets {
		m.Add(v)
	}
	resolve := func(r template.Ref) (string, bool) {
		switch r.Namespace {
		case "secrets":
			v, ok := b.secrets[r.Head()]
			return v, ok
		case "inputs":
			v, ok := n.inputs[r.Head()]
			return fmt.Sprint(v), ok
		}
		if v, ok := n.vars[r.Name()]; ok {
			return fmt.Sprint(v), true
		}
		v, ok := n.inputs[r.Name()]
		if !ok && r.HasDefault {
			return r.Default, true
		}
		return fmt.Sprint(v), ok
	}
	var stdout, stderr bytes.Buffer
	req := &executor.Request{
		NodeID: "q", NodeType: "db", Attempt: 1, Runtime: rt, Inputs: n.inputs, Outputs: n.outputs,
		Workdir: b.workdir, Mask: m.Mask, Stdout: &stdout, Stderr: &stderr,
		Expand: func(s string) (string, error) {
			v, missing := template.Expand(s, resolve)
			if len(missing) > 0 {
				return "", fmt.Errorf("nothing gives %s", missing[0].Text)
			}
			return v, nil
		},
	}
	return req, &stdout, &stderr
}

// run executes a node on the backend.
func (b *backend) run(ctx context.Context, n node) (map[string]any, error) {
	req, _, _ := b.request(n)
	res, err := (&Query{}).Execute(ctx, req)
	if err != nil {
		return nil, err
	}
	return res.Outputs, nil
}

func code(err error) string {
	var e *executor.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
