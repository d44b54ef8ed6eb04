package machine

import (
	"time"

	"github.com/osopdev/osop/internal/run"
)

// Action is something the driver must do, in the order given: [Start],
// [Stop], [SetTimer], [CancelTimer], [AwaitDecision], [AwaitSignal],
// [Publish], [Emit], [Finish]. Nodes are named by their index in the
// graph (and their id).
type Action interface{ isAction() }

// Start runs attempt Attempt of a node's iteration Iteration. Item is the
// for_each item bound to ItemVar, when HasItem. MaxAttempts is the last
// attempt number this round of the node may reach (for display). Timeout
// is the attempt's limit, for executors that pass it on; the machine
// enforces it with a timer of its own.
type Start struct {
	Node        int
	ID          string
	Iteration   int
	Attempt     int
	MaxAttempts int
	Item        any
	ItemVar     string
	HasItem     bool
	Timeout     time.Duration
}

// Stop ends what the driver does for that attempt: the running command,
// or the wait for a decision. Timeout says the attempt ran out of time
// (What timed out after Limit); otherwise Why says why it stops.
type Stop struct {
	Node      int
	ID        string
	Iteration int
	Attempt   int
	Timeout   bool
	What      string
	Limit     time.Duration
	Why       string
}

// TimerKind says what a timer is for.
type TimerKind uint8

// The timers the machine sets.
const (
	TimerRetry    TimerKind = iota + 1 // the wait before the next attempt
	TimerDeadline                      // an attempt's timeout
	TimerApproval                      // an approval's timeout
	TimerRun                           // the whole run's timeout
)

// SetTimer asks for [TimerFired] with this id after Delay.
type SetTimer struct {
	Timer int
	Delay time.Duration
	Kind  TimerKind
	Node  int // -1 for the run's timer
}

// CancelTimer says a timer is no longer needed; if it fires anyway the
// machine ignores it.
type CancelTimer struct {
	Timer int
}

// AwaitDecision asks a node's approvers whether it may run; the answer
// comes back as [Decided].
type AwaitDecision struct {
	Node      int
	ID        string
	Iteration int
	Attempt   int
}

// AwaitSignal waits for the next signal called Name for event arc Arc;
// it comes back as [Signalled].
type AwaitSignal struct {
	Arc  int
	Name string
}

// Publish says a node's outputs, as templates and conditions see them,
// are now Outputs (nil: it has none, as at the start of a loop
// iteration). The map is never changed afterwards.
type Publish struct {
	Node    int
	Outputs map[string]any
}

// Emit is an event for the record. The driver adds the time, the run id,
// and for attempts it ran, what they printed; then masks secrets.
type Emit struct {
	Event run.Event
}

// Finish ends the run: Completed (Recovered when a fallback, error or
// timeout edge handled a failure), Failed, Cancelled or TimedOut.
// Failures names the failures nothing handled.
type Finish struct {
	Status    run.Status
	Recovered bool
	Failures  []string
}

func (Start) isAction()         {}
func (Stop) isAction()          {}
func (SetTimer) isAction()      {}
func (CancelTimer) isAction()   {}
func (AwaitDecision) isAction() {}
func (AwaitSignal) isAction()   {}
func (Publish) isAction()       {}
func (Emit) isAction()          {}
func (Finish) isAction()        {}
