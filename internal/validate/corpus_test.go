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
// listed must load and validate with no errors. Most of these files are
// unsound in one of two ways: a back edge written as fallback or
// conditional instead of loop (a cycle the engine could run forever), or a
// condition that reads a name no node outputs (it would fail at run time).
var corpusErrors = map[string][]string{
	"corpus/.osop/CONTRIBUTING.osop": {
		"66:11 cycle", // cycle write-osop → validate → write-osop is not formed by a loop edge
	},
	"corpus/ai-agent/multi-agent-collab.osop.yaml": {
		"88:11 cycle", // cycle planner → executor → validator → human_review → planner is not formed by a loop edge
	},
	"corpus/ai-ml/ab-testing.osop.yaml": {
		"135:11 cycle", // cycle define_experiment → create_experiment → split_traffic → collect_metrics → statistical_analysis → make_de
	},
	"corpus/ai-ml/model-training.osop.yaml": {
		"153:11 cycle", // cycle prepare_data → train_model → evaluate_model → prepare_data is not formed by a loop edge
	},
	"corpus/ai-ml/rag-pipeline.osop.yaml": {
		"125:11 cycle", // cycle generate_answer → validate_faithfulness → generate_answer is not formed by a loop edge
	},
	"corpus/api/openapi-to-osop.osop.yaml": {
		"107:17 expression-type", // condition reads 'retry_count', which no node outputs and the workflow does not declare
	},
	"corpus/api/rest-api-workflow.osop.yaml": {
		"119:11 cycle", // cycle authenticate → get_records → filter_records → batch_update → authenticate is not formed by a loop edge
	},
	"corpus/business/invoice-processing.osop.yaml": {
		"149:11 cycle", // cycle receive_invoice → ocr_extract → validate_data → receive_invoice is not formed by a loop edge
	},
	"corpus/claude-code-session/fix-auth-bug.osop": {
		"104:11 cycle", // cycle write_fix → write_test → run_tests → write_fix is not formed by a loop edge
	},
	"corpus/compliance/eu-ai-act-high-risk.osop": {
		"136:12 expression-type", // when reads 'validation', which no node outputs and the workflow does not declare
		"141:12 expression-type", // when reads 'validation', which no node outputs and the workflow does not declare
		"169:12 expression-type", // when reads 'approval', which no node outputs and the workflow does not declare
		"173:11 cycle",           // cycle physician_review → approval_gate → physician_review is not formed by a loop edge
		"174:12 expression-type", // when reads 'approval', which no node outputs and the workflow does not declare
		"180:12 expression-type", // when reads 'approval', which no node outputs and the workflow does not declare
	},
	"corpus/data/data-migration.osop.yaml": {
		"146:11 cycle", // cycle transform_data → load_target → validate_migration → transform_data is not formed by a loop edge
	},
	"corpus/data/etl-pipeline.osop.yaml": {
		"109:11 cycle", // cycle extract_api → clean_data → normalize → validate_schema → extract_api is not formed by a loop edge
	},
	"corpus/devops/ansible-playbook.osop.yaml": {
		"131:11 cycle", // cycle execute_playbook → verify_state → execute_playbook is not formed by a loop edge
	},
	"corpus/devops/github-actions-cicd.osop.yaml": {
		"107:17 expression-type", // condition reads 'test', which no node outputs and the workflow does not declare
	},
	"corpus/devops/terraform-deploy.osop.yaml": {
		"146:11 cycle", // cycle plan → security_scan → approval_gate → apply → verify_state → plan is not formed by a loop edge
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
	"corpus/multi-agent/autogen-pattern.osop.yaml": {
		"122:11 cycle", // cycle assistant → code_executor → validator → assistant is not formed by a loop edge
	},
	"corpus/multi-agent/crewai-pattern.osop.yaml": {
		"132:11 cycle", // cycle writer → editor → writer is not formed by a loop edge
	},
	"corpus/multi-agent/langgraph-pattern.osop.yaml": {
		"136:32 expression-syntax", // condition 'selected_route contains 'tool_caller'' is not valid CEL: mismatched input 'contains' expecting <EOF
	},
	"corpus/notion-templates/content-calendar.osop": {
		"39:11 cycle", // cycle edit → design → edit is not formed by a loop edge
	},
	"corpus/notion-templates/customer-feedback.osop": {
		"39:11 cycle", // cycle prioritize → implement → prioritize is not formed by a loop edge
	},
	"corpus/notion-templates/design-review.osop": {
		"39:11 cycle", // cycle prototype → review → prototype is not formed by a loop edge
	},
	"corpus/notion-templates/hiring-pipeline.osop": {
		"39:11 cycle", // cycle interview → offer → interview is not formed by a loop edge
	},
	"corpus/notion-templates/incident-management.osop": {
		"39:11 cycle", // cycle investigate → resolve → investigate is not formed by a loop edge
	},
	"corpus/notion-templates/knowledge-base.osop": {
		"39:11 cycle", // cycle format → publish → format is not formed by a loop edge
	},
	"corpus/notion-templates/meeting-notes.osop": {
		"39:11 cycle", // cycle actions → followup → actions is not formed by a loop edge
	},
	"corpus/notion-templates/okr-tracking.osop": {
		"31:12 expression-type", // when reads 'week', which no node outputs and the workflow does not declare
		"31:19 expression-type", // when reads 'quarter_end', which no node outputs and the workflow does not declare
		"36:12 expression-type", // when reads 'week', which no node outputs and the workflow does not declare
		"36:20 expression-type", // when reads 'quarter_end', which no node outputs and the workflow does not declare
	},
	"corpus/notion-templates/product-launch.osop": {
		"39:11 cycle", // cycle beta → marketing → beta is not formed by a loop edge
	},
	"corpus/notion-templates/project-management.osop": {
		"39:11 cycle", // cycle dev → review → dev is not formed by a loop edge
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
		"74:11 cycle",           // cycle writer → human_review → writer is not formed by a loop edge
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
	"corpus/security/access-review.osop.yaml": {
		"142:11 cycle", // cycle execute_revocations → execute_revocations is not formed by a loop edge
	},
	"corpus/security/incident-response.osop.yaml": {
		"149:11 cycle", // cycle eradicate_threat → recover_systems → eradicate_threat is not formed by a loop edge
	},
	"corpus/security/vulnerability-scan.osop.yaml": {
		"149:11 cycle", // cycle fix_and_patch → verify_fixes → fix_and_patch is not formed by a loop edge
	},
	"corpus/testing/tdd-workflow.osop.yaml": {
		"105:17 expression-type", // condition reads 'developer', which no node outputs and the workflow does not declare
	},
	"corpus/v1.1-features/workflow-timeout.osop": {
		"108:11 cycle", // cycle deploy_staging → smoke_test → deploy_staging is not formed by a loop edge
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
