package validate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
)

func benchLoadValidate(b *testing.B, name string, src []byte) {
	b.Helper()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		doc, ds := parse.Bytes(name, src, parse.Limits{MaxBytes: 64 << 20, MaxDepth: 64, MaxValues: 10_000_000})
		ds = append(ds, Document(doc, Options{})...)
		if ds.HasErrors() {
			b.Fatal(ds)
		}
	}
}

// BenchmarkLoadValidateSeed loads and validates the seed workflow.
func BenchmarkLoadValidateSeed(b *testing.B) {
	src, err := os.ReadFile(filepath.Join(shared.Dir(b, "seed"), "kubernetes-deploy.osop.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	benchLoadValidate(b, "seed.osop.yaml", src)
}

// BenchmarkLoadValidate5000 loads and validates a generated 5,000-node
// workflow: stages of parallel fan-out and join, each node with outputs,
// inputs, a templated command and a CEL condition on the join.
func BenchmarkLoadValidate5000(b *testing.B) {
	benchLoadValidate(b, "big.osop.yaml", generated(5000))
}

// generated writes a workflow of n nodes in stages of five: a head that
// fans out to three workers, which join into a tail.
func generated(n int) []byte {
	var s strings.Builder
	s.WriteString("osop_version: \"2.0\"\nid: big\nname: Big\nnodes:\n")
	for i := range n {
		fmt.Fprintf(&s, "  - id: n%d\n    type: cli\n    purpose: step %d\n    outputs: [out%d]\n", i, i, i)
		if i > 0 {
			prev := i - 1 - (i-1)%5
			if i%5 == 0 {
				prev = i - 1
			}
			fmt.Fprintf(&s, "    inputs: [out%d]\n", prev)
			fmt.Fprintf(&s, "    runtime: {command: \"echo {{out%d}} ${outputs.n%d.out%d}\"}\n", prev, prev, prev)
		}
		s.WriteString("    timeout_sec: 30\n")
	}
	s.WriteString("edges:\n")
	for i := 0; i+4 < n; i += 5 {
		for w := 1; w <= 3; w++ {
			fmt.Fprintf(&s, "  - {from: n%d, to: n%d, mode: parallel}\n", i, i+w)
			fmt.Fprintf(&s, "  - {from: n%d, to: n%d, mode: conditional, when: \"out%d != ''\"}\n", i+w, i+4, i+w)
		}
		if i+5 < n {
			fmt.Fprintf(&s, "  - {from: n%d, to: n%d}\n", i+4, i+5)
		}
	}
	return []byte(s.String())
}

func TestGeneratedIsValid(t *testing.T) {
	src := generated(50)
	doc, ds := parse.Bytes("g.osop.yaml", src, parse.DefaultLimits)
	ds = append(ds, Document(doc, Options{})...)
	if len(ds.Filter(diag.Warning)) != 0 {
		t.Fatalf("generated workflow has problems: %v", ds.Filter(diag.Warning))
	}
}
