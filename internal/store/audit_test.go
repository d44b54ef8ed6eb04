package store

import (
	"strings"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// TestEachTextSeesEveryColumn: the audit reads tables and columns from
// the database itself, those this package did not create included.
func TestEachTextSeesEveryColumn(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	r := &Run{ID: "r1", WorkflowID: "wf", Status: run.Running, StartedAt: time.Now(),
		Params: Params{Vars: map[string]string{"A": "needle-in-params"},
			Secrets:  []SecretSource{{Name: "T", From: FromFile, Path: "/x/secrets.env"}},
			Redacted: []Redacted{{Kind: RedactedVar, Key: "A", Parts: []Part{{Text: "x"}, {Secret: "T"}}}}}}
	if err := st.CreateRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := st.db.ExecContext(ctx, `CREATE TABLE "odd ""name""" (n INTEGER, "b c" BLOB); INSERT INTO "odd ""name""" VALUES (42, X'6E6565646C652D696E2D626C6F62')`); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	err := st.EachText(ctx, func(table, column, value string) {
		seen[table+"."+column] += value + "|"
	})
	if err != nil {
		t.Fatal(err)
	}
	for col, want := range map[string]string{
		"runs.params": "needle-in-params", "runs.id": "r1", `odd "name".n`: "42", `odd "name".b c`: "needle-in-blob",
	} {
		if !strings.Contains(seen[col], want) {
			t.Errorf("%s: %q, want it to hold %q (saw %d columns)", col, seen[col], want, len(seen))
		}
	}
	for _, col := range []string{"attempts.stdout", "signals.data", "approvals.comment", "locks.key"} {
		if _, ok := seen[col]; ok {
			t.Errorf("%s has no rows, so no values", col)
		}
	}
	got, err := st.GetRun(ctx, "r1")
	if err != nil || len(got.Params.Secrets) != 1 || got.Params.Secrets[0].Path != "/x/secrets.env" || got.Params.Redacted[0].Parts[1].Secret != "T" {
		t.Errorf("params read back: %+v, %v", got.Params, err)
	}
}
