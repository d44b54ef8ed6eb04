package mcpserver

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/osopdev/osop/internal/parse"
)

// Resource URIs: the workflow files under the workdir, and the runs'
// execution records.
const (
	workflowPrefix = "osop://workflows/"
	runPrefix      = "osop://runs/"
	// maxListed bounds the workflow files listed at start.
	maxListed = 1000
)

func (s *Server) addResourceTemplates() {
	s.mcp.AddResourceTemplate(&mcp.ResourceTemplate{Name: "workflow", URITemplate: workflowPrefix + "{+path}", MIMEType: "application/yaml",
		Description: "An OSOP file under the server's workdir, by its path relative to it"}, s.readWorkflow)
	s.mcp.AddResourceTemplate(&mcp.ResourceTemplate{Name: "run record", URITemplate: runPrefix + "{id}", MIMEType: "application/yaml",
		Description: "A run's execution record (.osoplog.yaml), by run id"}, s.readRecord)
}

// addResources lists the workflow files under the workdir and the
// recorded runs.
func (s *Server) addResources(ctx context.Context) {
	for _, p := range s.osopFiles(s.workdir, maxListed) {
		if strings.Contains(filepath.Base(p), ".osoplog.") {
			continue // records are listed as runs
		}
		rel := filepath.ToSlash(s.rel(p))
		s.mcp.AddResource(&mcp.Resource{URI: workflowPrefix + rel, Name: rel, MIMEType: mimeOf(rel),
			Description: "OSOP file " + rel}, s.readWorkflow)
	}
	runs, err := s.opts.Ops.Runs(ctx, RunsInput{Limit: 50})
	if err != nil {
		return // no store yet: no runs to list
	}
	for _, r := range runs.Runs {
		s.addRunResource(r.RunID)
	}
}

// osopFiles lists the OSOP files under dir, at most limit, sorted,
// skipping hidden directories, node_modules and links that lead out of
// the workdir.
func (s *Server) osopFiles(dir string, limit int) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case len(out) >= limit:
			return filepath.SkipAll
		case err != nil:
			return nil // an unreadable directory is not listed
		case d.IsDir() && p != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules"):
			return filepath.SkipDir
		}
		if !d.IsDir() && parse.HasExtension(d.Name()) {
			if real, err := s.resolve(p); err == nil {
				out = append(out, real)
			}
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func (s *Server) addRunResource(id string) {
	s.mcp.AddResource(&mcp.Resource{URI: runPrefix + id, Name: "run " + id, MIMEType: "application/yaml",
		Description: "Execution record of run " + id}, s.readRecord)
}

func mimeOf(name string) string {
	if strings.HasSuffix(name, ".json") {
		return "application/json"
	}
	return "application/yaml"
}

func (s *Server) readWorkflow(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	uri := req.Params.URI
	rel := strings.TrimPrefix(uri, workflowPrefix)
	if rel == uri || !parse.HasExtension(rel) {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	p, err := s.resolve(filepath.FromSlash(rel))
	if err != nil {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, s.opts.MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > s.opts.MaxFileBytes {
		return nil, fmt.Errorf("%s is over %d bytes", rel, s.opts.MaxFileBytes)
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: mimeOf(rel), Text: string(data)}}}, nil
}

func (s *Server) readRecord(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	uri := req.Params.URI
	id := strings.TrimPrefix(uri, runPrefix)
	if id == uri || id == "" || strings.ContainsAny(id, "/\\") {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	data, err := s.opts.Ops.Record(ctx, id)
	if err != nil {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: "application/yaml", Text: string(data)}}}, nil
}
