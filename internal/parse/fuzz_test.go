package parse

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/osopdev/osop/internal/shared"
)

// FuzzLoad feeds arbitrary bytes to the loader. It must never panic, and
// must always return a document (with a tree or with a diagnostic saying
// why not).
func FuzzLoad(f *testing.F) {
	seeds := []string{
		"osop_version: '2.0'\nid: a\nname: b\nnodes: [{id: n, type: cli}]\nedges: []\n",
		`{"osop_version": "1.0", "id": "j", "name": "J", "nodes": [{"id": "x", "type": "api"}]}`,
		"a: &a [*a]\n", "<<: *x\n", "? [a]\n: b\n", "---\na: 1\n---\nb: 2\n", "\xff", "nodes: [[[[",
		"nodes:\n  - id: a\n    retry: {max_attempts: -3, backoff: {initial_delay: 5x}}\n    timeout: -1\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if dir, ok := shared.Lookup("seed"); ok {
		if b, err := os.ReadFile(filepath.Join(dir, "kubernetes-deploy.osop.yaml")); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, ds := Bytes("fuzz.osop.yaml", src, Limits{MaxBytes: 1 << 16, MaxDepth: 64, MaxValues: 20000})
		if doc == nil {
			t.Fatal("nil document")
		}
		if doc.Root == nil && !ds.HasErrors() {
			t.Fatal("no tree and no error")
		}
	})
}
