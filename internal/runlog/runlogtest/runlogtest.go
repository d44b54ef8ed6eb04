// Package runlogtest checks execution records in tests: against osop's
// osoplog schema, against the published one (from ../shared, when it is
// there), and for the rule that each duration_ms is exactly ended_at −
// started_at.
//
// It imports ast, parse, schema and shared.
package runlogtest

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/schema"
	"github.com/osopdev/osop/internal/shared"
)

// T is the part of testing.TB the checks use.
type T interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Published returns the published osoplog schema, or nil (saying so
// through t) when ../shared/osop-spec is not there.
func Published(t T) []byte {
	t.Helper()
	dir, ok := shared.Lookup("osop-spec")
	if !ok {
		t.Logf("skipping the check against the published osoplog schema: osop-spec not found (looked in ../shared beside the module root, or $OSOP_SHARED)")
		return nil
	}
	src, err := os.ReadFile(filepath.Join(dir, "schema", "osoplog.schema.json"))
	if err != nil {
		t.Fatalf("the published osoplog schema: %v", err)
	}
	return src
}

// Check reads the record at path and fails t unless it parses, is valid
// against osop's osoplog schema and, once its run has ended, against the
// published one, and every duration agrees with its times.
func Check(t T, path string) *ast.Document {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v", err)
	}
	doc, problems := Problems(path, src, Published(t))
	for _, p := range problems {
		t.Errorf("%s", p)
	}
	if len(problems) > 0 {
		t.Logf("the record:\n%s", src)
	}
	return doc
}

// Problems returns what is wrong with the record src; published is the
// published schema's source, or nil to skip that check.
func Problems(path string, src, published []byte) (*ast.Document, []string) {
	doc, ds := parse.Bytes(path, src, parse.DefaultLimits)
	if doc == nil || doc.Log == nil || ds.HasErrors() {
		return doc, []string{fmt.Sprintf("%s does not parse as an execution record: %v", path, ds)}
	}
	var out []string
	for _, d := range schema.Check(path, doc.Root, schema.Log) {
		out = append(out, "osop's osoplog schema: "+d.Error())
	}
	status, _ := doc.Root.Get("status").String()
	if published != nil && status != "RUNNING" {
		ds, err := schema.CheckWith(path, doc.Root, published)
		if err != nil {
			return doc, append(out, err.Error())
		}
		for _, d := range ds {
			out = append(out, "the published osoplog schema: "+d.Error())
		}
	}
	out = append(out, durations(doc.Root, "the run")...)
	for i, r := range doc.Root.Get("node_records").Items {
		id, _ := r.Get("node_id").String()
		out = append(out, durations(r, fmt.Sprintf("node_records[%d] (%s)", i, id))...)
	}
	return doc, out
}

// durations checks that duration_ms is ended_at − started_at, to the
// millisecond and with nothing finer in the times.
func durations(m *ast.Value, what string) []string {
	s, _ := m.Get("started_at").String()
	e, _ := m.Get("ended_at").String()
	d := m.Get("duration_ms")
	if s == "" || e == "" || d == nil {
		return nil
	}
	ts, err1 := time.Parse(time.RFC3339Nano, s)
	te, err2 := time.Parse(time.RFC3339Nano, e)
	if err1 != nil || err2 != nil {
		return []string{fmt.Sprintf("%s: times %q, %q are not RFC 3339", what, s, e)}
	}
	diff := te.Sub(ts)
	if diff%time.Millisecond != 0 || d.Kind != ast.Int || d.Int != diff.Milliseconds() {
		return []string{fmt.Sprintf("%s: duration_ms %s, but ended_at − started_at = %s − %s = %v", what, d.Str, e, s, diff)}
	}
	return nil
}
