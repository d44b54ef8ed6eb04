package engine_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/run"
)

// memJournal keeps a run's history in memory, as the store's recorder
// keeps it in its journal.
type memJournal struct {
	mu     sync.Mutex
	steps  [][]byte
	groups []run.ProcessGroup
}

func (j *memJournal) Step(step []byte, _ []run.Event) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.steps = append(j.steps, append([]byte(nil), step...))
}

func (j *memJournal) Group(g run.ProcessGroup) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.groups = append(j.groups, g)
}

// rerun runs the same workflow in the same directory again, replaying the
// first run's history.
func rerun(t *testing.T, first *runResult, src string, j *memJournal, opts ...options) *runResult {
	t.Helper()
	r := runYAML(t, src, append([]options{func(o *engine.Options) {
		o.Workdir = first.dir
		o.Env["DIR"] = first.dir
		o.Replay = j.steps
		o.Journal = j
	}}, opts...)...)
	r.dir = first.dir
	return r
}

const chainSrc = head + `
nodes:
  - {id: a, type: cli, runtime: {command: "echo a >> $DIR/log; echo v=1 >> $OSOP_OUTPUT"}, outputs: [v]}
  - {id: b, type: cli, runtime: {command: "echo b{{v}} >> $DIR/log"}}
  - {id: c, type: cli, runtime: {command: "test -f $DIR/fixed && echo c >> $DIR/log"}}
  - {id: d, type: cli, runtime: {command: "echo d >> $DIR/log"}}
edges: [{from: a, to: b}, {from: b, to: c}, {from: c, to: d}]
`

// TestReplayResumes: a failed run, replayed, runs only what had not
// completed, numbering attempts after the earlier ones; retry from a node
// runs it and what follows, nothing before.
func TestReplayResumes(t *testing.T) {
	j := &memJournal{}
	first := runYAML(t, chainSrc, func(o *engine.Options) { o.Journal = j })
	if first.Status != run.Failed || strings.Join(first.log(t), " ") != "a b1" {
		t.Fatalf("first run %s, log %v", first.Status, first.log(t))
	}
	if err := os.WriteFile(filepath.Join(first.dir, "fixed"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	again := rerun(t, first, chainSrc, j)
	if again.Status != run.Completed || strings.Join(again.log(t), " ") != "a b1 c d" {
		t.Fatalf("resumed run %s, log %v", again.Status, again.log(t))
	}
	if again.attempts("c") != 2 || again.attempts("a") != 1 {
		t.Errorf("attempts: a %d, c %d; want 1 and 2", again.attempts("a"), again.attempts("c"))
	}
	retried := rerun(t, first, chainSrc, j, func(o *engine.Options) { o.RetryFrom = "c" })
	if got := strings.Join(retried.log(t), " "); got != "a b1 c d c d" {
		t.Errorf("retry from c: log %q", got)
	}
	if retried.attempts("c") != 3 || retried.attempts("d") != 2 {
		t.Errorf("retry from c: attempts c %d, d %d; want 3 and 2", retried.attempts("c"), retried.attempts("d"))
	}
}

// TestReplayKeepsPastDecisions: a condition reading the environment
// decided the first run's path; replaying it under another environment
// keeps that path (the answer is in the history), so the completed branch
// is not run again and the one not taken stays so.
func TestReplayKeepsPastDecisions(t *testing.T) {
	src := head + `
nodes:
  - {id: gate, type: cli, runtime: {command: "echo gate >> $DIR/log"}}
  - {id: blue, type: cli, runtime: {command: "echo blue >> $DIR/log"}}
  - {id: green, type: cli, runtime: {command: "echo green >> $DIR/log"}}
  - {id: last, type: cli, runtime: {command: "test -f $DIR/fixed && echo last >> $DIR/log"}}
edges:
  - {from: gate, to: blue, mode: conditional, when: "env.COLOR == 'blue'"}
  - {from: gate, to: green, mode: conditional, when: "env.COLOR == 'green'"}
  - {from: blue, to: last}
`
	j := &memJournal{}
	first := runYAML(t, src, func(o *engine.Options) { o.Journal = j; o.Env["COLOR"] = "blue" })
	if first.Status != run.Failed || strings.Join(first.log(t), " ") != "gate blue" {
		t.Fatalf("first run %s, log %v", first.Status, first.log(t))
	}
	if err := os.WriteFile(filepath.Join(first.dir, "fixed"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	again := rerun(t, first, src, j, func(o *engine.Options) { o.Env["COLOR"] = "green" })
	if got := strings.Join(again.log(t), " "); got != "gate blue last" || again.Status != run.Completed {
		t.Errorf("resumed under another environment: log %q, run %s", got, again.Status)
	}
	if again.status("green") != run.Skipped {
		t.Errorf("green is %s", again.status("green"))
	}
}

// TestJournalHearsOfProcessGroups: every process group a node starts is
// journaled when it starts and when it is gone.
func TestJournalHearsOfProcessGroups(t *testing.T) {
	j := &memJournal{}
	runYAML(t, head+`
nodes: [{id: a, type: cli, runtime: {command: "true"}}]
`, func(o *engine.Options) { o.Journal = j })
	if len(j.groups) != 2 || !j.groups[0].Running || j.groups[1].Running || j.groups[0].Node != "a" ||
		j.groups[0].Attempt != 1 || j.groups[0].PGID == 0 || j.groups[0].Start == 0 {
		t.Errorf("groups %+v", j.groups)
	}
}
