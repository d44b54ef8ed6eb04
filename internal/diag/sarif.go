package diag

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
)

// SARIFOptions describes the tool for [WriteSARIF].
type SARIFOptions struct {
	ToolName    string
	ToolVersion string
	InfoURI     string
	// Rules maps each rule id to a one-line description.
	Rules map[string]string
}

// WriteSARIF renders diagnostics as a SARIF 2.1.0 log with one run, the
// format code-scanning UIs ingest.
func WriteSARIF(w io.Writer, ds Diagnostics, opts SARIFOptions) error {
	ids := make([]string, 0, len(opts.Rules))
	for id := range opts.Rules {
		ids = append(ids, id)
	}
	for _, d := range ds {
		if _, ok := opts.Rules[d.Code]; !ok && !slices.Contains(ids, d.Code) {
			ids = append(ids, d.Code)
		}
	}
	slices.Sort(ids)
	rules := make([]sarifRule, len(ids))
	index := map[string]int{}
	for i, id := range ids {
		desc := opts.Rules[id]
		if desc == "" {
			desc = id
		}
		rules[i] = sarifRule{ID: id, ShortDescription: sarifText{Text: desc}}
		index[id] = i
	}
	results := make([]sarifResult, 0, len(ds))
	for _, d := range ds {
		msg := d.Summary
		if d.Detail != "" {
			msg += "\n" + d.Detail
		}
		res := sarifResult{
			RuleID: d.Code, RuleIndex: index[d.Code], Level: sarifLevel(d.Severity),
			Message: sarifText{Text: msg},
		}
		loc := sarifLocation{}
		loc.PhysicalLocation.ArtifactLocation.URI = fileURI(d.Subject.File)
		if d.Subject.IsValid() {
			reg := &sarifRegion{StartLine: d.Subject.Start.Line, StartColumn: d.Subject.Start.Column}
			if d.Subject.End.IsValid() && d.Subject.Start.Before(d.Subject.End) {
				reg.EndLine, reg.EndColumn = d.Subject.End.Line, d.Subject.End.Column
			}
			loc.PhysicalLocation.Region = reg
		}
		res.Locations = []sarifLocation{loc}
		results = append(results, res)
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name: opts.ToolName, Version: opts.ToolVersion, InformationURI: opts.InfoURI, Rules: rules,
			}},
			Results: results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// fileURI makes a relative URI for relative paths (SARIF resolves them
// against the checkout) and a file:// URI for absolute ones.
func fileURI(name string) string {
	slashed := filepath.ToSlash(name)
	if filepath.IsAbs(name) {
		return (&url.URL{Scheme: "file", Path: slashed}).String()
	}
	return (&url.URL{Path: strings.TrimPrefix(slashed, "./")}).String()
}

func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string    `json:"id"`
	ShortDescription sarifText `json:"shortDescription"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *sarifRegion `json:"region,omitempty"`
	} `json:"physicalLocation"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}
