package engine_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/executor/all"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/runlog"
	"github.com/osopdev/osop/internal/secret"
	"github.com/osopdev/osop/internal/store"
)

// chain writes a workflow of n nodes, each after the one before.
func chain(n int, node func(i int) string) string {
	var b strings.Builder
	b.WriteString(head + "nodes:\n")
	for i := range n {
		b.WriteString(node(i))
	}
	b.WriteString("edges:\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  - {from: n%d, to: n%d}\n", i-1, i)
	}
	return b.String()
}

// benchRun runs a workflow with the store (its journal keeping the run's
// history) and the execution record attached, as `osop run` does.
func benchRun(b *testing.B, src string, maxParallel int) time.Duration {
	b.Helper()
	doc, ds := parse.Bytes("bench.osop.yaml", []byte(src), parse.Limits{MaxBytes: 64 << 20, MaxDepth: 64, MaxValues: 10_000_000})
	if doc.Workflow == nil || ds.HasErrors() {
		b.Fatal(ds)
	}
	dir := b.TempDir()
	st, err := store.Open(filepath.Join(dir, "osop.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	id := run.ID(fmt.Sprintf("bench-%d", time.Now().UnixNano()))
	if err := st.CreateRun(context.Background(), &store.Run{ID: id, WorkflowID: "t", Status: run.Running, StartedAt: time.Now()}); err != nil {
		b.Fatal(err)
	}
	lg, err := runlog.Open(filepath.Join(dir, "run.osoplog.yaml"), runlog.Header{RunID: id, WorkflowID: "t", Started: time.Now()}, nil)
	if err != nil {
		b.Fatal(err)
	}
	rec, err := st.NewRecorder(id, 0)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	res, err := engine.Run(context.Background(), engine.Options{
		Workflow: doc.Workflow, Registry: all.Registry(), RunID: id, Workdir: dir, MaxParallel: maxParallel,
		Env: map[string]string{"PATH": "/usr/bin:/bin"}, Inputs: map[string]any{}, Masker: &secret.Masker{},
		Journal: rec, Sink: lg.Record,
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := rec.Close(); err != nil {
		b.Fatal(err)
	}
	if err := lg.Close(); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	if res.Status != run.Completed {
		b.Fatalf("run %s: %v", res.Status, res.Failures)
	}
	return took
}

// BenchmarkScheduler10000 runs 10,000 in-process data nodes in a chain:
// the engine's own cost per node, store and record writes included. On a
// shared machine the CPU time per node (cpu-µs/node, this process's user
// and system time) says more than the wall time. Goal: < 50 µs/node.
func BenchmarkScheduler10000(b *testing.B) {
	src := chain(10000, func(i int) string {
		if i == 0 {
			return "  - {id: n0, type: data, runtime: {transform: \"{'v': 1}\"}, outputs: [v]}\n"
		}
		return fmt.Sprintf("  - {id: n%d, type: data, runtime: {transform: \"{'v': v + 1}\"}, outputs: [v]}\n", i)
	})
	perNode(b, src, 10000)
}

// BenchmarkSystem10000 runs 10,000 system nodes that only route (no-ops)
// in a chain, with the store and the record.
func BenchmarkSystem10000(b *testing.B) {
	perNode(b, chain(10000, func(i int) string {
		return fmt.Sprintf("  - {id: n%d, type: system, subtype: router}\n", i)
	}), 10000)
}

func perNode(b *testing.B, src string, n int) {
	var total, cpu time.Duration
	for b.Loop() {
		before := cpuTime()
		total += benchRun(b, src, 0)
		cpu += cpuTime() - before
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/float64(n), "µs/node")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/float64(n), "cpu-µs/node")
}

// cpuTime is the user and system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCLIChain1000 runs 1,000 cli nodes running `true` in a chain
// and, in the same benchmark, 1,000 `true` processes from a plain Go
// loop: the ratio is the engine's overhead on real processes.
func BenchmarkCLIChain1000(b *testing.B) {
	truePath, err := exec.LookPath("true")
	if err != nil {
		b.Skip("no true")
	}
	src := chain(1000, func(i int) string {
		return fmt.Sprintf("  - {id: n%d, type: cli, runtime: {command: [%s]}}\n", i, truePath)
	})
	var engineTime, loopTime time.Duration
	for b.Loop() {
		start := time.Now()
		for range 1000 {
			if err := exec.Command(truePath).Run(); err != nil {
				b.Fatal(err)
			}
		}
		loopTime += time.Since(start)
		engineTime += benchRun(b, src, 0)
	}
	b.ReportMetric(float64(engineTime)/float64(loopTime), "x-plain-loop")
	b.ReportMetric(float64(engineTime.Milliseconds())/float64(b.N), "ms/1000-nodes")
}

// BenchmarkFanOut500 runs 500 parallel branches of `sleep 1` with
// --max-parallel 500: the whole run should take little more than 1 s.
func BenchmarkFanOut500(b *testing.B) {
	var nb strings.Builder
	nb.WriteString(head + "nodes:\n  - {id: start, type: cli, runtime: {command: [true]}}\n")
	for i := range 500 {
		fmt.Fprintf(&nb, "  - {id: s%d, type: cli, runtime: {command: [sleep, \"1\"]}}\n", i)
	}
	nb.WriteString("edges:\n")
	for i := range 500 {
		fmt.Fprintf(&nb, "  - {from: start, to: s%d, mode: parallel}\n", i)
	}
	var total time.Duration
	for b.Loop() {
		total += benchRun(b, nb.String(), 500)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
	_ = runtime.NumCPU
}
