package machine_test

import (
	"fmt"

	"testing"

	"github.com/osopdev/osop/internal/machine"
	"github.com/osopdev/osop/internal/run"
)

func verdicts(vs ...string) []outcome {
	out := make([]outcome, len(vs))
	for k, v := range vs {
		out[k] = ok(map[string]any{"verdict": v})
	}
	return out
}

const reviewLoop = `nodes:
  - {id: revise, type: cli}
  - {id: review, type: cli, outputs: [verdict]}
  - {id: publish, type: cli}
edges:
  - {from: revise, to: review}
  - {from: review, to: revise, mode: conditional, when: "verdict == 'reject'"%s}
  - {from: review, to: publish, mode: conditional, when: "verdict == 'approve'"}`

func TestMachine_reworkLoops(t *testing.T) {
	cases := []simCase{{
		name:   "a review loop re-enters until it passes",
		src:    fmt.Sprintf(reviewLoop, ""),
		script: map[string][]outcome{"review": verdicts("reject", "reject", "approve")},
		starts: []string{"revise#1", "review#1", "revise@1#1", "review@1#1", "revise@2#1", "review@2#1", "publish#1"},
		finish: "finish COMPLETED",
		contains: []string{"emit message review: loop revise → review → revise: iteration 2 of at most 10",
			"emit message review: loop revise → review → revise: iteration 3 of at most 10"},
	}, {
		name:     "the edge's max_iterations bounds it: the node that would re-enter fails",
		src:      fmt.Sprintf(reviewLoop, ", max_iterations: 3"),
		script:   map[string][]outcome{"review": verdicts("reject")},
		starts:   []string{"revise#1", "review#1", "revise@1#1", "review@1#1", "revise@2#1", "review@2#1"},
		statuses: "review=FAILED publish=BLOCKED",
		finish: "finish FAILED: review: loop revise → review → revise reached its bound of 3 iterations and may not go round again " +
			"(set max_iterations on the edge review → revise at line 10, or run with --max-iterations N)",
	}, {
		name:     "the run's bound applies when nothing sets one",
		src:      fmt.Sprintf(reviewLoop, ""),
		opts:     machine.Options{LoopBound: 2},
		script:   map[string][]outcome{"review": verdicts("reject")},
		starts:   []string{"revise#1", "review#1", "revise@1#1", "review@1#1"},
		contains: []string{"emit node_finished review#1 FAILED LOOP_LIMIT: loop revise → review → revise reached its bound of 2 iterations"},
	}, {
		name: "the first node's max_iterations bounds it",
		src: `nodes:
  - {id: revise, type: cli, max_iterations: 2}
  - {id: review, type: cli, outputs: [verdict]}
edges:
  - {from: revise, to: review}
  - {from: review, to: revise, mode: conditional, when: "verdict == 'reject'"}`,
		script:   map[string][]outcome{"review": verdicts("reject")},
		starts:   []string{"revise#1", "review#1", "revise@1#1", "review@1#1"},
		statuses: "review=FAILED",
	}, {
		name: "a fallback loop re-extracts until validation passes; what follows waits for the last iteration",
		src: `nodes: [{id: extract, type: cli}, {id: validate, type: cli}, {id: load, type: cli}]
edges:
  - {from: extract, to: validate}
  - {from: validate, to: extract, mode: fallback}
  - {from: validate, to: load}`,
		script:   map[string][]outcome{"validate": {fails(run.CodeExit, false), fails(run.CodeExit, false), ok(nil)}},
		starts:   []string{"extract#1", "validate#1", "extract@1#1", "validate@1#1", "extract@2#1", "validate@2#1", "load#1"},
		statuses: "extract=COMPLETED validate=COMPLETED load=COMPLETED",
		finish:   "finish COMPLETED",
	}, {
		name: "a fallback loop that never passes fails with the node's error and the bound",
		src: `nodes: [{id: extract, type: cli}, {id: validate, type: cli}, {id: load, type: cli}]
edges:
  - {from: extract, to: validate}
  - {from: validate, to: extract, mode: fallback, max_iterations: 2}
  - {from: validate, to: load}`,
		script:   map[string][]outcome{"validate": {fails(run.CodeExit, false)}},
		starts:   []string{"extract#1", "validate#1", "extract@1#1", "validate@1#1"},
		statuses: "validate=FAILED load=BLOCKED",
		contains: []string{"emit node_finished validate#1 FAILED EXIT_CODE: failed with EXIT_CODE; loop extract → validate → extract reached its bound of 2"},
	}, {
		name: "a sequential back arc closes a loop a condition guards; a branch skipped in an earlier iteration is decided again",
		src: `nodes:
  - {id: draft, type: cli}
  - {id: review, type: cli, outputs: [verdict]}
  - {id: revise, type: cli}
  - {id: publish, type: cli}
edges:
  - {from: draft, to: review}
  - {from: review, to: revise, mode: conditional, when: "verdict == 'reject'"}
  - {from: review, to: publish, mode: conditional, when: "verdict == 'approve'"}
  - {from: revise, to: review}`,
		script:   map[string][]outcome{"review": verdicts("reject", "approve")},
		starts:   []string{"draft#1", "review#1", "revise#1", "review@1#1", "publish#1"},
		statuses: "draft=COMPLETED review=COMPLETED revise=SKIPPED publish=COMPLETED",
		finish:   "finish COMPLETED",
	}, {
		name: "nested loops: the inner loop counts afresh in each outer iteration",
		src: `nodes:
  - {id: plan, type: cli}
  - {id: write, type: cli}
  - {id: check, type: cli, outputs: [verdict]}
  - {id: ship, type: cli}
edges:
  - {from: plan, to: write}
  - {from: write, to: check}
  - {from: check, to: write, mode: conditional, when: "verdict == 'again'", max_iterations: 2}
  - {from: check, to: ship, mode: conditional, when: "verdict != 'again'"}
  - {from: ship, to: plan, mode: fallback, max_iterations: 2}`,
		script: map[string][]outcome{
			"check": verdicts("again", "ok", "again", "ok"),
			"ship":  {fails(run.CodeExit, false), ok(nil)},
		},
		starts: []string{"plan#1", "write#1", "check#1", "write@1#1", "check@1#1", "ship#1",
			"plan@1#1", "write@2#1", "check@2#1", "write@3#1", "check@3#1", "ship@1#1"},
		finish: "finish COMPLETED",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t) })
	}
}
