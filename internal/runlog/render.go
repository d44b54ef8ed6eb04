package runlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// The record is rendered by hand rather than with a YAML encoder: on a
// run of thousands of nodes it is rewritten many times, and each record is
// rendered once and kept until it changes. Strings are written as JSON
// strings and structured values as JSON, both of which are YAML.

// marshal is json.Marshal without the HTML escapes (\u003e for >): the
// record is read by people and YAML parsers, and commands hold >, < and &.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// quote writes s as a double-quoted YAML (JSON) string.
func quote(b *bytes.Buffer, s string) {
	q, _ := marshal(s) // a string always marshals: invalid UTF-8 becomes U+FFFD
	b.Write(q)
}

// flow writes v as a JSON value, falling back to a quoted %v for values
// JSON cannot hold.
func flow(b *bytes.Buffer, v any) {
	j, err := marshal(v)
	if err != nil {
		quote(b, fmt.Sprint(v))
		return
	}
	b.Write(j)
}

func field(b *bytes.Buffer, indent, key, value string) {
	if value == "" {
		return
	}
	b.WriteString(indent + key + ": ")
	if plain(value) {
		b.WriteString(value)
	} else {
		quote(b, value)
	}
	b.WriteByte('\n')
}

// plain reports whether s can be written without quotes and still read
// back as the same string: a word that YAML does not take for a number,
// a boolean or null.
func plain(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n":
		return false
	}
	for i, c := range s {
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(i > 0 && (c == '-' || c == '.' || c == '/' || (c >= '0' && c <= '9')))
		if !ok {
			return false
		}
	}
	return s != ""
}

// specNodeTypes are the node types the published osoplog schema lists
// for node_type; the visual editor's others go in x-node-type.
var specNodeTypes = map[string]bool{
	"human": true, "agent": true, "api": true, "cli": true, "db": true, "git": true,
	"docker": true, "cicd": true, "mcp": true, "system": true, "infra": true, "data": true,
}

// SpecNodeType reports whether the published osoplog schema lists t as a
// node_type.
func SpecNodeType(t string) bool { return specNodeTypes[t] }

// render returns the record as a YAML list item, cached until it changes.
func (r *Record) render() []byte {
	if r.cached != nil {
		return r.cached
	}
	var b bytes.Buffer
	field(&b, "  - ", "node_id", r.NodeID)
	const in = "    "
	if SpecNodeType(r.NodeType) {
		field(&b, in, "node_type", r.NodeType)
	} else {
		field(&b, in, "x-node-type", r.NodeType)
	}
	if r.Attempt > 0 {
		fmt.Fprintf(&b, "%sattempt: %d\n", in, r.Attempt)
	}
	if r.Iteration > 0 {
		fmt.Fprintf(&b, "%siteration: %d\n", in, r.Iteration)
	}
	field(&b, in, "status", r.Status)
	field(&b, in, "started_at", r.StartedAt)
	field(&b, in, "ended_at", r.EndedAt)
	if r.DurationMS != nil {
		fmt.Fprintf(&b, "%sduration_ms: %d\n", in, *r.DurationMS)
	}
	field(&b, in, "action", r.Action)
	if len(r.Outputs) > 0 {
		b.WriteString(in + "outputs: ")
		flow(&b, r.Outputs)
		b.WriteByte('\n')
	}
	if r.Error != nil {
		b.WriteString(in + "error: ")
		quote(&b, r.Error.Message)
		b.WriteByte('\n')
		field(&b, in, "x-error-code", r.Error.Code)
	}
	field(&b, in, "reason", r.Reason)
	r.renderAI(&b, in)
	r.cached = b.Bytes()
	return r.cached
}

// render writes the whole document.
func (d *document) render() []byte {
	var b bytes.Buffer
	field(&b, "", "osoplog_version", d.Version)
	field(&b, "", "run_id", d.RunID)
	field(&b, "", "workflow_id", d.WorkflowID)
	field(&b, "", "workflow_version", d.WorkflowVer)
	field(&b, "", "workflow_hash", d.WorkflowHash)
	field(&b, "", "workflow_file", d.WorkflowFile)
	field(&b, "", "mode", d.Mode)
	if d.Simulated {
		b.WriteString("simulated: true\n")
	}
	field(&b, "", "status", d.Status)
	block(&b, "trigger", d.Trigger)
	field(&b, "", "started_at", d.StartedAt)
	field(&b, "", "ended_at", d.EndedAt)
	if d.DurationMS != nil {
		fmt.Fprintf(&b, "duration_ms: %d\n", *d.DurationMS)
	}
	block(&b, "runtime", d.Runtime)
	if len(d.Inputs) > 0 {
		b.WriteString("inputs: ")
		flow(&b, d.Inputs)
		b.WriteByte('\n')
	}
	if len(d.NodeRecords) == 0 {
		b.WriteString("node_records: []\n")
	} else {
		b.WriteString("node_records:\n")
		for _, r := range d.NodeRecords {
			b.Write(r.render())
		}
	}
	field(&b, "", "result_summary", d.ResultSummary)
	d.renderCost(&b)
	return b.Bytes()
}

func block(b *bytes.Buffer, key string, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	sort.Strings(keys)
	b.WriteString(key + ":\n")
	for _, k := range keys {
		field(b, "  ", k, m[k])
	}
}
