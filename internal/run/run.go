// Package run holds the vocabulary of a workflow run shared by the engine,
// the executors, the execution log and the store: run ids, node and run
// statuses, error codes and the events a run emits.
//
// It imports only the standard library.
package run

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// ID identifies a run. IDs sort by start time.
type ID string

// NewID returns a fresh run id such as 20261126-012233-4f3a9c.
func NewID(now time.Time) ID {
	var b [3]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return ID(now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:]))
}

// Status is the state of a node or of a whole run, in the words of the
// osoplog format.
type Status string

// Node and run statuses.
const (
	Pending   Status = "PENDING"
	Running   Status = "RUNNING"
	Waiting   Status = "WAITING" // for an approval or a signal
	Completed Status = "COMPLETED"
	Failed    Status = "FAILED"
	Skipped   Status = "SKIPPED" // not reached: a condition or branch not taken
	Blocked   Status = "BLOCKED" // not reached: something upstream failed
	TimedOut  Status = "TIMEOUT"
	Cancelled Status = "CANCELLED"
	DryRun    Status = "DRY_RUN"
)

// Done reports whether the status is final.
func (s Status) Done() bool {
	switch s {
	case Completed, Failed, Skipped, Blocked, TimedOut, Cancelled, DryRun:
		return true
	}
	return false
}

// Error codes classify failures, for retry decisions, error edges and the
// log. Executors set them; the engine adds its own.
const (
	CodeExit         = "EXIT_CODE"          // a command exited non-zero
	CodeTimeout      = "TIMEOUT"            // the node or workflow ran out of time
	CodeCancelled    = "CANCELLED"          // the run was interrupted
	CodeConnection   = "CONNECTION_REFUSED" // a network peer could not be reached
	CodeHTTP5xx      = "HTTP_5XX"
	CodeHTTP4xx      = "HTTP_4XX"
	CodeHTTPStatus   = "HTTP_STATUS" // another unexpected status
	CodeMissingOut   = "MISSING_OUTPUT"
	CodeConfig       = "CONFIG"        // the node's configuration cannot work
	CodeNoExecutor   = "NO_EXECUTOR"   // no executor for the node's type
	CodeRejected     = "REJECTED"      // a person rejected an approval
	CodeExpression   = "EXPRESSION"    // a CEL expression failed to evaluate
	CodeInterrupted  = "INTERRUPTED"   // the process running the node died
	CodeLoopLimit    = "LOOP_LIMIT"    // a rework loop reached its bound
	CodeManualFailed = "MANUAL_FAILED" // a person said a manual step failed
	CodeUnanswered   = "UNANSWERED"    // a manual step nobody in this run can answer
	CodeUnclassified = "ERROR"
)

// EventKind names what happened.
type EventKind string

// The events of a run, in the order they can happen.
const (
	RunStarted    EventKind = "run_started"
	NodeStarted   EventKind = "node_started"
	NodeRetrying  EventKind = "node_retrying"
	NodeWaiting   EventKind = "node_waiting"
	NodeOutput    EventKind = "node_output"
	NodeFinished  EventKind = "node_finished"
	NodeSkipped   EventKind = "node_skipped"
	RunFinished   EventKind = "run_finished"
	RunLogMessage EventKind = "message"
)

// Event is one thing that happened in a run. Fields that do not apply are
// empty. Secrets are masked before an event leaves the engine.
type Event struct {
	Kind      EventKind         `json:"event"`
	Time      time.Time         `json:"time"`
	RunID     ID                `json:"run_id"`
	Node      string            `json:"node,omitempty"`
	Type      string            `json:"type,omitempty"` // node type
	Attempt   int               `json:"attempt,omitempty"`
	Iteration int               `json:"iteration,omitempty"`
	Status    Status            `json:"status,omitempty"`
	Duration  time.Duration     `json:"duration_ns,omitempty"`
	Delay     time.Duration     `json:"delay_ns,omitempty"` // before the next attempt
	Code      string            `json:"code,omitempty"`
	Message   string            `json:"message,omitempty"`
	Outputs   map[string]any    `json:"outputs,omitempty"`
	Action    string            `json:"action,omitempty"` // what the node runs, for dry runs and logs
	Stdout    string            `json:"stdout,omitempty"` // the attempt's output (its tail)
	Stderr    string            `json:"stderr,omitempty"`
	Extra     map[string]string `json:"extra,omitempty"`
	// Usage is what the attempt spent on models and tools (agent nodes).
	Usage *Usage `json:"usage,omitempty"`
	// MaxAttempts is the last attempt number the node may reach in this
	// round (a resumed node numbers on from its earlier attempts).
	MaxAttempts int `json:"max_attempts,omitempty"`
}

// ProcessGroup is a process group an attempt of a node started. It is
// recorded so that, after a crash, resume can end a group still running
// before it starts the node again; Start (the leader's start time, in
// clock ticks since boot, as /proc/PID/stat gives it) tells a recycled
// process id from the original.
type ProcessGroup struct {
	Node      string `json:"node"`
	Iteration int    `json:"iteration,omitempty"`
	Attempt   int    `json:"attempt"`
	PGID      int    `json:"pgid"`
	Start     uint64 `json:"start"`
	Token     string `json:"token,omitempty"` // in the environment of all it started
	Running   bool   `json:"running"`
}
