package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/expr"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/schema"
)

// Options controls [Document].
type Options struct {
	// Profile is the schema workflows are checked against; the default
	// accepts every dialect.
	Profile schema.Profile
	// Runtime checks nodes' runtime configuration; nil skips those checks.
	Runtime RuntimeChecker
	// Vars are template variables the user will pass (osop run --var), so
	// references to them are not reported as undeclared.
	Vars []string
}

// OutputDeclarer is implemented by a [RuntimeChecker] that knows the
// outputs a node has without declaring them: its executor's (a db node's
// rows). References to them are checked as if they were declared.
type OutputDeclarer interface {
	ImplicitOutputs(n *ast.Node) []string
}

// implicitOutputs are n's outputs that its executor sets undeclared.
func (c *checker) implicitOutputs(n *ast.Node) []string {
	if d, ok := c.opts.Runtime.(OutputDeclarer); ok {
		return d.ImplicitOutputs(n)
	}
	return nil
}

// RuntimeChecker checks a node's runtime configuration. Executors implement
// it; problems come back as field paths, which the validator positions.
type RuntimeChecker interface {
	CheckNode(n *ast.Node) []FieldProblem
}

// FieldProblem is a problem with one field of a node, such as
// runtime.method.
type FieldProblem struct {
	Path     []string // from the node: ["runtime", "method"]
	Severity diag.Severity
	Summary  string
	Detail   string
	// Token, when set, is the text the problem is about, at byte Offset
	// of the string at Path: the diagnostic points at it.
	Token  string
	Offset int
}

// Document checks a loaded document and returns every problem found,
// sorted by position. Diagnostics from loading are not repeated.
func Document(doc *ast.Document, opts Options) diag.Diagnostics {
	if doc.Root == nil || !doc.Root.IsMap() {
		return nil
	}
	var ds diag.Diagnostics
	switch doc.Kind {
	case ast.KindLog:
		ds = append(schema.Check(doc.File, doc.Root, schema.LogRead), checkLog(doc)...)
	case ast.KindSOP:
		ds = append(schema.Check(doc.File, doc.Root, schema.SOP), checkSOP(doc)...)
	default:
		p := opts.Profile
		if p == "" {
			p = schema.Default
		}
		ds = schema.Check(doc.File, doc.Root, p)
		ds = append(ds, Workflow(doc.Workflow, doc.Source, opts)...)
	}
	ds.Sort()
	return ds
}

// checker holds what the workflow rules share.
type checker struct {
	w     *ast.Workflow
	src   []string // source lines, for positions inside strings
	opts  Options
	g     *graph.Graph
	anc   []graph.Set
	env   *expr.Env
	ds    diag.Diagnostics
	known map[string]bool // template variables the user passes

	globalNames map[string]string // computed once by globals()
	producedBy  map[string][]int  // computed once by producers()
	impliedList []Implied         // computed once by impliedNames()
}

// Workflow runs the semantic rules on a workflow. src is the file's bytes,
// used to position problems inside multi-line strings.
func Workflow(w *ast.Workflow, src []byte, opts Options) diag.Diagnostics {
	c := &checker{w: w, opts: opts, g: graph.New(w), src: strings.Split(string(src), "\n"), known: map[string]bool{}}
	for _, v := range opts.Vars {
		c.known[v] = true
	}
	c.anc = c.g.Ancestors()
	c.version()
	c.fields()
	c.nodes()
	c.edges()
	c.structure()
	c.expressions()
	c.templates()
	c.inputs()
	c.runtimeConfig()
	return c.ds
}

func (c *checker) add(sev diag.Severity, code string, at diag.Range, detail, format string, args ...any) {
	if !at.IsValid() && at.File == "" {
		at = diag.Range{File: c.w.File, Start: diag.Pos{Line: 1, Column: 1}, End: diag.Pos{Line: 1, Column: 1}}
	}
	c.ds = append(c.ds, &diag.Diagnostic{
		Severity: sev, Code: code, Summary: fmt.Sprintf(format, args...), Detail: detail, Subject: at,
	})
}

// Supported protocol versions: every 1.x and 2.x is read; these minors are
// the ones published.
var knownVersions = []string{"1.0", "1.1", "2.0"}

func (c *checker) version() {
	v := c.w.Version
	if !v.Set() {
		return // the schema reports it missing
	}
	major, minor, ok := strings.Cut(v.V, ".")
	if !ok {
		return // the schema reports the form
	}
	if major != "1" && major != "2" {
		c.add(diag.Error, "unsupported-version", v.R,
			"osop reads OSOP 1.0, 1.1 and 2.0; a newer osop may read this file",
			"osop_version %q has major version %s, which osop does not read", v.V, major)
		return
	}
	mm := major + "." + strings.SplitN(minor, ".", 2)[0]
	if _, err := strconv.Atoi(strings.SplitN(minor, ".", 2)[0]); err == nil && !slices.Contains(knownVersions, mm) {
		c.add(diag.Warning, "unsupported-version", v.R,
			"it is read with the rules of the newest version osop knows of that major",
			"osop_version %q is newer than the versions osop knows (%s)", v.V, strings.Join(knownVersions, ", "))
	}
}

// runtimeConfig asks the executors about each node's runtime.
func (c *checker) runtimeConfig() {
	if c.opts.Runtime == nil {
		return
	}
	for _, n := range c.w.Nodes {
		for _, p := range c.opts.Runtime.CheckNode(n) {
			at := n.Range
			if v := n.Raw.Lookup(p.Path); v != nil && p.Token != "" && v.Kind == ast.String {
				at = c.offsetIn(v, p.Offset, p.Token)
			} else if v != nil {
				at = v.Range
			} else if len(p.Path) > 0 {
				if parent := n.Raw.Lookup(p.Path[:len(p.Path)-1]); parent != nil {
					if f := parent.Field(p.Path[len(p.Path)-1]); f != nil {
						at = f.KeyRange
					} else {
						at = parent.Range
					}
				}
			}
			c.add(p.Severity, "runtime-config", at, p.Detail, "node %q %s: %s", n.ID.V, strings.Join(p.Path, "."), p.Summary)
		}
	}
}

func checkLog(doc *ast.Document) diag.Diagnostics {
	var ds diag.Diagnostics
	check := func(m *ast.Value, what string) {
		start, end := timeField(m, "started_at"), timeField(m, "ended_at")
		if !start.IsZero() && !end.IsZero() && end.Before(start) {
			ds = ds.Append(diag.Error, "log-record", m.Get("ended_at").Range,
				fmt.Sprintf("%s ended (%s) before it started (%s)", what, end.Format(time.RFC3339), start.Format(time.RFC3339)),
				"timestamps are RFC 3339; check the time zone")
		}
	}
	check(doc.Root, "the run")
	for _, r := range doc.Log.Records {
		check(r.Raw, fmt.Sprintf("node %q attempt %d", r.NodeID.V, r.Attempt))
	}
	return ds
}

func timeField(m *ast.Value, key string) time.Time {
	s, _ := m.Get(key).String()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func checkSOP(doc *ast.Document) diag.Diagnostics {
	var ds diag.Diagnostics
	dir := filepath.Dir(doc.File)
	for _, sec := range doc.SOP.Sections {
		for _, ref := range sec.Refs {
			p := ref.V
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			if _, err := os.Stat(p); err != nil {
				ds = ds.Append(diag.Error, "sop-ref", ref.R,
					fmt.Sprintf("workflow %q does not exist", ref.V),
					"refs are paths relative to the .sop file")
			}
		}
	}
	return ds
}
