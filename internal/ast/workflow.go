package ast

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/osopdev/osop/internal/diag"
)

// Str is a string field and where it was written. A zero Range means the
// field was absent.
type Str struct {
	V string
	R diag.Range
}

// Set reports whether the field was present.
func (s Str) Set() bool { return s.R.IsValid() }

// Workflow is an OSOP workflow, normalised from whichever dialects the file
// mixed. Root keeps the document as written.
type Workflow struct {
	File string
	Root *Value

	Version         Str // osop_version (or the visual editor's osop)
	ID              Str
	Name            Str
	Description     Str
	WorkflowVersion Str // the workflow's own version, not the protocol's
	Owner           Str
	Tags            []Str

	Inputs    []*Param // workflow inputs, from a name list or a JSON-Schema map
	Outputs   []*Param
	Variables []*Param // the variables map; names usable as bare identifiers

	Nodes []*Node
	Edges []*Edge

	Retry   *Retry    // the default retry policy
	Timeout *Duration // the whole run's deadline (timeout_sec or timeout)

	// Concurrency is our extension: runs that share a key never overlap.
	Concurrency Str

	Security *Value
	Metadata *Value
	Env      *Value
	Imports  []Str

	index workflowIndex
}

// workflowIndex finds nodes and edges by id without a walk of the whole
// workflow, which a run of thousands of nodes would make once a node. It
// is built when first asked: a workflow never changes once parsed.
type workflowIndex struct {
	once  sync.Once
	nodes map[string]*Node
	from  map[string][]*Edge
}

func (w *Workflow) indexed() *workflowIndex {
	w.index.once.Do(func() {
		x := &w.index
		x.nodes = make(map[string]*Node, len(w.Nodes))
		for _, n := range w.Nodes {
			if _, dup := x.nodes[n.ID.V]; !dup {
				x.nodes[n.ID.V] = n // the first of duplicate ids, as a walk would find
			}
		}
		x.from = make(map[string][]*Edge, len(w.Nodes))
		for _, e := range w.Edges {
			x.from[e.From.V] = append(x.from[e.From.V], e)
		}
	})
	return &w.index
}

// Node looks a node up by id, or returns nil; with duplicate ids, the
// first.
func (w *Workflow) Node(id string) *Node {
	return w.indexed().nodes[id]
}

// EdgesFrom returns the edges leaving node id, in file order. The slice
// is shared: do not change it.
func (w *Workflow) EdgesFrom(id string) []*Edge {
	return w.indexed().from[id]
}

// Param is one declared input or output, whichever form declared it: a bare
// name, an object with a name, or an entry of a JSON-Schema properties map.
type Param struct {
	Name        string
	Range       diag.Range
	Type        string // JSON Schema type, when the declaration gives one
	Description string
	Required    bool
	Default     *Value
	Enum        []*Value
	Schema      *Value // the declaration itself, when it is a map
}

// Parse reads s as a value of the declared type (see [ParseAs]).
func (p *Param) Parse(s string) (any, error) { return ParseAs(p.Type, s) }

// ParseAs reads s as a value of JSON Schema type typ: integer, number and
// boolean as such (spaces around them ignored), array and object as JSON
// of that kind; any other type, or none, keeps the string.
func ParseAs(typ, s string) (any, error) {
	switch typ {
	case "integer":
		return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	case "number":
		return strconv.ParseFloat(strings.TrimSpace(s), 64)
	case "boolean":
		return strconv.ParseBool(strings.TrimSpace(s))
	case "array", "object":
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, err
		}
		_, isList := v.([]any)
		_, isMap := v.(map[string]any)
		if (typ == "array" && !isList) || (typ == "object" && !isMap) {
			return nil, fmt.Errorf("not a JSON %s", typ)
		}
		return v, nil
	}
	return s, nil
}

// Node is one step of a workflow.
type Node struct {
	Raw   *Value
	Range diag.Range

	ID          Str
	Type        Str
	Subtype     Str
	Name        Str
	Purpose     Str
	Description Str
	Role        Str
	Explain     *Explain

	Inputs  []*Param
	Outputs []*Param

	// Runtime is the runtime map, with the legacy top-level command/cmd
	// folded in as runtime.command. Nil when the node has none.
	Runtime *Value

	Retry    *Retry
	Timeout  *Duration
	Approval *Approval
	Security *Value

	WorkflowRef    Str
	WorkflowInputs *Value
	Parent         Str
}

