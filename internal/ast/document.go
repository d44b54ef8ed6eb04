package ast

// FileKind says which of the three OSOP formats a file is.
type FileKind int

// The OSOP file formats.
const (
	KindWorkflow FileKind = iota // .osop, .osop.yaml, .osop.json
	KindLog                      // .osoplog.yaml: an execution record
	KindSOP                      // .sop: a collection of workflows
)

func (k FileKind) String() string {
	switch k {
	case KindLog:
		return "osoplog"
	case KindSOP:
		return "sop"
	}
	return "workflow"
}

// Document is one loaded file: its bytes, its value tree and, by kind, its
// model.
type Document struct {
	File     string
	Kind     FileKind
	Source   []byte
	Root     *Value
	Workflow *Workflow // KindWorkflow
	Log      *Log      // KindLog
	SOP      *SOP      // KindSOP
}

// Log is an execution record (.osoplog).
type Log struct {
	Version    Str
	RunID      Str
	WorkflowID Str
	Status     Str
	Records    []*NodeRecord
}

// NodeRecord is one attempt of one node in a [Log].
type NodeRecord struct {
	NodeID  Str
	Status  Str
	Attempt int
	Raw     *Value
}

// SOP is a collection of workflows (.sop).
type SOP struct {
	ID       Str
	Name     Str
	Sections []*Section
}

// Section groups workflows in a [SOP].
type Section struct {
	Name Str
	Refs []Str // paths of the workflows, relative to the .sop file
}
