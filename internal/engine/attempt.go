package engine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/machine"
	"github.com/osopdev/osop/internal/run"
)

// job is what a worker needs to run one attempt; built by the driver and
// not shared.
type job struct {
	index     int
	node      *ast.Node
	iteration int
	attempt   int
	item      any // the for_each item, when there is one
	itemVar   string
	timeout   time.Duration
}

func (j *job) key() attemptKey { return attemptKey{j.index, j.iteration, j.attempt} }

// start begins an attempt the machine asked for. What it runs is
// described and journaled (the Started step) before the process starts.
func (d *driver) start(a machine.Start) {
	n := d.g.Nodes[a.Node]
	j := &job{index: a.Node, node: n, iteration: a.Iteration, attempt: a.Attempt, timeout: a.Timeout}
	if a.HasItem {
		j.item, j.itemVar = a.Item, a.ItemVar
	}
	ex, ok := d.executorFor(n)
	if !ok {
		d.later = append(d.later, report{ev: machine.Finished{Node: n.ID.V, Iteration: j.iteration, Attempt: j.attempt,
			Err: &machine.Failure{Code: run.CodeNoExecutor, Message: fmt.Sprintf("no executor for node type %q", n.Type.V)}}})
		return
	}
	req, out, errb := d.request(j)
	action := ""
	if desc, ok := ex.(executor.Describer); ok {
		// Described here, on the driver's goroutine: expressions are
		// evaluated directly, not sent to this goroutine.
		eval := req.Eval
		req.Eval = func(src string) (any, error) { return d.evalWith(j.index, src, j.item, j.itemVar, nil) }
		action, _ = desc.Describe(req)
		req.Eval = eval
	}
	d.feed(machine.Started{Node: n.ID.V, Iteration: j.iteration, Attempt: j.attempt, Action: action}, report{})
	ctx, cancel := context.WithCancelCause(d.base)
	ctx = executor.WithGroupWatcher(ctx, d.groupWatcher(j))
	d.attempts[j.key()] = cancel
	go d.work(ctx, ex, req, j, out, errb)
}

// work runs one attempt and reports how it ended.
func (d *driver) work(ctx context.Context, ex executor.Executor, req *executor.Request, j *job, out, errb capture) {
	began := time.Now()
	outputs, usage, skipped, err := d.attempt(ctx, ex, req, j)
	f := machine.Finished{Node: j.node.ID.V, Iteration: j.iteration, Attempt: j.attempt, Outputs: outputs,
		Err: failure(err), Took: time.Since(began), Skipped: skipped}
	r := report{ev: f, stdout: out.String(), stderr: errb.String(), usage: usage}
	out.Close()
	errb.Close()
	d.post(r)
}

// failure classifies an attempt's error for the machine.
func failure(err error) *machine.Failure {
	if err == nil {
		return nil
	}
	code, retry := executor.Classify(err)
	return &machine.Failure{Code: code, Message: err.Error(), Retryable: retry}
}

// attempt runs one attempt and checks its declared outputs; it also
// returns what the attempt spent on models and tools, and why it was
// skipped, if a person skipped it.
func (d *driver) attempt(ctx context.Context, ex executor.Executor, req *executor.Request, j *job) (map[string]any, *run.Usage, string, error) {
	res, err := ex.Execute(ctx, req)
	if err != nil {
		var ee *executor.Error
		if ctx.Err() != nil && !errors.As(err, &ee) {
			code, retry := executor.Stopped(ctx)
			err = &executor.Error{Code: code, Retryable: retry, Message: "stopped: " + executor.StopReason(ctx), Err: err}
		}
		var outputs map[string]any
		var usage *run.Usage
		if errors.As(err, &ee) {
			outputs, usage = typed(j.node, ee.Outputs), ee.Usage
		}
		return outputs, usage, "", err
	}
	var usage *run.Usage
	if res != nil {
		usage = res.Usage
	}
	outputs := map[string]any{}
	if res != nil && res.Outputs != nil {
		outputs = typed(j.node, res.Outputs)
	}
	if res != nil && res.Skipped != "" {
		return outputs, usage, res.Skipped, nil // not done: nothing is owed
	}
	var missing []string
	for _, o := range j.node.Outputs {
		if _, ok := outputs[o.Name]; !ok {
			missing = append(missing, o.Name)
		}
	}
	if len(missing) > 0 {
		return outputs, usage, "", &executor.Error{Code: run.CodeMissingOut, Outputs: outputs, Usage: usage,
			Message: fmt.Sprintf("declared output %s not produced: a command sets it by writing %s=value to $OSOP_OUTPUT",
				strings.Join(missing, ", "), missing[0])}
	}
	return outputs, usage, "", nil
}

// typed converts string outputs to the type their declaration gives, so
// conditions compare numbers as numbers. A command's output with no
// declared type (written to $OSOP_OUTPUT, where everything is text) that
// is exactly a number, true or false becomes that, as YAML would read
// it: `when: "c < 3"` then counts; `type: string` keeps it text.
func typed(n *ast.Node, out map[string]any) map[string]any {
	if out == nil {
		return nil
	}
	declared := map[string]bool{}
	for _, p := range n.Outputs {
		declared[p.Name] = true
		s, ok := out[p.Name].(string)
		if !ok {
			continue
		}
		if p.Type == "" {
			if textOutputs[n.Type.V] {
				out[p.Name] = inferred(s)
			}
			continue
		}
		// A value that does not parse stays a string: the declaration
		// is a hint here, not a contract.
		if v, err := p.Parse(s); err == nil {
			out[p.Name] = v
		}
	}
	if textOutputs[n.Type.V] {
		for k, v := range out {
			if s, ok := v.(string); ok && !declared[k] {
				out[k] = inferred(s)
			}
		}
	}
	return out
}

// textOutputs are the node types whose outputs are text a command wrote
// ($OSOP_OUTPUT); other executors give typed values (JSON) already.
var textOutputs = map[string]bool{"cli": true, "cicd": true, "git": true}

// inferred reads text that is exactly a JSON number (an integer as
// int64), true or false as that value; any other text stays text.
func inferred(s string) any {
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	if !numberText.MatchString(s) {
		return s
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return s
}

// numberText is JSON's number syntax: no leading zeros or plus, so a
// version "007" or "+1" stays text.
var numberText = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// stopAttempt cancels a running attempt, or the wait for its approval,
// with the cause the machine gives.
func (d *driver) stopAttempt(a machine.Stop) {
	k := attemptKey{a.Node, a.Iteration, a.Attempt}
	var cause error = context.Canceled
	switch {
	case a.Timeout:
		cause = &TimeoutError{What: a.What, Limit: a.Limit}
	case a.Why != "" && a.Why != "the run was cancelled":
		cause = errors.New(a.Why)
	}
	if c := d.attempts[k]; c != nil {
		c(cause)
	}
	if c := d.waits[k]; c != nil {
		c()
		delete(d.waits, k)
	}
}

// groupWatcher journals the process groups an attempt starts and ends.
func (d *driver) groupWatcher(j *job) executor.GroupWatcher {
	if d.opts.Journal == nil {
		return nil
	}
	return func(pgid int, start uint64, token string, running bool) {
		d.opts.Journal.Group(run.ProcessGroup{Node: j.node.ID.V, Iteration: j.iteration, Attempt: j.attempt,
			PGID: pgid, Start: start, Token: token, Running: running})
	}
}
