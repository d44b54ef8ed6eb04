package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/engine"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/runlog"
	"github.com/osopdev/osop/internal/store"
)

// execution runs a prepared workflow with everything around it: the
// store, the concurrency lock, the execution record, progress, approvals.
// run, resume and retry share it.
type execution struct {
	f      *Factory
	opts   *RunOptions
	p      *prepared
	eopts  engine.Options
	params store.Params
	// for resume and retry: the run as stored, and what it finished
	existing *store.Run
	earlier  []*store.Attempt
}

func storePath(opts *RunOptions, workdir string) string {
	if opts.Store != "" {
		return opts.Store
	}
	return filepath.Join(workdir, ".osop", "osop.db")
}

func (x *execution) run(ctx context.Context, resume map[string]engine.Prior, seq int64) error {
	io := x.opts.IO
	book, err := x.answers()
	if err != nil {
		return err
	}
	st, err := store.Open(storePath(x.opts, x.p.workdir))
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	defer st.Close()
	id := x.eopts.RunID
	logPath := x.opts.Log
	if x.existing != nil && logPath == "" {
		logPath = x.existing.LogPath
	}
	if logPath == "" {
		logPath = filepath.Join(x.p.workdir, ".osop", "runs", string(id)+".osoplog.yaml")
	}
	if abs, err := filepath.Abs(logPath); err == nil {
		logPath = abs
	}
	started := time.Now()
	if x.existing == nil {
		err = st.CreateRun(ctx, &store.Run{
			ID: id, WorkflowID: x.p.w.ID.V, WorkflowName: x.p.w.Name.V, WorkflowFile: x.p.file, WorkflowHash: x.p.hash,
			Status: run.Running, StartedAt: started, LogPath: logPath, Workdir: x.p.workdir, Params: x.params,
			ConcurrencyKey: x.p.w.Concurrency.V, PID: os.Getpid(),
		})
	} else {
		started = x.existing.StartedAt
		err = st.MarkRunning(ctx, id, os.Getpid())
	}
	if err == nil {
		err = st.AcceptSignals(ctx, id, engine.SignalNames(x.p.w))
	}
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	// Whatever way the run ends, nothing waits in it any more.
	defer func() {
		if err := st.EndWaits(context.WithoutCancel(ctx), id); err != nil {
			fmt.Fprintf(io.ErrOut, "osop: closing the run's waits: %v\n", err)
		}
	}()
	if key := x.p.w.Concurrency.V; key != "" {
		err := st.Lock(ctx, key, id, func(holder run.ID) {
			fmt.Fprintf(io.ErrOut, "osop: waiting for run %s, which holds concurrency key %q\n", holder, key)
		})
		if err != nil {
			_ = st.FinishRun(context.WithoutCancel(ctx), id, run.Cancelled, ExitCancelled, time.Now(), "cancelled while waiting for the concurrency lock")
			return &ExitError{Code: ExitCancelled, Err: fmt.Errorf("waiting for concurrency key %q: %w", key, err)}
		}
		defer st.Unlock(context.WithoutCancel(ctx), key, id)
	}
	lg, err := runlog.Open(logPath, runlog.Header{
		RunID: id, WorkflowID: x.p.w.ID.V, WorkflowVersion: x.p.w.WorkflowVersion.V, WorkflowHash: x.p.hash,
		WorkflowFile: x.p.file, Actor: hostUser(), Started: started, OsopVersion: version(), Platform: platform(), Simulated: x.params.Simulated,
		Inputs: x.eopts.Masker.Any(x.eopts.Inputs).(map[string]any),
	}, earlierRecords(x.earlier))
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	rec, err := st.NewRecorder(id, seq)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	prog := newProgress(io.ErrOut, progressMode(x.opts, io), io.Color, x.p.w)
	var path *simPath
	switch {
	case x.opts.Output == "json" && x.params.Simulated:
		// One document at the end: the path taken.
		path = &simPath{}
		prog = newProgress(io.ErrOut, "lines", io.Color, x.p.w)
	case x.opts.Output == "json":
		prog.w = io.Out
	}
	var stream *streamer
	if x.opts.Stream {
		stream = newStreamer(io.ErrOut, x.eopts.Masker)
		x.eopts.Stream = stream.writer
	}
	// The recorder journals each step of the run (its history, for
	// resume) with the attempts it changed; the sink shows and logs.
	x.eopts.Journal = rec
	x.eopts.Sink = func(e run.Event) {
		if stream != nil && (e.Kind == run.NodeRetrying || e.Kind == run.NodeFinished) {
			stream.end(e.Node) // before the line that says the node ended
		}
		lg.Record(e)
		prog.Event(e)
		if path != nil {
			path.event(e)
		}
	}
	x.eopts.ArtifactDir = filepath.Join(x.p.workdir, ".osop", "artifacts", string(id))
	if !x.params.Simulated {
		x.eopts.Signals = st
	}
	if x.params.Simulated {
		// Nothing real runs, and nothing is written outside .osop.
		x.eopts.TempDir = simTempDir(x.p.workdir, string(id))
		if err := os.MkdirAll(x.eopts.TempDir, 0o700); err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		defer os.RemoveAll(x.eopts.TempDir)
	} else {
		x.eopts.Approver = x.approver(st, prog, book)
	}
	x.eopts.AllowPrompt = io.InTTY && io.ErrTTY
	x.eopts.Resume = resume
	res, err := engine.Run(ctx, x.eopts)
	stream.close()
	prog.Close()
	recErr := rec.Close()
	logErr := lg.Close()
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	code := exitCode(res)
	summary := x.eopts.Masker.Mask(summaryLine(res)) // failures quote what nodes said
	if err := st.FinishRun(context.WithoutCancel(ctx), id, res.Status, code, res.Ended, summary); err != nil {
		fmt.Fprintf(io.ErrOut, "osop: recording the end of the run: %v\n", err)
	}
	for _, e := range []error{recErr, logErr} {
		if e != nil {
			fmt.Fprintf(io.ErrOut, "osop: %v\n", e)
		}
	}
	if path != nil {
		doc := simPathJSON{Simulated: true, RunID: string(id), WorkflowID: x.p.w.ID.V, Status: string(res.Status), ExitCode: code,
			Path: path.steps, Record: logPath, Failures: []string{}}
		for _, f := range res.Failures {
			doc.Failures = append(doc.Failures, x.eopts.Masker.Mask(f))
		}
		if err := writeJSON(io.Out, doc); err != nil {
			return err
		}
	}
	if x.params.Simulated {
		id += " · simulated" // said on the line, never confused with a real run
	}
	if x.opts.Output != "json" {
		fmt.Fprintf(io.Out, "%s %s · run %s · %s · record %s\n", statusWord(res), diag.PrintableText(summary), id,
			res.Ended.Sub(started).Round(time.Millisecond), relPath(logPath))
	}
	if code != ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

func progressMode(opts *RunOptions, io *IOStreams) string {
	switch {
	case opts.Output == "json":
		return "json"
	case io.ErrTTY && !opts.Stream:
		return "live"
	}
	return "lines"
}

// approver picks who decides approvals: --auto-approve, a person at this
// terminal, or `osop approve` from another process; and who answers
// manual steps (see stepAnswerer).
func (x *execution) approver(st *store.Store, prog *progress, book *answerBook) executor.Approver {
	io := x.opts.IO
	sa := &stepAnswerer{mode: x.opts.Manual, answers: book, store: &storeApprover{st: st, out: io.ErrOut}, operator: x.opts.operator()}
	if io.InTTY && io.ErrTTY {
		sa.prompt = &promptApprover{in: bufio.NewReader(io.In), out: io.ErrOut, hold: prog.hold}
	}
	switch {
	case x.opts.AutoApprove:
		sa.next = autoApprover{}
	case sa.prompt != nil:
		sa.next = sa.prompt
	default:
		sa.next = sa.store
	}
	return sa
}

// answers reads --answers, refusing answers for nodes that are not manual
// steps of the workflow: a typo would otherwise leave a step unanswered.
func (x *execution) answers() (*answerBook, error) {
	book, err := readAnswers(x.opts.Answers)
	if err != nil {
		return nil, err
	}
	book.operator = x.opts.operator()
	for _, id := range book.nodes() {
		n := x.p.w.Node(id)
		switch {
		case n == nil:
			return nil, book.errAt(book.keys[id], "answers node %q, which %s does not have%s", id, x.p.w.ID.V, didYouMean(id, x.manualSteps()))
		case !x.f.registry().Manual(engine.NodeConfig(x.p.w, n)):
			return nil, book.errAt(book.keys[id], "answers node %q, which is not a manual step (it runs %s)", id, n.Type.V)
		}
		if err := book.check(n); err != nil {
			return nil, err
		}
	}
	return book, nil
}

// manualSteps lists the workflow's manual steps, or all its nodes when it
// has none, for a "did you mean".
func (x *execution) manualSteps() []string {
	if steps := manualSteps(x.p.w, x.f.registry()); len(steps) > 0 {
		return steps
	}
	ids := make([]string, len(x.p.w.Nodes))
	for i, n := range x.p.w.Nodes {
		ids[i] = n.ID.V
	}
	return ids
}

func earlierRecords(as []*store.Attempt) []*runlog.Record {
	out := make([]*runlog.Record, 0, len(as))
	for _, a := range as {
		r := runlog.FromAttempt(a.NodeID, a.NodeType, a.Iteration, a.Attempt, a.Status, a.StartedAt, a.EndedAt,
			a.DurationMS, a.ErrorCode, a.ErrorMessage, a.Reason, a.Action, a.Outputs)
		r.Usage = a.Usage
		out = append(out, r)
	}
	return out
}

func summaryLine(r *engine.Result) string {
	switch {
	case r.Status == run.Completed && r.Recovered:
		return "completed only because a failure was handled"
	case r.Status == run.Completed:
		return "completed"
	case r.Status == run.Cancelled:
		return "cancelled"
	case r.Status == run.TimedOut:
		return "timed out: " + strings.Join(r.Failures, "; ")
	}
	return "failed: " + strings.Join(r.Failures, "; ")
}

func statusWord(r *engine.Result) string {
	switch {
	case r.Status == run.Completed && !r.Recovered:
		return "✓"
	case r.Status == run.Completed:
		return "!"
	}
	return "✗"
}

func relPath(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return p
}
