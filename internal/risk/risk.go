// Package risk judges, before anything runs, how much harm a workflow can
// do: destructive commands, downloads run by a shell, secrets written in
// the file, production changes and agent shells no person approves,
// loops without a bound, plain-HTTP calls. Each finding has a stable rule
// id ([Rules]) and the position of what it is about; a [Report] adds them
// up to a score, and `osop run` refuses a workflow whose score reaches
// [Threshold] unless the findings are accepted by name.
//
// Shell commands are read with the shell parser (through
// internal/template), not matched as text. risk imports only ast, diag
// and template.
package risk

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// Severity is how much harm a finding can do.
type Severity int

// The severities, least serious first.
const (
	Low Severity = iota
	Medium
	High
	Critical
)

func (s Severity) String() string {
	return [...]string{"low", "medium", "high", "critical"}[s]
}

// MarshalText writes the severity's name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// lower is s one step down (an approval before a step lowers its risk).
func (s Severity) lower() Severity { return max(s-1, Low) }

// Threshold is the score at which a workflow is dangerous: `osop run`
// refuses it unless every finding that takes it there is accepted.
const Threshold = 60

// points is what the first finding of a rule adds to the score; each
// further finding of the same rule adds [extraPoints], up to [extraMax].
var points = map[Severity]int{Low: 3, Medium: 12, High: 30, Critical: 60}

const (
	extraPoints = 2
	extraMax    = 10
)

// Finding is one risk in a workflow.
type Finding struct {
	Rule     string     `json:"rule"`
	Severity Severity   `json:"severity"`
	Node     string     `json:"node,omitempty"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Range    diag.Range `json:"range"`
	// Accepted is true when the run was told to accept it (--accept-risk).
	Accepted bool `json:"accepted,omitempty"`
}

// Key is how --accept-risk names this finding alone: RULE:NODE (RULE
// alone names every finding of the rule).
func (f Finding) Key() string {
	if f.Node == "" {
		return f.Rule
	}
	return f.Rule + ":" + f.Node
}

// Report is what [Assess] found in one workflow.
type Report struct {
	File     string    `json:"file"`
	Workflow string    `json:"workflow"`
	Score    int       `json:"score"`
	Verdict  string    `json:"verdict"`
	Findings []Finding `json:"findings"`
	// Threshold is the score at which osop run refuses the workflow.
	Threshold int `json:"threshold"`
}

// Dangerous reports whether the findings not accepted reach [Threshold].
func (r *Report) Dangerous() bool { return r.Score >= Threshold }

// Assess runs every rule over w. src is the file's text (positions inside
// block scalars are found in it); it may be nil.
func Assess(w *ast.Workflow, src []byte) *Report {
	a := &assessor{w: w, lines: strings.Split(string(src), "\n")}
	a.index()
	for _, n := range w.Nodes {
		a.node(n)
	}
	a.workflowRules()
	slices.SortStableFunc(a.found, func(x, y Finding) int {
		if c := cmp.Compare(x.Range.Start.Line, y.Range.Start.Line); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Range.Start.Column, y.Range.Start.Column); c != 0 {
			return c
		}
		return cmp.Compare(x.Rule, y.Rule)
	})
	r := &Report{File: w.File, Workflow: w.ID.V, Findings: a.found, Threshold: Threshold}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	r.rescore()
	return r
}

// Accept marks the findings named by keys (RULE or RULE:NODE) as accepted
// and scores again without them. It returns the keys that named no
// finding, so a typo is not taken for an acceptance.
func (r *Report) Accept(keys []string) (unknown []string) {
	for _, k := range keys {
		k = strings.TrimSpace(k)
		hit := false
		for i := range r.Findings {
			f := &r.Findings[i]
			if strings.EqualFold(k, f.Rule) || strings.EqualFold(k, f.Key()) {
				f.Accepted, hit = true, true
			}
		}
		if !hit {
			unknown = append(unknown, k)
		}
	}
	r.rescore()
	return unknown
}

// rescore adds up the findings not accepted.
func (r *Report) rescore() {
	worst := map[string]Severity{}
	count := map[string]int{}
	for _, f := range r.Findings {
		if f.Accepted {
			continue
		}
		if s, ok := worst[f.Rule]; !ok || f.Severity > s {
			worst[f.Rule] = f.Severity
		}
		count[f.Rule]++
	}
	score := 0
	for rule, s := range worst {
		score += points[s] + min(extraPoints*(count[rule]-1), extraMax)
	}
	r.Score = min(score, 100)
	switch {
	case r.Score >= Threshold:
		r.Verdict = "danger"
	case r.Score >= 40:
		r.Verdict = "warning"
	case r.Score >= 20:
		r.Verdict = "caution"
	default:
		r.Verdict = "safe"
	}
}

// Refusing returns the findings that keep the workflow dangerous: those
// not accepted, most serious first.
func (r *Report) Refusing() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if !f.Accepted {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(x, y Finding) int { return cmp.Compare(y.Severity, x.Severity) })
	return out
}

// Diagnostics renders the findings as diagnostics for the text and JSON
// renderers: critical and high as errors, medium as warnings, low as
// notes; the summary starts with the finding's severity.
func (r *Report) Diagnostics() diag.Diagnostics {
	var ds diag.Diagnostics
	for _, f := range r.Findings {
		sev := diag.Info
		switch f.Severity {
		case Critical, High:
			sev = diag.Error
		case Medium:
			sev = diag.Warning
		}
		summary := f.Severity.String() + ": " + f.Summary
		if f.Accepted {
			summary += " (accepted)"
			sev = diag.Info
		}
		ds = append(ds, &diag.Diagnostic{Severity: sev, Code: f.Rule, Summary: summary, Detail: f.Detail, Subject: f.Range})
	}
	return ds
}

// Summary is the one-line verdict: score, verdict and counts.
func (r *Report) Summary() string {
	by, accepted := map[Severity]int{}, 0
	for _, f := range r.Findings {
		if f.Accepted {
			accepted++
		} else {
			by[f.Severity]++
		}
	}
	var parts []string
	for s := Critical; s >= Low; s-- {
		if by[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", by[s], s))
		}
	}
	if accepted > 0 {
		parts = append(parts, fmt.Sprintf("%d accepted", accepted))
	}
	counts := "no findings"
	if len(parts) > 0 {
		counts = strings.Join(parts, ", ")
	}
	return fmt.Sprintf("risk %d/100 · %s (refused at %d) · %s", r.Score, r.Verdict, Threshold, counts)
}

// MaskSource returns src with every secret a RISK-004 finding points at
// replaced by asterisks, for showing source lines.
func (r *Report) MaskSource(src []byte) []byte {
	lines := strings.Split(string(src), "\n")
	masked := false
	for _, f := range r.Findings {
		l := f.Range.Start.Line
		if f.Rule != "RISK-004" || l < 1 || l > len(lines) || f.Range.End.Line != l {
			continue
		}
		runes := []rune(lines[l-1])
		for c := f.Range.Start.Column - 1; c < f.Range.End.Column-1 && c < len(runes); c++ {
			if c >= 0 {
				runes[c] = '*'
			}
		}
		lines[l-1], masked = string(runes), true
	}
	if !masked {
		return src
	}
	return []byte(strings.Join(lines, "\n"))
}
