package validate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// Known fields of each object, across every dialect osop reads. Anything
// else is reported (as a warning) unless it starts with x-.
var (
	workflowFields = words(`osop_version osop id name description version owner tags
		visibility status usage workflow_type extends metadata schemas roles triggers
		variables imports env platforms conformance_level timeout_sec timeout nodes edges
		message_contracts contracts tests views security observability evolution ledger
		inputs outputs retry retry_policy concurrency extensions mcp_servers defaults`)
	nodeFields = words(`id type subtype name purpose description role owner cost
		message_contract runtime config command cmd inputs outputs success_criteria
		failure_modes retry_policy retry timeout_sec timeout idempotency handoff explain
		observability security approval_gate parent spawn_policy workflow_ref
		workflow_inputs metadata tags max_iterations`)
	edgeFields = words(`from to mode when condition label explain contract transform
		metadata spawn_count for_each iterator_var max_iterations join_mode join_count
		cases default_to signal`)
	retryPolicyFields = words(`max_retries backoff_sec max_backoff_sec strategy jitter`)
	retryFields       = words(`max_attempts max_retries backoff retryable_errors jitter`)
	backoffFields     = words(`type initial_delay max_delay multiplier`)
	explainFields     = words(`why what result`)
	caseFields        = words(`value to`)
)

func words(s string) []string { return strings.Fields(s) }

// unknownFields warns about each key of m that is not in known, with the
// name that was probably meant.
func (c *checker) unknownFields(m *ast.Value, known []string, where string) {
	if !m.IsMap() {
		return
	}
	for _, f := range m.Fields {
		if strings.HasPrefix(f.Key, "x-") || slices.Contains(known, f.Key) {
			continue
		}
		detail := didYouMean(f.Key, known)
		if _, near := closest(f.Key, known); !near {
			detail = "if it is an extension, name it x-" + f.Key + "; osop ignores x- fields"
		}
		c.add(diag.Warning, "unknown-field", f.KeyRange, detail, "unknown field %q in %s", f.Key, where)
	}
}

func (c *checker) fields() {
	w := c.w
	c.unknownFields(w.Root, workflowFields, "the workflow")
	c.retryFields(w.Root, "the workflow")
	for _, n := range w.Nodes {
		where := fmt.Sprintf("node %q", n.ID.V)
		c.unknownFields(n.Raw, nodeFields, where)
		c.retryFields(n.Raw, where)
		if ex := n.Raw.Get("explain"); ex.IsMap() {
			c.unknownFields(ex, explainFields, where+" explain")
		}
	}
	for _, e := range w.Edges {
		where := fmt.Sprintf("edge %s → %s", e.From.V, e.To.V)
		c.unknownFields(e.Raw, edgeFields, where)
		if cases := e.Raw.Get("cases"); cases.IsList() {
			for _, cs := range cases.Items {
				c.unknownFields(cs, caseFields, where+" case")
			}
		}
	}
}

func (c *checker) retryFields(m *ast.Value, where string) {
	c.unknownFields(m.Get("retry_policy"), retryPolicyFields, where+" retry_policy")
	r := m.Get("retry")
	c.unknownFields(r, retryFields, where+" retry")
	c.unknownFields(r.Get("backoff"), backoffFields, where+" retry.backoff")
}

// Fields returns the field names osop knows for an object: "workflow",
// "node", "edge", "retry_policy", "retry", "backoff", "explain" or "case";
// nil for anything else. Editors offer them as completions, so the
// validator and the editor cannot disagree on what a typo is.
func Fields(object string) []string {
	var f []string
	switch object {
	case "workflow":
		f = workflowFields
	case "node":
		f = nodeFields
	case "edge":
		f = edgeFields
	case "retry_policy":
		f = retryPolicyFields
	case "retry":
		f = retryFields
	case "backoff":
		f = backoffFields
	case "explain":
		f = explainFields
	case "case":
		f = caseFields
	}
	return slices.Clone(f)
}
