package runlogtest

import (
	"strings"
	"testing"
)

const good = `osoplog_version: "1.0"
run_id: r
workflow_id: w
status: FAILED
started_at: "2026-01-01T00:00:00.000Z"
ended_at: "2026-01-01T00:00:01.250Z"
duration_ms: 1250
node_records:
  - {node_id: a, node_type: cli, attempt: 1, status: FAILED, started_at: "2026-01-01T00:00:00.100Z", ended_at: "2026-01-01T00:00:00.350Z", duration_ms: 250, error: "boom", x-error-code: EXIT_CODE}
`

// TestProblems: the checks find each way a record can be wrong.
func TestProblems(t *testing.T) {
	t.Parallel()
	published := Published(t)
	for _, tt := range []struct {
		name, from, to, want string
	}{
		{"good", "", "", ""},
		{"a duration that disagrees", "duration_ms: 250", "duration_ms: 251", "node_records[0] (a): duration_ms 251"},
		{"the run's duration", "duration_ms: 1250", "duration_ms: 1000", "the run: duration_ms 1000"},
		{"times finer than the duration", `ended_at: "2026-01-01T00:00:01.250Z"`, `ended_at: "2026-01-01T00:00:01.2504Z"`, "the run: duration_ms 1250"},
		{"a time that is not RFC 3339", `ended_at: "2026-01-01T00:00:00.350Z"`, `ended_at: "soon"`, "are not RFC 3339"},
		{"an error object", `error: "boom"`, `error: {code: X, message: boom}`, "osop's osoplog schema: "},
		{"no end although ended", "duration_ms: 1250\n", "", "missing required field \"duration_ms\""},
		{"not YAML", "run_id: r", "run_id: [", "does not parse as an execution record"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := strings.Replace(good, tt.from, tt.to, 1)
			_, problems := Problems("r.osoplog.yaml", []byte(src), published)
			all := strings.Join(problems, "\n")
			if (tt.want == "") != (len(problems) == 0) || !strings.Contains(all, tt.want) {
				t.Errorf("problems:\n%s\nwant one with %q", all, tt.want)
			}
		})
	}
	if published != nil {
		// The published schema has no word for a record still being written.
		running := strings.Replace(strings.Replace(good, "status: FAILED\n", "status: RUNNING\n", 1), "duration_ms: 1250\n", "", 1)
		if _, p := Problems("r.osoplog.yaml", []byte(running), published); len(p) != 0 {
			t.Errorf("a RUNNING record is checked against osop's schema only: %v", p)
		}
		_, p := Problems("r.osoplog.yaml", []byte(strings.Replace(good, "node_type: cli", "node_type: gateway", 1)), published)
		if len(p) != 2 || !strings.Contains(p[1], "the published osoplog schema") {
			t.Errorf("gateway as node_type: %v", p)
		}
	}
}
