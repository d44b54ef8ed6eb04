package parse

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// Extensions lists the file names osop recognises, longest first.
var Extensions = []string{
	".osoplog.yaml", ".osoplog.yml", ".osoplog.json", ".osoplog",
	".osop.yaml", ".osop.yml", ".osop.json", ".osop", ".sop",
}

// HasExtension reports whether name ends in one of [Extensions].
func HasExtension(name string) bool {
	for _, ext := range Extensions {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// ReadError is a file that could not be read at all (exit code 2).
type ReadError struct {
	File string
	Err  error
}

func (e *ReadError) Error() string { return fmt.Sprintf("read %s: %v", e.File, e.Err) }
func (e *ReadError) Unwrap() error { return e.Err }

// File reads and loads one file. A ReadError means the file could not be
// read; every problem with its content is a diagnostic instead.
func File(name string, lim Limits) (*ast.Document, diag.Diagnostics, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, &ReadError{File: name, Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		return nil, nil, &ReadError{File: name, Err: fmt.Errorf("is a directory")}
	}
	// An oversized file is reported with its real size, without reading it.
	if err == nil && st.Mode().IsRegular() && lim.MaxBytes > 0 && st.Size() > lim.MaxBytes {
		doc := &ast.Document{File: name, Kind: kindOf(name, nil)}
		return doc, diag.Diagnostics{tooLarge(name, fmt.Sprintf("%d bytes", st.Size()), lim.MaxBytes)}, nil
	}
	// Anything else (a pipe, say) is read one byte past the limit, so that
	// it is refused without being read whole.
	r := io.Reader(f)
	if lim.MaxBytes > 0 {
		r = io.LimitReader(f, lim.MaxBytes+1)
	}
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, &ReadError{File: name, Err: err}
	}
	if lim.MaxBytes > 0 && int64(len(src)) > lim.MaxBytes {
		doc := &ast.Document{File: name, Kind: kindOf(name, nil)}
		return doc, diag.Diagnostics{tooLarge(name, fmt.Sprintf("over %d bytes", lim.MaxBytes), lim.MaxBytes)}, nil
	}
	doc, ds := Bytes(name, src, lim)
	return doc, ds, nil
}

// Bytes loads a file's content. The document is never nil; its Root is nil
// when the bytes did not parse.
func Bytes(name string, src []byte, lim Limits) (*ast.Document, diag.Diagnostics) {
	doc := &ast.Document{File: name, Source: src}
	root, ds := Tree(name, src, lim)
	doc.Root = root
	doc.Kind = kindOf(name, root)
	if root == nil {
		return doc, ds
	}
	if !root.IsMap() {
		ds = ds.Append(diag.Error, "not-a-map", root.Range,
			fmt.Sprintf("the document is %s, not a map of fields", root.Describe()),
			"an OSOP file is a map with osop_version, id, name, nodes and edges")
		return doc, ds
	}
	var more diag.Diagnostics
	switch doc.Kind {
	case ast.KindLog:
		doc.Log = Log(root)
	case ast.KindSOP:
		doc.SOP = SOP(root)
	default:
		doc.Workflow, more = Workflow(name, root)
	}
	return doc, append(ds, more...)
}

// kindOf tells the format by extension, then by content for other names.
func kindOf(name string, root *ast.Value) ast.FileKind {
	base := strings.ToLower(filepath.Base(name))
	switch {
	case strings.Contains(base, ".osoplog"):
		return ast.KindLog
	case strings.HasSuffix(base, ".sop"):
		return ast.KindSOP
	case strings.Contains(base, ".osop"):
		return ast.KindWorkflow
	case root.Get("osoplog_version") != nil:
		return ast.KindLog
	case root.Get("sop_version") != nil:
		return ast.KindSOP
	}
	return ast.KindWorkflow
}

// Log reads an execution record.
func Log(root *ast.Value) *ast.Log {
	lg := &ast.Log{
		Version: str(root, "osoplog_version"), RunID: str(root, "run_id"),
		WorkflowID: str(root, "workflow_id"), Status: str(root, "status"),
	}
	if recs := root.Get("node_records"); recs.IsList() {
		for _, r := range recs.Items {
			if !r.IsMap() {
				continue
			}
			a, _ := intOf(r.Get("attempt"))
			lg.Records = append(lg.Records, &ast.NodeRecord{
				NodeID: str(r, "node_id"), Status: str(r, "status"), Attempt: a, Raw: r,
			})
		}
	}
	return lg
}

// SOP reads a collection of workflows.
func SOP(root *ast.Value) *ast.SOP {
	s := &ast.SOP{ID: str(root, "id"), Name: str(root, "name")}
	if secs := root.Get("sections"); secs.IsList() {
		for _, sv := range secs.Items {
			if !sv.IsMap() {
				continue
			}
			sec := &ast.Section{Name: str(sv, "name")}
			if wfs := sv.Get("workflows"); wfs.IsList() {
				for _, w := range wfs.Items {
					if ref := str(w, "ref"); ref.Set() {
						sec.Refs = append(sec.Refs, ref)
					}
				}
			}
			s.Sections = append(s.Sections, sec)
		}
	}
	return s
}
