package simulate

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
)

func TestSynthesize(t *testing.T) {
	specs := []executor.OutputSpec{{Name: "s", Type: "string"}, {Name: "i", Type: "integer"}, {Name: "f", Type: "number"},
		{Name: "b", Type: "boolean"}, {Name: "l", Type: "array"}, {Name: "o", Type: "object"}, {Name: "e", Type: "string", Enum: []any{"red", "blue"}}}
	got := Synthesize(specs, []string{"s", "i", "f", "b", "l", "o", "e", "untyped"})
	want := map[string]any{"s": "simulated s", "i": int64(1), "f": 1.0, "b": true, "l": []any{}, "o": map[string]any{},
		"e": "red", "untyped": "simulated untyped"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// TestSim_outcomes: each attempt takes the scenario's next outcome, the
// last repeating; the result is what a real executor of that outcome
// gives (a classified error the machine retries or routes).
func TestSim_outcomes(t *testing.T) {
	no := false
	sc := NewScenario(map[string][]Outcome{
		"flaky": {{Status: Failed}, {Status: Failed}, {Outputs: map[string]any{"n": 3}}},
		"slow":  {{Status: Timeout}},
		"hard":  {{Status: Failed, Error: "boom", Code: "HTTP_4XX", Retryable: &no}},
		"skip":  {{Status: Skipped}},
	})
	reg := Registry(executor.NewRegistry(), sc)
	exec := func(node string) (*executor.Result, error) {
		ex, ok := reg.For(executor.NodeConfig{ID: node, Type: "cli"})
		if !ok {
			t.Fatal("no simulated executor")
		}
		return ex.Execute(context.Background(), &executor.Request{NodeID: node, NodeType: "cli", Outputs: []string{"n"},
			Stderr: &bytes.Buffer{}})
	}
	codeOf := func(err error) (string, bool) {
		var e *executor.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v is not classified", err)
		}
		return e.Code, e.Retryable
	}
	for range 2 {
		if _, err := exec("flaky"); err == nil {
			t.Fatal("flaky: an attempt the scenario fails succeeded")
		}
	}
	for range 2 { // the last outcome repeats
		res, err := exec("flaky")
		if err != nil || res.Outputs["n"] != 3 || res.Outputs["exit_code"] != nil {
			t.Fatalf("flaky: %v, %v", res, err)
		}
	}
	if _, err := exec("slow"); err == nil {
		t.Fatal("slow did not time out")
	} else if code, retry := codeOf(err); code != run.CodeTimeout || !retry {
		t.Fatalf("slow: %s %v", code, retry)
	}
	if _, err := exec("hard"); err == nil || err.Error() != "boom" {
		t.Fatalf("hard: %v", err)
	} else if code, retry := codeOf(err); code != "HTTP_4XX" || retry {
		t.Fatalf("hard: %s %v", code, retry)
	}
	if res, err := exec("skip"); err != nil || res.Skipped == "" {
		t.Fatalf("skip: %v, %v", res, err)
	}
	if res, err := exec("other"); err != nil || res.Outputs["n"] != "simulated n" {
		t.Fatalf("a node the scenario does not name: %v, %v", res, err)
	}
}
