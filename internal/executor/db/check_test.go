package db

import (
	"sort"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/executor"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	pg := "postgres://app:${secrets.DB_PW}@db:5432/shop"
	cases := []struct {
		name    string
		runtime map[string]any
		want    []string // "path: substring"; none means no problem
	}{
		{"postgres", map[string]any{"engine": "postgresql", "connection": pg, "query": "SELECT 1"}, nil},
		{"pgvector is postgres", map[string]any{"engine": "pgvector", "connection": pg, "query": "SELECT 1"}, nil},
		{"engine from the scheme", map[string]any{"connection": pg, "query": "SELECT 1"}, nil},
		{"sqlite path", map[string]any{"connection": "data/app.db", "query": "SELECT 1"}, nil},
		{"whole DSN a secret", map[string]any{"engine": "postgres", "connection": "${secrets.DATABASE_URL}", "query": "SELECT 1"}, nil},
		{"password field", map[string]any{"engine": "postgres", "connection": "postgres://app@db/shop", "password": "${secrets.PW}", "query": "SELECT 1"}, nil},
		{"bigquery", map[string]any{"engine": "bigquery", "connection": "project.dataset.t", "query": "SELECT 1"},
			[]string{"runtime.engine: osop does not speak bigquery"}},
		{"snowflake", map[string]any{"engine": "Snowflake", "connection": "x", "query": "SELECT 1"},
			[]string{"runtime.engine: osop does not speak Snowflake"}},
		{"redis by scheme", map[string]any{"connection": "redis://cache:6379", "query": "GET x"},
			[]string{"runtime.connection: osop does not speak redis"}},
		{"literal password", map[string]any{"connection": "postgres://app:hunter2@db/shop", "query": "SELECT 1"},
			[]string{"runtime.connection: the connection string holds a password written in the file"}},
		{"literal password, query form", map[string]any{"connection": "postgres://db/shop?user=app&password=hunter2", "query": "SELECT 1"},
			[]string{"runtime.connection: the connection string holds a password"}},
		{"literal password, keyword form", map[string]any{"engine": "postgres", "connection": "host=db user=app password='hunter 2'", "query": "SELECT 1"},
			[]string{"runtime.connection: the connection string holds a password"}},
		{"password from a variable", map[string]any{"connection": "postgres://app:{{DB_PW}}@db/shop", "query": "SELECT 1"},
			[]string{"runtime.connection: the password in the connection string comes from {{DB_PW}}, which is not a secret"}},
		{"password field not a secret", map[string]any{"engine": "postgres", "connection": "postgres://app@db/shop", "password": "hunter2", "query": "SELECT 1"},
			[]string{"runtime.password: the password must come from a secret"}},
		{"no engine", map[string]any{"connection": "warehouse", "query": "SELECT 1"}, []string{"runtime: a db node needs runtime.engine"}},
		{"no connection", map[string]any{"engine": "sqlite", "query": "SELECT 1"}, []string{"runtime: a db node needs runtime.connection"}},
		{"no SQL (the corpus's descriptions)", map[string]any{"engine": "postgresql", "connection": "postgresql://warehouse:5432/inventory"},
			[]string{"runtime: a db node needs runtime.query or runtime.statements"}},
		{"query and statements", map[string]any{"connection": pg, "query": "SELECT 1", "statements": []any{"SELECT 2"}},
			[]string{"runtime.statements: write query or statements, not both"}},
		{"spliced into a literal", map[string]any{"connection": pg, "query": "SELECT * FROM t WHERE name LIKE '${inputs.prefix}%'"},
			[]string{"runtime.query: ${inputs.prefix} is inside the string literal"}},
		{"spliced into a name", map[string]any{"connection": pg, "statements": []any{"SELECT 1", map[string]any{"query": "DROP TABLE tmp_${RUN_ID}"}}},
			[]string{"runtime.statements.1: ${RUN_ID} is inside a name"}},
		{"bad limits", map[string]any{"connection": pg, "query": "SELECT 1", "max_rows": 0, "max_bytes": "lots", "transaction": "yes"},
			[]string{"runtime.max_rows: max_rows must be a positive whole number", "runtime.max_bytes: max_bytes must be a positive whole number", "runtime.transaction: transaction must be true or false"}},
		{"unknown setting", map[string]any{"connection": pg, "qurey": "SELECT 1"},
			[]string{"runtime: a db node needs runtime.query", "runtime.qurey: unknown db setting"}},
		{"a migration tool", map[string]any{"engine": "postgresql", "action": "migrate", "command": "npm run db:migrate"}, nil},
		{"a migration tool with no command", map[string]any{"engine": "postgresql", "action": "migrate", "command": ""},
			[]string{"runtime.command: the command is empty"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ps := (&Query{}).Check(executor.NodeConfig{ID: "q", Type: "db", Runtime: c.runtime})
			var got []string
			for _, p := range ps {
				got = append(got, strings.Join(p.Path, ".")+": "+p.Summary)
			}
			sort.Strings(got)
			sort.Strings(c.want)
			if len(got) != len(c.want) {
				t.Fatalf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
			for i, w := range c.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %d = %q, want it to start %q", i, got[i], w)
				}
			}
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"postgres://app:hunter2@db:5432/shop":           "postgres://app:***@db:5432/shop",
		"postgres://app:p:w@db/shop?sslmode=disable":    "postgres://app:***@db/shop?sslmode=disable",
		"postgres://app@db/shop?password=hunter2&x=1":   "postgres://app@db/shop?password=***&x=1",
		"postgres://app@db/shop":                        "postgres://app@db/shop",
		"host=db user=app password=hunter2 dbname=shop": "host=db user=app password=*** dbname=shop",
		"host=db password='hunter 2' user=app":          "host=db password=*** user=app",
		"sqlite://data/app.db":                          "sqlite://data/app.db",
	}
	for in, want := range cases {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExecute_passwordNotASecret: a password that reaches the connection
// string from anything but a secret is refused before anything connects.
func TestExecute_passwordNotASecret(t *testing.T) {
	t.Parallel()
	b := &backend{name: "postgresql", workdir: t.TempDir(), runtime: map[string]any{"engine": "postgresql", "connection": "${DSN}"}}
	req, _, _ := b.request(node{runtime: map[string]any{"query": "SELECT 1"}, vars: map[string]any{"DSN": "postgres://app:hunter2@127.0.0.1:1/x"}})
	_, err := (&Query{}).Execute(t.Context(), req)
	if err == nil || !strings.Contains(err.Error(), "does not come from a secret") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v, want a refusal that does not show the password", err)
	}
	if _, err := (&Query{}).Describe(req); err == nil {
		t.Errorf("Describe shows a connection whose password is no secret")
	}
}
