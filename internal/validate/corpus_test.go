package validate

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
)

// corpusErrors names, file by file, the errors osop finds in the public
// corpus (../shared/corpus) and the specification's examples. A file not
// listed must load and validate with no errors. A back edge written as
// fallback or conditional is a bounded rework loop, not an error; a name a
// descriptive (L0/L1) file's condition reads and nothing declares is a
// warning (the run's caller gives it). What is left: executable (L2)
// files whose conditions read names nothing gives.
var corpusErrors = map[string][]string{
	"corpus/devops/github-actions-cicd.osop.yaml": {
		"107:17 expression-type", // condition reads 'test', which no node outputs and the workflow does not declare
	},
	"corpus/mobile/android-build-deploy.osop.yaml": {
		"118:16 expression-type", // condition reads 'tests_failed', which no node outputs and the workflow does not declare
	},
	"corpus/mobile/ios-build-deploy.osop.yaml": {
		"117:16 expression-type", // condition reads 'tests_failed', which no node outputs and the workflow does not declare
	},
	"osop-spec/examples/pdf-ai-db.osop.yaml": {
		"135:12 expression-type", // when reads 'validation_failed', which no node outputs and the workflow does not declare
		"141:12 expression-type", // when reads 'approval_gate', which no node outputs and the workflow does not declare
	},
}

func TestCorpus(t *testing.T) {
	var files []string
	for _, sub := range []string{"corpus", "osop-spec/examples"} {
		dir := shared.Dir(t, sub)
		files = append(files, shared.Files(t, dir, parse.Extensions...)...)
	}
	base := filepath.Dir(shared.Dir(t, "corpus"))
	if len(files) < 90 {
		t.Fatalf("found %d files; the corpus has 89 and the examples 4", len(files))
	}
	seen := map[string]bool{}
	for _, f := range files {
		rel, _ := filepath.Rel(base, f)
		seen[rel] = true
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			doc, ds, err := parse.File(f, parse.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Root == nil {
				t.Fatalf("does not load: %v", ds)
			}
			ds = append(ds, Document(doc, Options{})...)
			ds.Sort()
			var got []string
			for _, d := range ds.Filter(diag.Error) {
				got = append(got, strings.TrimPrefix(d.Subject.String(), d.Subject.File+":")+" "+d.Code)
			}
			if diff := cmp.Diff(corpusErrors[rel], got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
	for rel := range corpusErrors {
		if !seen[rel] {
			t.Errorf("expectation for %s, which is not in the corpus", rel)
		}
	}
}
