package engine

import (
	"encoding/json"
	"fmt"

	"github.com/osopdev/osop/internal/machine"
)

// A step of the run's history is one machine event and what the
// evaluator answered while the machine decided it. Replaying a step feeds
// the same event and gives back the same answers, so a resumed run
// decides its past exactly as it was decided, even when a condition reads
// the environment or the clock.
type step struct {
	Event json.RawMessage `json:"event"`
	Evals []recordedEval  `json:"evals,omitempty"`
}

// recordedEval is one evaluation: its expression, and its value or error.
type recordedEval struct {
	Src string         `json:"src"`
	V   machine.Values `json:"v,omitempty"` // {"v": value}, for exact numbers
	Err string         `json:"err,omitempty"`
}

// encodeStep writes the step of ev, secrets masked.
func (d *driver) encodeStep(ev machine.Event) ([]byte, error) {
	e, err := machine.EncodeEvent(d.maskEvent(ev))
	if err != nil {
		return nil, err
	}
	// The step's JSON, assembled without copying and re-checking e.
	out := make([]byte, 0, len(e)+32)
	out = append(out, `{"event":`...)
	out = append(out, e...)
	if len(d.evalLog) > 0 {
		evals, err := json.Marshal(d.evalLog)
		if err != nil {
			return nil, err
		}
		out = append(out, `,"evals":`...)
		out = append(out, evals...)
	}
	return append(out, '}'), nil
}

// maskEvent hides secret values in what an event carries.
func (d *driver) maskEvent(ev machine.Event) machine.Event {
	m := d.opts.Masker
	if m.Empty() {
		return ev
	}
	values := func(v machine.Values) machine.Values {
		if v == nil {
			return nil
		}
		return m.Any(map[string]any(v)).(map[string]any)
	}
	switch e := ev.(type) {
	case machine.Started:
		e.Action = m.Mask(e.Action)
		return e
	case machine.Finished:
		e.Outputs = values(e.Outputs)
		if e.Err != nil {
			f := *e.Err
			f.Message = m.Mask(f.Message)
			e.Err = &f
		}
		return e
	case machine.Decided:
		e.Comment = m.Mask(e.Comment)
		return e
	case machine.Signalled:
		e.Data = values(e.Data)
		return e
	case machine.Begin:
		reuse := make([]machine.Prior, len(e.Reuse))
		for i, p := range e.Reuse {
			p.Outputs = values(p.Outputs)
			reuse[i] = p
		}
		e.Reuse = reuse
		return e
	}
	return ev
}

// record keeps an evaluation for the step's history.
func (d *driver) record(src string, v any, err error) {
	if d.opts.Journal == nil || d.replaying {
		return
	}
	r := recordedEval{Src: src}
	if err != nil {
		r.Err = err.Error()
	} else {
		r.V = machine.Values{"v": v}
		if m := d.opts.Masker; !m.Empty() {
			r.V = m.Any(map[string]any(r.V)).(map[string]any)
		}
	}
	d.evalLog = append(d.evalLog, r)
}

// recall answers an evaluation from the step being replayed, when it
// asked the same thing.
func (d *driver) recall(src string) (recordedEval, bool) {
	if !d.replaying || len(d.recorded) == 0 || d.recorded[0].Src != src {
		return recordedEval{}, false
	}
	r := d.recorded[0]
	d.recorded = d.recorded[1:]
	return r, true
}

// replay feeds the machine the recorded history, carrying out nothing,
// and brings the workers' view of outputs up to date.
func (d *driver) replay(lines [][]byte) error {
	d.replaying = true
	defer func() { d.replaying, d.recorded = false, nil }()
	for n, line := range lines {
		var s step
		if err := json.Unmarshal(line, &s); err != nil {
			return fmt.Errorf("step %d: %w", n+1, err)
		}
		ev, err := machine.DecodeEvent(s.Event)
		if err != nil {
			return fmt.Errorf("step %d: %w", n+1, err)
		}
		d.recorded = s.Evals
		d.m.Apply(ev)
	}
	for i := range d.g.Nodes {
		if out := d.m.NodeOutputs(i); out != nil {
			d.outs[i].Store(&out)
		}
	}
	return nil
}
