package cli

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/shared"
)

// minSimulated is how many files of the corpus and the specification's
// examples osop run --simulate takes to their end, at least: fewer means
// a change refused files it used to run. It is every file but those
// corpusRefused lists (89 files, 14 refused).
const minSimulated = 75

// corpusRefused are the files osop run --dry-run refuses, each with the
// rule of its first error and why the file, not osop, is at fault: a run
// could not do what the file says, whatever the caller passes.
var corpusRefused = map[string]string{
	"corpus/business/esg-report.osop.yaml": "runtime-config: a db query with no runtime.connection: which database is the file's to say " +
		"(its query reads ${FISCAL_YEAR}, a run's --var; --set nodes.collect_data.runtime.connection=… runs it)",
	"corpus/business/invoice-processing.osop.yaml":         "runtime-config: provider \"internal\" with model \"approval-rules-engine\": no model provider, a rules engine the file does not give",
	"corpus/multi-agent/langgraph-pattern.osop.yaml":       "runtime-config: provider \"internal\" with model \"routing-engine\": as above",
	"corpus/multi-agent/autogen-pattern.osop.yaml":         "runtime-config: provider \"autogen\" with model \"user-proxy\": an agent framework, not a model provider",
	"corpus/multi-agent/crewai-pattern.osop.yaml":          "runtime-config: tool \"web_search\": neither a built-in tool nor a tool of a declared MCP server",
	"corpus/pr-ready/autogen-debate.osop.yaml":             "runtime-config: tool \"web_search\": as above",
	"corpus/pr-ready/crewai-research-pipeline.osop.yaml":   "runtime-config: tool \"web_search\": as above",
	"corpus/pr-ready/langgraph-customer-support.osop.yaml": "runtime-config: tool \"lookup_subscription\": as above",
	"corpus/meta/osop-pr-submission.osop":                  "runtime-config: an mcp node (tool osop.validate) with no runtime.server and no mcp_servers",
	"corpus/meta/osop-release.osop":                        "runtime-config: an mcp node (tool osop.validate) with no runtime.server and no mcp_servers",
	"corpus/devops/github-actions-cicd.osop.yaml": "expression-type: an executable (L2+) file whose condition reads \"test\", " +
		"which no node outputs (test.status: a node's outputs are ${outputs.test…})",
	"corpus/mobile/android-build-deploy.osop.yaml": "expression-type: an executable file whose condition reads \"tests_failed\", which no node outputs",
	"corpus/mobile/ios-build-deploy.osop.yaml":     "expression-type: an executable file whose condition reads \"tests_failed\", which no node outputs",
	"osop-spec/examples/pdf-ai-db.osop.yaml":       "expression-type: an executable file whose when reads \"validation_failed\", which no node outputs",
}

// corpusValues are the values files read that nothing in them gives:
// names their conditions read (descriptive files: the run's caller gives
// them) and ${inputs.X} they do not declare. The test passes them as a
// caller would: --input to the dry run, a scenario's inputs to the
// simulation; and checks that without them the simulation is refused,
// naming them, before anything runs.
var corpusValues = map[string]map[string]any{
	"corpus/api/openapi-to-osop.osop.yaml":                  {"retry_count": 0},
	"corpus/notion-templates/okr-tracking.osop":             {"week": 13, "quarter_end": 13},
	"corpus/platform/linux-admin.osop.yaml":                 {"package_update_failed": false},
	"corpus/pr-ready/argo-ml-training.osop.yaml":            {"metrics": map[string]any{"accuracy": 0.93}, "baseline": map[string]any{"accuracy": 0.9}, "ab_result": "winner"},
	"corpus/pr-ready/n8n-lead-scoring.osop.yaml":            {"score": 85},
	"corpus/pr-ready/temporal-order-fulfillment.osop.yaml":  {"return_requested": false},
	"corpus/pr-ready/dify-rag-chatbot.osop.yaml":            {"feedback": "positive"},
	"corpus/testing/tdd-workflow.osop.yaml":                 {"developer": map[string]any{"has_next_feature": false}},
	"corpus/compliance/eu-ai-act-high-risk.osop":            {"validation": map[string]any{"status": "passed"}, "approval": map[string]any{"decision": "approved"}},
	"corpus/pr-ready/semantic-kernel-code-review.osop.yaml": {"verdict": "approve"},
	"osop-spec/examples/agent-collab.osop.yaml":             {"confidence": 0.9},
	// `result != success` compares two names; success is one too.
	"osop-spec/examples/cicd-deploy.osop.yaml":           {"result": "success", "success": "success"},
	"corpus/v1.1-features/sub-workflow-composition.osop": {"date_range": "2026-Q1"},
	"corpus/v1.1-features/workflow-timeout.osop":         {"branch": "main", "version": "1.0.0"},
}

