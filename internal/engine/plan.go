package engine

import (
	"fmt"
	"strings"

	"github.com/osopdev/osop/internal/executor"
	"github.com/osopdev/osop/internal/machine"
	"github.com/osopdev/osop/internal/template"
)

// Step is one node of a dry run: what would run, and when.
type Step struct {
	Node   string
	Type   string
	Action string // the exact command, request or operation, secrets masked
	When   string // the conditions under which it runs; empty for always
	Err    string // why the action cannot be shown
}

// Plan returns, in execution order, what a run would do, without running
// anything. Values only a run can know (outputs of earlier nodes) are shown
// as <outputs.node.name>.
func Plan(opts Options) ([]Step, error) {
	if opts.Workflow == nil || opts.Registry == nil {
		return nil, fmt.Errorf("%w: a workflow and a registry are required", ErrInvalidOptions)
	}
	d, err := newDriver(opts)
	if err != nil {
		return nil, err
	}
	d.planning = true
	var steps []Step
	for _, i := range d.g.TopoOrder() {
		n := d.g.Nodes[i]
		st := Step{Node: n.ID.V, Type: n.Type.V, When: d.describeWhen(i)}
		ex, ok := d.executorFor(n)
		if !ok {
			st.Err = "no executor for " + n.Type.V
			steps = append(steps, st)
			continue
		}
		j := &job{index: i, node: n, attempt: 1}
		req, out, errb := d.request(j)
		out.Close()
		errb.Close()
		req.Eval = func(src string) (any, error) { return d.evalWith(i, src, nil, "", nil) }
		if desc, ok := ex.(executor.Describer); ok {
			a, err := desc.Describe(req)
			if err != nil {
				st.Err = err.Error()
			}
			st.Action = d.opts.Masker.Mask(a)
		} else {
			st.Action = "(" + n.Type.V + " node)"
		}
		d.predict(i, ex, req)
		steps = append(steps, st)
	}
	return steps, nil
}

// placeholder stands for a value only a run can know.
func placeholder(r template.Ref) string {
	return "<" + r.Name() + ">"
}

// describeWhen says in words when a node runs.
func (d *driver) describeWhen(i int) string {
	var parts []string
	for _, k := range d.g.InArcs(i) {
		a := d.g.Arcs[k]
		from := d.g.Nodes[a.From].ID.V
		e := a.Edge
		switch {
		case e.Mode.V == "timeout":
			parts = append(parts, "if "+from+" times out")
		case e.IsFailurePath() && e.When.V != "":
			parts = append(parts, fmt.Sprintf("if %s fails or %s", from, e.When.V))
		case e.IsFailurePath():
			parts = append(parts, "if "+from+" fails")
		case e.Mode.V == "switch" && a.Case != nil:
			parts = append(parts, fmt.Sprintf("after %s when %s is %v", from, e.When.V, a.Case.Value.Interface()))
		case e.Mode.V == "switch":
			parts = append(parts, fmt.Sprintf("after %s when no case matches", from))
		case e.Mode.V == "loop" && e.ForEach.Set():
			parts = append(parts, fmt.Sprintf("for each item of %s", e.ForEach.V))
		case e.Mode.V == "loop":
			parts = append(parts, fmt.Sprintf("again after %s while %s", from, e.When.V))
		case e.Mode.V == "event":
			parts = append(parts, fmt.Sprintf("after %s, on signal %q", from, machine.SignalName(d.g, k)))
		case e.When.V != "":
			parts = append(parts, fmt.Sprintf("after %s if %s", from, e.When.V))
		}
	}
	return strings.Join(parts, "; ")
}
