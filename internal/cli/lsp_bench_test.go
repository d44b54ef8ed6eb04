package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/osopdev/osop/internal/lsp"
	"github.com/osopdev/osop/internal/lsp/lsptest"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
)

// BenchmarkLSP_editToDiagnostics measures one keystroke's round trip
// through osop lsp: an incremental didChange written to the server's
// pipe, the full osop validate check (parse, schema, rules, executor
// checks), and the publishDiagnostics notification read back by the
// client. The 50 ms debounce is set to zero here: it is a deliberate
// wait, not work.
//
//	OSOP_SHARED=/work/shared go test ./internal/cli -run '^$' -bench LSP -benchtime 200x
func BenchmarkLSP_editToDiagnostics(b *testing.B) {
	largest := largestCorpusFile(b)
	src, err := os.ReadFile(largest)
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name, file, text string
	}{
		{"largest-corpus-file/" + filepath.Base(largest), largest, string(src)},
		{"generated-1000-nodes", "/tmp/big.osop.yaml", generatedWorkflow(1000)},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			f := newFactory(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
			sopts, err := lspOptions(&LSPOptions{Limits: parse.DefaultLimits, Schema: "osop", registry: f.registry()})
			if err != nil {
				b.Fatal(err)
			}
			sopts.Debounce = time.Nanosecond
			c := lsptest.Start(b, sopts)
			uri := "file://" + bc.file
			c.Open(uri, bc.text)
			if p := c.Diagnostics(uri, 1); bc.name == "generated-1000-nodes" && len(p.Diagnostics) != 0 {
				b.Fatalf("the generated workflow is not valid: %+v", p.Diagnostics[0])
			}
			// Each edit types or deletes one character of a comment on
			// the first line, so every version is checked in full.
			at := lsp.Range{}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				version := i + 2
				if i%2 == 0 {
					c.Edit(uri, version, at, "#")
				} else {
					c.Edit(uri, version, lsp.Range{End: lsp.Position{Character: 1}}, "")
				}
				c.Diagnostics(uri, version)
			}
			b.ReportMetric(float64(len(bc.text)), "bytes")
		})
	}
}

func largestCorpusFile(b *testing.B) string {
	var best string
	var size int64
	for _, f := range shared.Files(b, shared.Dir(b, "corpus"), parse.Extensions...) {
		if st, err := os.Stat(f); err == nil && st.Size() > size {
			best, size = f, st.Size()
		}
	}
	return best
}

// generatedWorkflow is a chain of n shell nodes, each reading the
// previous node's output, with a conditional edge every tenth node.
func generatedWorkflow(n int) string {
	var b strings.Builder
	b.WriteString("osop_version: \"2.0\"\nid: big\nname: Big\nnodes:\n")
	for i := range n {
		read := ""
		if i > 0 {
			read = fmt.Sprintf("echo ${outputs.n%d.out}; ", i-1)
		}
		fmt.Fprintf(&b, "  - id: n%d\n    type: cli\n    purpose: step %d\n    runtime: {command: \"%secho out=%d >> $OSOP_OUTPUT\"}\n    outputs: [out]\n",
			i, i, read, i)
	}
	b.WriteString("edges:\n")
	for i := 1; i < n; i++ {
		if i%10 == 0 {
			fmt.Fprintf(&b, "  - {from: n%d, to: n%d, mode: conditional, when: \"outputs.n%d.out != ''\"}\n", i-1, i, i-1)
			continue
		}
		fmt.Fprintf(&b, "  - {from: n%d, to: n%d}\n", i-1, i)
	}
	return b.String()
}

// BenchmarkLSP_checkOnly is the check alone, without the server, the
// pipes or the JSON: what of an edit's latency is osop validate's.
func BenchmarkLSP_checkOnly(b *testing.B) {
	f := newFactory(&IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	sopts, err := lspOptions(&LSPOptions{Limits: parse.DefaultLimits, Schema: "osop", registry: f.registry()})
	if err != nil {
		b.Fatal(err)
	}
	src := []byte(generatedWorkflow(1000))
	b.ReportAllocs()
	for b.Loop() {
		sopts.Check("/tmp/big.osop.yaml", src)
	}
}
