package machine

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event is something that happened to a run, from outside the machine:
// [Begin], [Started], [Finished], [TimerFired], [Decided], [Signalled],
// [Cancel], [Resume], [RetryFrom]. Nodes are named by id, so that a
// recorded history still reads right when the file's node order changes.
type Event interface{ kind() string }

// Prior is a node's result from an earlier part of the run, given to
// [Begin] when there is no recorded history to replay.
type Prior struct {
	Node     string `json:"node"`
	Done     bool   `json:"done,omitempty"` // it completed: it is not run again
	Outputs  Values `json:"outputs,omitempty"`
	Attempts int    `json:"attempts,omitempty"` // new attempts are numbered after these
}

// Begin starts the run. Seed feeds the retry jitter; Reuse marks nodes an
// earlier part of the run finished.
type Begin struct {
	Seed  uint64  `json:"seed,omitempty"`
	Reuse []Prior `json:"reuse,omitempty"`
}

// Started says the driver began attempt Attempt of a node (after a
// [Start] action), running Action (the command or request, for the
// record).
type Started struct {
	Node      string `json:"node"`
	Iteration int    `json:"iteration,omitempty"`
	Attempt   int    `json:"attempt"`
	Action    string `json:"action,omitempty"`
}

// Failure is why an attempt, an approval or a wait failed: a stable error
// code (run.Code*), a message, and whether trying again could help.
type Failure struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Retryable bool   `json:"retryable,omitempty"`
}

// Finished says an attempt ended: with outputs, or with Err (its outputs
// then are what it produced before failing, if anything). Took is how
// long it ran.
type Finished struct {
	Node      string        `json:"node"`
	Iteration int           `json:"iteration,omitempty"`
	Attempt   int           `json:"attempt"`
	Outputs   Values        `json:"outputs,omitempty"`
	Err       *Failure      `json:"err,omitempty"`
	Took      time.Duration `json:"took,omitempty"`
	// Skipped, with no Err, says the step was not done and why (a person
	// skipped a manual step): the node ends SKIPPED, and its leaving
	// edges are decided as for a node that completed.
	Skipped string `json:"skipped,omitempty"`
}

// TimerFired says a timer set by [SetTimer] ran out.
type TimerFired struct {
	Timer int `json:"timer"`
}

// Decided answers an [AwaitDecision]: approved or not, by whom, or Err
// when nobody could be asked.
type Decided struct {
	Node      string   `json:"node"`
	Iteration int      `json:"iteration,omitempty"`
	Attempt   int      `json:"attempt"`
	Approved  bool     `json:"approved,omitempty"`
	By        string   `json:"by,omitempty"`
	Comment   string   `json:"comment,omitempty"`
	Err       *Failure `json:"err,omitempty"`
}

// Signalled delivers a signal to the event arc that waits for it (see
// [AwaitSignal]). Unavailable says no signal can ever reach this run.
type Signalled struct {
	Arc         int    `json:"arc"`
	Name        string `json:"name"`
	Data        Values `json:"data,omitempty"`
	Unavailable bool   `json:"unavailable,omitempty"`
}

// Cancel asks the run to stop: running attempts are stopped, nothing new
// starts, and the run ends cancelled.
type Cancel struct{}

// Resume continues a run whose process died, or that ended failed,
// cancelled or timed out: attempts that were running are recorded as
// interrupted and tried again, and every node that had not completed (and
// was not settled by a decision) runs again. Completed nodes never run
// again.
type Resume struct{}

// RetryFrom runs Node and everything after it again, reusing what came
// before it; earlier attempts are kept and new ones numbered after them.
type RetryFrom struct {
	Node string `json:"node"`
}

func (Begin) kind() string      { return "begin" }
func (Started) kind() string    { return "started" }
func (Finished) kind() string   { return "finished" }
func (TimerFired) kind() string { return "timer" }
func (Decided) kind() string    { return "decided" }
func (Signalled) kind() string  { return "signalled" }
func (Cancel) kind() string     { return "cancel" }
func (Resume) kind() string     { return "resume" }
func (RetryFrom) kind() string  { return "retry_from" }

// envelope is an event as JSON: its kind, and its fields under "e".
type envelope struct {
	Kind string          `json:"kind"`
	E    json.RawMessage `json:"e,omitempty"`
}

// EncodeEvent writes an event as one line of JSON, {"kind":…,"e":{…}}.
// Numbers in outputs keep their kind (an integer stays an integer)
// through [DecodeEvent].
func EncodeEvent(e Event) ([]byte, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode %s event: %w", e.kind(), err)
	}
	// Assembled by hand: every run writes one of these per step, and
	// marshalling the envelope would copy and re-check body.
	out := make([]byte, 0, len(body)+len(e.kind())+20)
	out = append(out, `{"kind":"`...)
	out = append(out, e.kind()...)
	out = append(out, `","e":`...)
	out = append(out, body...)
	return append(out, '}'), nil
}

// DecodeEvent reads an event [EncodeEvent] wrote.
func DecodeEvent(b []byte) (Event, error) {
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	var e Event
	var err error
	switch env.Kind {
	case "begin":
		e, err = decodeAs[Begin](env.E)
	case "started":
		e, err = decodeAs[Started](env.E)
	case "finished":
		e, err = decodeAs[Finished](env.E)
	case "timer":
		e, err = decodeAs[TimerFired](env.E)
	case "decided":
		e, err = decodeAs[Decided](env.E)
	case "signalled":
		e, err = decodeAs[Signalled](env.E)
	case "cancel":
		e = Cancel{}
	case "resume":
		e = Resume{}
	case "retry_from":
		e, err = decodeAs[RetryFrom](env.E)
	default:
		return nil, fmt.Errorf("decode event: unknown kind %q", env.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s event: %w", env.Kind, err)
	}
	return e, nil
}

func decodeAs[T Event](b []byte) (Event, error) {
	var v T
	if len(b) == 0 {
		return v, nil
	}
	err := json.Unmarshal(b, &v)
	return v, err
}
