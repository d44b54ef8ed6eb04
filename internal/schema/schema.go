package schema

import (
	"embed"
	"fmt"
	"slices"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

//go:embed schemas/*.yaml
var files embed.FS

// Profile names a schema.
type Profile string

// The schemas osop carries.
const (
	Default Profile = "osop"         // every dialect; the default for workflows
	Core    Profile = "core"         // the published OSOP Core schema's verdicts
	Full    Profile = "full"         // the published full schema's verdicts
	Log     Profile = "osoplog"      // execution records as osop writes them: the published schema plus osop's additions
	LogRead Profile = "osoplog-read" // execution records as `osop validate` accepts them from anyone
	SOP     Profile = "sop"          // SOP documents
)

// WorkflowProfiles are the profiles a user may pick for workflows.
var WorkflowProfiles = []Profile{Default, Core, Full}

// ParseProfile checks a --schema flag value.
func ParseProfile(s string) (Profile, error) {
	p := Profile(s)
	if slices.Contains(WorkflowProfiles, p) {
		return p, nil
	}
	return "", fmt.Errorf("unknown schema %q: want one of osop (default), core, full", s)
}

// Source returns a profile's schema as written (YAML), for `osop schema`.
func Source(p Profile) ([]byte, error) {
	return files.ReadFile("schemas/" + string(p) + ".yaml")
}

// compiled holds one compiler run per profile: each schema is compiled
// the first time a file is checked against it, so that validating a
// workflow does not pay for the execution-record and SOP schemas, and
// commands that check nothing pay for none. The schemas refer only to
// themselves.
var compiled = map[Profile]func() (*jsonschema.Schema, error){
	Default: sync.OnceValues(func() (*jsonschema.Schema, error) { return compile(Default) }),
	Core:    sync.OnceValues(func() (*jsonschema.Schema, error) { return compile(Core) }),
	Full:    sync.OnceValues(func() (*jsonschema.Schema, error) { return compile(Full) }),
	Log:     sync.OnceValues(func() (*jsonschema.Schema, error) { return compile(Log) }),
	LogRead: sync.OnceValues(func() (*jsonschema.Schema, error) { return compile(LogRead) }),
	SOP:     sync.OnceValues(func() (*jsonschema.Schema, error) { return compile(SOP) }),
}

func get(p Profile) (*jsonschema.Schema, error) {
	c, ok := compiled[p]
	if !ok {
		return nil, fmt.Errorf("unknown schema profile %q", p)
	}
	return c()
}

func compile(p Profile) (*jsonschema.Schema, error) {
	src, err := Source(p)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("schema %s: %w", p, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // records' times are date-times; the workflow schemas use no format
	if err := c.AddResource(url(p), doc); err != nil {
		return nil, fmt.Errorf("schema %s: %w", p, err)
	}
	s, err := c.Compile(url(p))
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", p, err)
	}
	return s, nil
}

func url(p Profile) string { return "https://osop.dev/schemas/" + string(p) + ".json" }

// Check validates a document's tree against profile p and returns one
// diagnostic per problem, at the value it concerns.
func Check(file string, root *ast.Value, p Profile) diag.Diagnostics {
	s, err := get(p)
	if err != nil {
		// The schemas are embedded and tested; this is a build defect.
		panic(fmt.Sprintf("osop: embedded schema does not compile: %v", err))
	}
	return check(file, root, p, s)
}

// CheckWith validates a document's tree against a schema given as its
// JSON or YAML source (the published osoplog schema, for instance), with
// formats such as date-time asserted. An error means the schema itself
// cannot be used.
func CheckWith(file string, root *ast.Value, src []byte) (diag.Diagnostics, error) {
	var doc any
	if err := yaml.Unmarshal(src, &doc); err != nil { // JSON is YAML
		return nil, fmt.Errorf("schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const u = "https://osop.dev/schemas/given.json"
	if err := c.AddResource(u, doc); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	s, err := c.Compile(u)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return check(file, root, "given", s), nil
}

func check(file string, root *ast.Value, p Profile, s *jsonschema.Schema) diag.Diagnostics {
	err := s.Validate(root.Interface())
	if err == nil {
		return nil
	}
	verr, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return diag.Diagnostics{}.Append(diag.Error, "schema", root.Range, err.Error(), "")
	}
	r := &reporter{file: file, root: root, profile: p}
	r.walk(verr)
	return r.ds
}
