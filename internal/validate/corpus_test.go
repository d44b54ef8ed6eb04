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
// fallback or conditional is a bounded rework loop, not an error.
var corpusErrors = map[string][]string{
	"corpus/api/openapi-to-osop.osop.yaml": {
		"107:17 expression-type", // condition reads 'retry_count', which no node outputs and the workflow does not declare
	},
	"corpus/compliance/eu-ai-act-high-risk.osop": {
		"136:12 expression-type", // when reads 'validation', which no node outputs and the workflow does not declare
		"141:12 expression-type", // when reads 'validation', which no node outputs and the workflow does not declare
		"169:12 expression-type", // when reads 'approval', which no node outputs and the workflow does not declare
		"174:12 expression-type", // when reads 'approval', which no node outputs and the workflow does not declare
		"180:12 expression-type", // when reads 'approval', which no node outputs and the workflow does not declare
	},
	"corpus/devops/github-actions-cicd.osop.yaml": {
		"107:17 expression-type", // condition reads 'test', which no node outputs and the workflow does not declare
	},
	"corpus/meta/osop-pr-submission.osop": {
		"125:12 expression-type", // when reads 'has_feedback', which no node outputs and the workflow does not declare
	},
	"corpus/mobile/android-build-deploy.osop.yaml": {
		"118:16 expression-type", // condition reads 'tests_failed', which no node outputs and the workflow does not declare
	},
	"corpus/mobile/ios-build-deploy.osop.yaml": {
		"117:16 expression-type", // condition reads 'tests_failed', which no node outputs and the workflow does not declare
	},
	"corpus/notion-templates/okr-tracking.osop": {
		"31:12 expression-type", // when reads 'week', which no node outputs and the workflow does not declare
		"31:19 expression-type", // when reads 'quarter_end', which no node outputs and the workflow does not declare
		"36:12 expression-type", // when reads 'week', which no node outputs and the workflow does not declare
		"36:20 expression-type", // when reads 'quarter_end', which no node outputs and the workflow does not declare
	},
	"corpus/platform/linux-admin.osop.yaml": {
		"120:16 expression-type", // condition reads 'package_update_failed', which no node outputs and the workflow does not declare
	},
	"corpus/pr-ready/argo-ml-training.osop.yaml": {
		"74:12 expression-type", // when reads 'metrics', which no node outputs and the workflow does not declare
		"74:31 expression-type", // when reads 'baseline', which no node outputs and the workflow does not declare
		"79:12 expression-type", // when reads 'ab_result', which no node outputs and the workflow does not declare
		"84:12 expression-type", // when reads 'ab_result', which no node outputs and the workflow does not declare
		"89:12 expression-type", // when reads 'metrics', which no node outputs and the workflow does not declare
		"89:32 expression-type", // when reads 'baseline', which no node outputs and the workflow does not declare
	},
	"corpus/pr-ready/crewai-research-pipeline.osop.yaml": {
		"75:12 expression-type", // when reads 'revision_requested', which no node outputs and the workflow does not declare
	},
	"corpus/pr-ready/dify-rag-chatbot.osop.yaml": {
		"86:12 expression-type", // when reads 'feedback', which no node outputs and the workflow does not declare
	},
	"corpus/pr-ready/langgraph-customer-support.osop.yaml": {
		"73:12 expression-type", // when reads 'intent', which no node outputs and the workflow does not declare
		"77:12 expression-type", // when reads 'intent', which no node outputs and the workflow does not declare
		"81:12 expression-type", // when reads 'intent', which no node outputs and the workflow does not declare
		"85:12 expression-type", // when reads 'confidence', which no node outputs and the workflow does not declare
	},
	"corpus/pr-ready/n8n-lead-scoring.osop.yaml": {
		"77:12 expression-type", // when reads 'score', which no node outputs and the workflow does not declare
		"82:12 expression-type", // when reads 'score', which no node outputs and the workflow does not declare
	},
	"corpus/pr-ready/semantic-kernel-code-review.osop.yaml": {
		"99:12 expression-type", // when reads 'verdict', which no node outputs and the workflow does not declare
	},
	"corpus/pr-ready/temporal-order-fulfillment.osop.yaml": {
		"81:12 expression-type", // when reads 'return_requested', which no node outputs and the workflow does not declare
	},
	"corpus/testing/tdd-workflow.osop.yaml": {
		"105:17 expression-type", // condition reads 'developer', which no node outputs and the workflow does not declare
	},
	"osop-spec/examples/agent-collab.osop.yaml": {
		"82:11 expression-type", // when reads 'confidence', which no node outputs and the workflow does not declare
	},
	"osop-spec/examples/cicd-deploy.osop.yaml": {
		"75:11 expression-type", // when reads 'result', which no node outputs and the workflow does not declare
		"75:21 expression-type", // when reads 'success', which no node outputs and the workflow does not declare
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
