package cli

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/lsp"
	"github.com/osopdev/osop/internal/lsp/lsptest"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
)

// published is one diagnostic as both sides are compared: the LSP's
// zero-based UTF-16 range turned back into osop's line and column.
type published struct {
	Code, Severity, Message string
	Start, End              diag.Pos
}

// TestLSP_matchesValidate opens every corpus and seed file in the
// language server and checks that it publishes exactly what `osop
// validate --format json` reports: same rule ids, severities, messages
// and ranges.
func TestLSP_matchesValidate(t *testing.T) {
	var files []string
	for _, sub := range []string{"corpus", "seed"} {
		files = append(files, shared.Files(t, shared.Dir(t, sub), parse.Extensions...)...)
	}
	f := newFactory(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	sopts, err := lspOptions(&LSPOptions{Limits: parse.DefaultLimits, Schema: "osop", registry: f.registry()})
	if err != nil {
		t.Fatal(err)
	}
	c := lsptest.Start(t, sopts)
	compared := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		abs, _ := filepath.Abs(file)
		uri := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
		c.Open(uri, string(src))
		got := fromLSP(src, c.Diagnostics(uri, 1).Diagnostics)
		want := fromValidate(t, file)
		compared += len(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: LSP diagnostics differ from osop validate (-validate +lsp):\n%s", file, diff)
		}
	}
	if len(files) < 50 || compared < 20 {
		t.Errorf("only %d corpus files with %d diagnostics: the comparison proves little", len(files), compared)
	}
	t.Logf("%d files, %d diagnostics compared", len(files), compared)
}

func fromValidate(t *testing.T, file string) []published {
	t.Helper()
	var out, errb bytes.Buffer
	Main(t.Context(), []string{"validate", "--format", "json", file}, &IOStreams{Out: &out, ErrOut: &errb})
	var res struct {
		Files []struct {
			Diagnostics []struct {
				Severity, Code, Summary, Detail string
				Subject                         diag.Range
			} `json:"diagnostics"`
		} `json:"files"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Files) != 1 {
		t.Fatalf("validate %s: %v\n%s%s", file, err, out.String(), errb.String())
	}
	ps := []published{}
	for _, d := range res.Files[0].Diagnostics {
		msg := d.Summary
		if d.Detail != "" {
			msg += "\n" + d.Detail
		}
		end := d.Subject.End
		if !end.IsValid() || end.Before(d.Subject.Start) {
			end = d.Subject.Start
		}
		ps = append(ps, published{Code: d.Code, Severity: d.Severity, Message: msg, Start: d.Subject.Start, End: end})
	}
	return ps
}

func fromLSP(src []byte, ds []lsp.Diagnostic) []published {
	lines := strings.Split(string(src), "\n")
	back := func(p lsp.Position) diag.Pos {
		units, col := 0, 1
		for _, r := range strings.TrimSuffix(lines[p.Line], "\r") {
			if units >= p.Character {
				break
			}
			units++
			if r >= 0x10000 {
				units++
			}
			col++
		}
		return diag.Pos{Line: p.Line + 1, Column: col}
	}
	ps := []published{}
	sev := map[int]string{lsp.SeverityError: "error", lsp.SeverityWarning: "warning", lsp.SeverityInformation: "info"}
	for _, d := range ds {
		ps = append(ps, published{Code: d.Code, Severity: sev[d.Severity], Message: d.Message, Start: back(d.Range.Start), End: back(d.Range.End)})
	}
	return ps
}

// The osop.render command returns exactly what osop render -f svg writes,
// and a hover shows the dry run's description of what a node runs.
func TestLSP_renderAndHover(t *testing.T) {
	seed := filepath.Join(shared.Dir(t, "seed"), "kubernetes-deploy.osop.yaml")
	src, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	f := newFactory(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	sopts, err := lspOptions(&LSPOptions{Limits: parse.DefaultLimits, Schema: "osop", registry: f.registry()})
	if err != nil {
		t.Fatal(err)
	}
	c := lsptest.Start(t, sopts)
	uri := "file://" + filepath.ToSlash(seed)
	c.Open(uri, string(src))

	var got lsp.RenderResult
	c.Call("workspace/executeCommand", map[string]any{"command": lsp.RenderCommand, "arguments": []string{uri}}, &got)
	var want, errb bytes.Buffer
	if code := Main(t.Context(), []string{"render", "-f", "svg", seed}, &IOStreams{Out: &want, ErrOut: &errb}); code != 0 {
		t.Fatalf("osop render: exit %d: %s", code, errb.String())
	}
	if got.SVG != want.String() || !strings.Contains(got.SVG, "<svg") {
		t.Errorf("osop.render returned %d bytes, osop render %d; they differ:\n%s", len(got.SVG), want.Len(), cmp.Diff(want.String(), got.SVG))
	}

	line := strings.Count(string(src[:strings.Index(string(src), "id: build_image")]), "\n")
	var h lsp.Hover
	c.Call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": uri},
		"position": lsp.Position{Line: line, Character: 12}}, &h)
	if !strings.Contains(h.Contents.Value, "docker build") || !strings.Contains(h.Contents.Value, "**build_image** · `docker`") {
		t.Errorf("hover on build_image:\n%s", h.Contents.Value)
	}
	if err := c.TryCall("workspace/executeCommand", map[string]any{"command": "osop.nothing", "arguments": []string{uri}}, nil); err == nil {
		t.Error("an unknown command succeeded")
	}
}
