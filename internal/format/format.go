package format

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Canonical key orders. Keys not listed keep their order, after these.
var (
	workflowOrder = strings.Fields(`osop_version osop id name description version owner tags
		visibility status usage workflow_type extends metadata roles triggers variables inputs
		outputs env imports platforms conformance_level concurrency timeout_sec timeout
		retry_policy retry security nodes edges contracts message_contracts schemas tests views
		observability ledger evolution extensions`)
	nodeOrder = strings.Fields(`id type subtype name purpose description role owner explain
		inputs outputs runtime config command cmd retry_policy retry timeout_sec timeout
		approval_gate security idempotency handoff success_criteria failure_modes observability
		cost message_contract parent spawn_policy workflow_ref workflow_inputs metadata`)
	edgeOrder = strings.Fields(`from to mode when condition label explain for_each iterator_var
		max_iterations join_mode join_count cases default_to spawn_count contract transform metadata`)
	logOrder = strings.Fields(`osoplog_version run_id workflow_id workflow_version workflow_hash
		mode status trigger started_at ended_at duration_ms runtime node_records result_summary cost`)
)

// YAML rewrites a YAML document in the canonical layout. Comments stay with
// the keys and items they were written next to.
func YAML(src []byte) ([]byte, error) {
	doc, err := parseDocument(src)
	if err != nil {
		return nil, err
	}
	return layout(src, doc)
}

func parseDocument(src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, errors.New("empty document")
	}
	return &doc, nil
}

// layout orders the keys of a parsed document, normalises its scalars and
// encodes it, refusing a result that says something other than src.
func layout(src []byte, doc *yaml.Node) ([]byte, error) {
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("the document is not a map")
	}
	order := workflowOrder
	if find(root, "osoplog_version") != nil {
		order = logOrder
	}
	sortKeys(root, order)
	if nodes := find(root, "nodes"); nodes != nil && nodes.Kind == yaml.SequenceNode {
		nodes.Style = 0
		for _, n := range nodes.Content {
			sortKeys(n, nodeOrder)
		}
	}
	if edges := find(root, "edges"); edges != nil && edges.Kind == yaml.SequenceNode {
		edges.Style = 0
		for _, e := range edges.Content {
			sortKeys(e, edgeOrder)
		}
	}
	normalize(root)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	if err := sameValues(src, buf.Bytes()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sameValues guards against formatting that would change what the file
// says: it refuses rather than write a different document.
func sameValues(before, after []byte) error {
	var a, b any
	if err := yaml.Unmarshal(before, &a); err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	if err := yaml.Unmarshal(after, &b); err != nil || !reflect.DeepEqual(a, b) {
		return errors.New("formatting would change a value in this file; it was left as it is (please report it)")
	}
	return nil
}

// find returns the value of key in a mapping node.
func find(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// sortKeys orders a mapping's pairs: listed keys first in the listed
// order, then the rest as written. The sort is stable, so formatting twice
// changes nothing.
func sortKeys(m *yaml.Node, order []string) {
	if m.Kind != yaml.MappingNode {
		return
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		pairs = append(pairs, pair{m.Content[i], m.Content[i+1]})
	}
	rank := func(k string) int {
		if i := slices.Index(order, k); i >= 0 {
			return i
		}
		return len(order)
	}
	// A comment above the first key is about the map itself, and one below
	// the last key closes it: both stay where they are while keys move.
	if len(pairs) == 0 {
		return
	}
	head, foot := pairs[0].k.HeadComment, pairs[len(pairs)-1].k.FootComment
	pairs[0].k.HeadComment, pairs[len(pairs)-1].k.FootComment = "", ""
	slices.SortStableFunc(pairs, func(a, b pair) int { return rank(a.k.Value) - rank(b.k.Value) })
	first, last := pairs[0].k, pairs[len(pairs)-1].k
	first.HeadComment = joinComments(head, first.HeadComment)
	last.FootComment = joinComments(last.FootComment, foot)
	m.Content = m.Content[:0]
	for _, p := range pairs {
		m.Content = append(m.Content, p.k, p.v)
	}
}

func joinComments(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}

// normalize drops quoting YAML does not need (the encoder quotes a string
// whenever its plain form would read as another type) and turns flow
// collections that hold collections into block style.
func normalize(n *yaml.Node) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && n.Tag == "!!str" && !strings.ContainsAny(n.Value, "\n\t") {
			n.Style &^= yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle
		}
		// The YAML encoder can mangle folded text with more-indented
		// lines; literal style keeps any multi-line value exactly.
		if n.Style&yaml.FoldedStyle != 0 && strings.Contains(strings.TrimSuffix(n.Value, "\n"), "\n") {
			n.Style = n.Style&^yaml.FoldedStyle | yaml.LiteralStyle
		}
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle != 0 && holdsCollections(n) {
			n.Style &^= yaml.FlowStyle
		}
		for _, c := range n.Content {
			normalize(c)
		}
	}
}

func holdsCollections(n *yaml.Node) bool {
	for _, c := range n.Content {
		if c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode {
			return true
		}
	}
	return false
}