// TestCorpus_simulate runs osop run --dry-run on every workflow of the
// public corpus and the specification's examples: each is accepted, or
// refused with the rule corpusRefused gives it. Each accepted one then
// completes under osop run --simulate (exit 0, or 3 where a failure path
// handled a failure), with the values corpusValues gives it, and is
// refused without them (osop never guesses a value a condition decides
// on). No file needs a model: agent nodes name none in much of the corpus.
func TestCorpus_simulate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the corpus")
	}
	var files []string
	for _, sub := range []string{"corpus", "osop-spec/examples"} {
		dir := shared.Dir(t, sub)
		files = append(files, shared.Files(t, dir, parse.Extensions...)...)
	}
	base := filepath.Dir(shared.Dir(t, "corpus"))
	var seen []string
	simulated, refused := 0, 0
	for _, f := range files {
		rel, _ := filepath.Rel(base, f)
		if strings.HasSuffix(f, ".osoplog.yaml") || strings.HasSuffix(f, ".osoplog") {
			continue // an execution record, not a workflow
		}
		seen = append(seen, rel)
		dir := t.TempDir()
		values := corpusValues[rel]
		code, out := runMain(t, append([]string{"run", "--dry-run", "--workdir", dir}, append(inputFlags(values), f)...)...)
		if !dryRunAsExpected(t, rel, code, out) {
			refused++
			continue
		}
		t.Run(rel, func(t *testing.T) {
			if simulateCorpusFile(t, rel, f, dir, values) {
				simulated++
			}
		})
	}
	for _, m := range []map[string]string{corpusRefused, stringKeys(corpusValues)} {
		for rel := range m {
			if !slices.Contains(seen, rel) {
				t.Errorf("%s is listed, and is not a file of the corpus: remove it", rel)
			}
		}
	}
	t.Logf("%d of %d workflows simulated to their end (%d with values they read); dry-run refuses %d", simulated, len(seen), len(corpusValues), refused)
	if simulated < minSimulated {
		t.Errorf("only %d workflows simulated to their end, want at least %d", simulated, minSimulated)
	}
}

// dryRunAsExpected checks a dry run's answer against corpusRefused and
// reports whether the file was accepted.
func dryRunAsExpected(t *testing.T, rel string, code int, out string) bool {
	t.Helper()
	why, listed := corpusRefused[rel]
	rule, _, _ := strings.Cut(why, ":")
	switch {
	case code == ExitOK && listed:
		t.Errorf("osop run --dry-run %s is accepted now: remove it from corpusRefused", rel)
	case code == ExitOK:
		return true
	case !listed:
		t.Errorf("osop run --dry-run %s: exit %d, and the file is not in corpusRefused\n%s", rel, code, out)
	case code != ExitUsage || !strings.Contains(firstError(out), "["+rule+"]"):
		t.Errorf("osop run --dry-run %s: exit %d, first error %q; want exit 2 for [%s] (%s)", rel, code, firstError(out), rule, why)
	}
	return false
}

// simulateCorpusFile runs the simulation of an accepted file and reports whether
// it ran to its end; with values, it checks that they are needed.
func simulateCorpusFile(t *testing.T, rel, f, dir string, values map[string]any) bool {
	t.Helper()
	args := []string{"run", "--simulate", "--workdir", dir}
	if len(values) > 0 {
		code, out := runMain(t, append(args, f)...)
		if code != ExitUsage || !strings.Contains(out, "[missing-input]") || !strings.Contains(out, "nothing was run") {
			t.Errorf("osop run --simulate %s without %v: exit %d, want 2 naming them (or remove it from corpusValues)\n%s", rel, values, code, out)
		}
		args = append(args, "--scenario", writeScenario(t, values))
	}
	code, out := runMain(t, append(args, f)...)
	if code == ExitUsage && strings.Contains(out, "[missing-input]") {
		t.Errorf("osop run --simulate %s needs values: give them in corpusValues\n%s", rel, out)
		return false
	}
	if code != ExitOK && code != ExitRecovered {
		t.Errorf("osop run --simulate %s: exit %d, want 0 or 3\n%s", rel, code, out)
		return false
	}
	return true
}

// inputFlags are values as --input flags.
func inputFlags(values map[string]any) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(values)) {
		v := values[k]
		if _, ok := v.(map[string]any); ok {
			continue // a map is for a condition, which a dry run does not evaluate
		}
		out = append(out, "--input", fmt.Sprintf("%s=%v", k, v))
	}
	return out
}

// writeScenario writes a scenario file giving values as its inputs.
func writeScenario(t *testing.T, values map[string]any) string {
	t.Helper()
	b, err := yaml.Marshal(map[string]any{"inputs": values})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "scenario.yaml")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func stringKeys[V any](m map[string]V) map[string]string {
	out := map[string]string{}
	for k := range m {
		out[k] = ""
	}
	return out
}

// runMain runs osop in process, with no terminal, and returns its exit
// code and everything it printed.
func runMain(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out}
	code := Main(context.Background(), args, ios)
	return code, out.String()
}

// firstError is the first diagnostic or error line of osop's output.
func firstError(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "error:") || strings.HasPrefix(l, "osop:") {
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(out)
}
