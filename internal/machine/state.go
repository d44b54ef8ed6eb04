package machine

import (
	"slices"
	"time"

	"github.com/osopdev/osop/internal/run"
)

// ArcState is how far an arc has been decided.
type ArcState uint8

// Arc states.
const (
	ArcPending  ArcState = iota
	ArcTaken             // the target may run because of it
	ArcNotTaken          // a condition, case or failure path that did not apply
	ArcBlocked           // the source failed, or was itself blocked
	ArcWaiting           // an event edge waiting for its signal
)

// Step is what is in progress for a node.
type Step uint8

// Steps.
const (
	StepIdle    Step = iota // nothing: the node is pending, or done
	StepQueued              // ready, waiting for a free slot
	StepGate                // waiting for an approval
	StepIssued              // a Start was given; Started not seen yet
	StepRunning             // an attempt runs
	StepBackoff             // waiting before the next attempt
)

// State is everything the machine knows about a run, in a form that
// encodes as JSON and comes back the same: hand it to [New] to continue
// (Temporal's continue-as-new does this). Nodes and arcs are indexed as in
// the graph.
type State struct {
	Version  int         `json:"version"`
	Began    bool        `json:"began,omitempty"`
	Finished bool        `json:"finished,omitempty"`
	Status   run.Status  `json:"status,omitempty"` // how it ended, once Finished
	Nodes    []NodeState `json:"nodes"`
	Arcs     []ArcState  `json:"arcs"`
	// Ready lists nodes waiting for a free slot, first first.
	Ready []int `json:"ready,omitempty"`
	// Counts of what is in progress.
	Running  int `json:"running,omitempty"`  // attempts started or about to be
	Gates    int `json:"gates,omitempty"`    // approvals asked for
	Backoffs int `json:"backoffs,omitempty"` // nodes waiting to retry
	Waiting  int `json:"waiting,omitempty"`  // event arcs waiting for a signal

	NextTimer int        `json:"next_timer,omitempty"`
	RunTimer  int        `json:"run_timer,omitempty"`
	Stopping  bool       `json:"stopping,omitempty"`
	Stop      *StopCause `json:"stop,omitempty"`
	// Failures are the failures nothing handled, in the order they came.
	Failures []Failed `json:"failures,omitempty"`
	// Rand is the state of the jitter's random source.
	Rand uint64 `json:"rand,omitempty"`
}

// stateVersion changes when State's meaning does.
const stateVersion = 1

// StopCause is why a run is stopping.
type StopCause struct {
	Timeout   bool          `json:"timeout,omitempty"`
	Cancelled bool          `json:"cancelled,omitempty"`
	What      string        `json:"what,omitempty"` // for a timeout: "workflow ID"
	Limit     time.Duration `json:"limit,omitempty"`
	Reason    string        `json:"reason"`
}

// Failed is one failure nothing handled.
type Failed struct {
	Node    int    `json:"node"`
	Message string `json:"message"`
}

// NodeState is one node's part of the [State].
type NodeState struct {
	ID     string     `json:"id"`
	Status run.Status `json:"status"`
	Step   Step       `json:"step,omitempty"`
	Reason string     `json:"reason,omitempty"`

	Iteration int `json:"iteration,omitempty"`
	// Attempt is the current (or last) attempt of this iteration.
	Attempt int `json:"attempt,omitempty"`
	// Round is how many attempts earlier rounds made (resume, retry):
	// the retry budget counts after them.
	Round int `json:"round,omitempty"`
	// Tries is the highest attempt number used in each iteration, so
	// that numbers never repeat.
	Tries []int `json:"tries,omitempty"`
	// Reserved: Attempt is given (an approval asked for it) but not
	// started yet.
	Reserved bool `json:"reserved,omitempty"`
	Approved bool `json:"approved,omitempty"`

	Code      string        `json:"code,omitempty"`
	Message   string        `json:"message,omitempty"`
	Retryable bool          `json:"retryable,omitempty"`
	LastOut   Values        `json:"last_out,omitempty"` // the outputs of a failed attempt waiting to retry
	Outputs   Values        `json:"outputs,omitempty"`
	Took      time.Duration `json:"took,omitempty"`
	Handled   bool          `json:"handled,omitempty"`   // a fallback, error or timeout edge took up its failure
	Stopped   bool          `json:"stopped,omitempty"`   // skipped because the run stopped
	Forced    bool          `json:"forced,omitempty"`    // retry --from: runs whatever its edges say
	Exhausted bool          `json:"exhausted,omitempty"` // its rework loop reached the bound: it may not re-enter

	Items    List        `json:"items,omitempty"`
	ItemVar  string      `json:"item_var,omitempty"`
	ItemsOut List        `json:"items_out,omitempty"`
	Loops    map[int]int `json:"loops,omitempty"` // loop arc -> iterations it began

	Deadline int `json:"deadline,omitempty"` // timer: the running attempt's timeout
	Wake     int `json:"wake,omitempty"`     // timer: backoff or approval timeout
}

// clone copies the state deeply enough that the machine can go on
// without changing it. Output maps are shared: they never change.
func (s *State) clone() *State {
	c := *s
	c.Nodes = slices.Clone(s.Nodes)
	for i := range c.Nodes {
		n := &c.Nodes[i]
		n.Tries = slices.Clone(n.Tries)
		n.Items = slices.Clone(n.Items)
		n.ItemsOut = slices.Clone(n.ItemsOut)
		if n.Loops != nil {
			loops := make(map[int]int, len(n.Loops))
			for k, v := range n.Loops { // order-free: copies a map
				loops[k] = v
			}
			n.Loops = loops
		}
	}
	c.Arcs = slices.Clone(s.Arcs)
	c.Ready = slices.Clone(s.Ready)
	c.Failures = slices.Clone(s.Failures)
	if s.Stop != nil {
		stop := *s.Stop
		c.Stop = &stop
	}
	return &c
}

// The words status(node) gives, boxed once: the machine stores one in a
// map of any at every change of status.
var (
	wordCompleted any = "completed"
	wordFailed    any = "failed"
	wordTimeout   any = "timeout"
	wordSkipped   any = "skipped"
	wordBlocked   any = "blocked"
	wordRunning   any = "running"
	wordCancelled any = "cancelled"
	wordPending   any = "pending"
)

// celStatus is the word status(node) gives in conditions.
func celStatus(st run.Status) any {
	switch st {
	case run.Completed:
		return wordCompleted
	case run.Failed:
		return wordFailed
	case run.TimedOut:
		return wordTimeout
	case run.Skipped:
		return wordSkipped
	case run.Blocked:
		return wordBlocked
	case run.Running, run.Waiting:
		return wordRunning
	case run.Cancelled:
		return wordCancelled
	}
	return wordPending
}

// attemptStatus is the status of an attempt that failed with code.
func attemptStatus(code string) run.Status {
	switch code {
	case run.CodeTimeout:
		return run.TimedOut
	case run.CodeCancelled:
		return run.Cancelled
	}
	return run.Failed
}

func failedStatus(st run.Status) bool {
	return st == run.Failed || st == run.TimedOut || st == run.Cancelled
}
