package machine_test

import (
	"testing"

	"github.com/osopdev/osop/internal/machine"
)

// TestMachine_skippedByPerson: a step a person skipped ends SKIPPED, and
// the run goes on past it as past a completed step: its sequential edges
// are taken, conditions on outputs it did not give are false, failure
// paths are not taken, and the run completes. Resumed, it stays skipped.
func TestMachine_skippedByPerson(t *testing.T) {
	src := `nodes:
  - {id: a, type: cli}
  - {id: step, type: human, outputs: [n]}
  - {id: next, type: cli}
  - {id: big, type: cli}
  - {id: rescue, type: cli}
edges:
  - {from: a, to: step}
  - {from: step, to: next}
  - {from: step, to: big, mode: conditional, when: "outputs.step.n > 3"}
  - {from: step, to: rescue, mode: fallback}
`
	c := simCase{
		src:      src,
		script:   map[string][]outcome{"step": {{skipped: "skipped by dana: not needed"}}},
		starts:   []string{"a#1", "step#1", "next#1"},
		statuses: "a=COMPLETED step=SKIPPED next=COMPLETED big=SKIPPED rescue=SKIPPED",
		finish:   "finish COMPLETED",
	}
	s := c.run(t)
	// Replayed and resumed, nothing runs again.
	r := newSim(t, head+src, machine.Options{}, nil)
	for _, e := range s.events {
		r.feed(e)
	}
	before := len(r.starts())
	r.finish = nil
	r.run(machine.Resume{})
	if got := r.starts()[before:]; len(got) != 0 {
		t.Errorf("resume started %v", got)
	}
	if got := r.statuses("step", "next"); got != "step=SKIPPED next=COMPLETED" {
		t.Errorf("after resume: %s", got)
	}
}