// Label is what a person calls the node: its name, else its purpose, else
// its id.
func (n *Node) Label() string {
	switch {
	case n.Name.V != "":
		return n.Name.V
	case n.Purpose.V != "":
		return n.Purpose.V
	}
	return n.ID.V
}

// Summary is the sentence that says what the node does: its purpose or
// description (or its name when it has nothing else).
func (n *Node) Summary() string {
	switch {
	case n.Purpose.V != "":
		return n.Purpose.V
	case n.Description.V != "":
		return n.Description.V
	case n.Name.V != "":
		return n.Name.V
	}
	return ""
}

// RuntimeString returns a string field of the runtime map, or "".
func (n *Node) RuntimeString(key string) string {
	s, _ := n.Runtime.Get(key).String()
	return s
}

// HasOutput reports whether the node declares an output called name.
func (n *Node) HasOutput(name string) bool {
	for _, o := range n.Outputs {
		if o.Name == name {
			return true
		}
	}
	return false
}

// Explain is the node's explanation: free text or why/what/result.
type Explain struct {
	Text, Why, What, Result string
}

// Approval is an approval gate on a node, however it was written.
type Approval struct {
	Required  bool
	Approvers []string
	Timeout   time.Duration
	Range     diag.Range
}

// Retry is a retry policy normalised from either dialect:
// retry_policy {max_retries, backoff_sec, strategy} or
// retry {max_attempts, backoff {type, initial_delay, max_delay, multiplier}}.
type Retry struct {
	// MaxAttempts counts every attempt, the first included; below 1 means
	// the file asked for a negative number of retries.
	MaxAttempts int
	// CountRange is where the count was written.
	CountRange      diag.Range
	Backoff         Backoff
	RetryableErrors []string
	Jitter          bool
	Range           diag.Range
}

// Backoff says how long to wait between attempts.
type Backoff struct {
	Type       string // fixed, linear or exponential
	Initial    time.Duration
	Max        time.Duration // 0: unbounded
	Multiplier float64
	Range      diag.Range
}

// Delay returns the wait before attempt n+1 after attempt n failed (n ≥ 1),
// before jitter.
func (b Backoff) Delay(n int) time.Duration {
	d := b.Initial
	switch b.Type {
	case "linear":
		d = b.Initial * time.Duration(n)
	case "exponential":
		m := b.Multiplier
		if m <= 0 {
			m = 2
		}
		f := float64(b.Initial)
		for i := 1; i < n; i++ {
			f *= m
			if b.Max > 0 && f > float64(b.Max) {
				break
			}
		}
		d = time.Duration(f)
	}
	if b.Max > 0 && d > b.Max {
		d = b.Max
	}
	return d
}

// Duration is a timeout as written: seconds or a string such as "10m".
type Duration struct {
	D     time.Duration
	Raw   string
	Range diag.Range
}

// Edge is a connection between nodes.
type Edge struct {
	Raw   *Value
	Range diag.Range

	From Str
	To   Str
	Mode Str // "sequential" when absent; the Range is then the edge's
	// When is the CEL condition, from when or its alias condition.
	When  Str
	Label Str

	ForEach       Str
	IteratorVar   Str
	MaxIterations int

	JoinMode  Str
	JoinCount int

	Cases     []*Case
	DefaultTo Str

	SpawnCount int
}

// Case is one branch of a switch edge.
type Case struct {
	Value *Value
	To    Str
}

// Targets returns every node the edge can lead to: its to, and for a switch
// its cases and default, each once, in order.
func (e *Edge) Targets() []Str {
	out := []Str{e.To}
	seen := map[string]bool{e.To.V: true}
	add := func(s Str) {
		if s.V != "" && !seen[s.V] {
			seen[s.V] = true
			out = append(out, s)
		}
	}
	for _, c := range e.Cases {
		add(c.To)
	}
	add(e.DefaultTo)
	return out
}

// IsFailurePath reports whether the edge is followed when its source fails
// (fallback, error, timeout, compensation) rather than on the happy path.
func (e *Edge) IsFailurePath() bool {
	switch e.Mode.V {
	case "fallback", "error", "timeout", "compensation":
		return true
	}
	return false
}
