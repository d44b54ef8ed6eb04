package cli

import (
	"bufio"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/expr"
	"github.com/osopdev/osop/internal/run"
	"github.com/osopdev/osop/internal/secret"
	"github.com/osopdev/osop/internal/validate"
)

// keyValues parses repeated K=V flags.
func keyValues(flag string, items []string) (map[string]string, error) {
	out := map[string]string{}
	for _, it := range items {
		k, v, ok := strings.Cut(it, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%s %q: write NAME=VALUE", flag, it)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

// typedInputs checks --input values against the workflow's declared inputs:
// each is converted to its declared type, defaults fill the rest, and a
// declared input with neither a value nor a default is an error.
func typedInputs(w *ast.Workflow, given map[string]string) (map[string]any, error) {
	out := map[string]any{}
	declared := map[string]*ast.Param{}
	for _, p := range w.Inputs {
		declared[p.Name] = p
	}
	implied := map[string]validate.Implied{}
	for _, im := range validate.ImpliedNames(w, nil) {
		implied[im.Name] = im
	}
	names := make([]string, 0, len(given))
	for k := range given {
		names = append(names, k)
	}
	sort.Strings(names)
	var problems []string
	for _, k := range names {
		p, ok := declared[k]
		if im, isImplied := implied[k]; !ok && isImplied {
			out[k] = impliedValue(given[k])
			if msg := impliedMismatch(im, out[k], "pass --input"); msg != "" {
				problems = append(problems, msg)
			}
			continue
		}
		if !ok {
			if len(declared) > 0 {
				problems = append(problems, fmt.Sprintf("unknown input %q (declared: %s)", k, strings.Join(paramNames(w.Inputs), ", ")))
				continue
			}
			out[k] = given[k]
			continue
		}
		v, err := convertInput(p, given[k])
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		out[k] = v
	}
	for _, p := range w.Inputs {
		if _, ok := out[p.Name]; ok {
			continue
		}
		if _, ok := given[p.Name]; ok {
			continue // given, and refused above: it is not also missing
		}
		switch {
		case p.Default != nil:
			out[p.Name] = p.Default.Interface()
		case explicitlyOptional(p):
		default:
			problems = append(problems, fmt.Sprintf("input %q is required: pass --input %s=…", p.Name, p.Name))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return out, nil
}

func explicitlyOptional(p *ast.Param) bool {
	if p.Schema == nil {
		return false
	}
	req := p.Schema.Get("required")
	return req != nil && req.Kind == ast.Bool && !req.Bool
}

func paramNames(ps []*ast.Param) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

func convertInput(p *ast.Param, s string) (any, error) {
	v, err := p.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("input %q: %q is not a valid %s", p.Name, s, p.Type)
	}
	if len(p.Enum) > 0 {
		var allowed []string
		for _, e := range p.Enum {
			es, _ := e.String()
			allowed = append(allowed, es)
		}
		if !slices.Contains(allowed, fmt.Sprint(v)) {
			return nil, fmt.Errorf("input %q: %q is not one of %s", p.Name, s, strings.Join(allowed, ", "))
		}
	}
	return v, nil
}

// readSecretsFile reads a secrets file of NAME=VALUE lines (blank lines
// and # comments ignored; export allowed; values may be quoted). Errors
// never quote a line: it may hold a secret.
func readSecretsFile(file string) (map[string]string, error) {
	out := map[string]string{}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("--secrets-file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		t = strings.TrimPrefix(t, "export ")
		k, v, ok := strings.Cut(t, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%s:%d: write NAME=VALUE", file, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[strings.TrimSpace(k)] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--secrets-file %s: %w", file, err)
	}
	return out, nil
}

// maskerOf masks the run's secrets from the start: the record's header,
// with the inputs, is written before the engine runs.
func maskerOf(secrets map[string]string) *secret.Masker {
	m := &secret.Masker{}
	m.Add(slices.Collect(maps.Values(secrets))...)
	return m
}

// builtins are the variables every run has.
func builtins(w *ast.Workflow, id run.ID, workdir string, now time.Time) map[string]string {
	b := map[string]string{
		"RUN_ID": string(id), "WORKFLOW_ID": w.ID.V, "TIMESTAMP": now.UTC().Format("20060102T150405Z"),
	}
	if sha := git(workdir, "rev-parse", "HEAD"); sha != "" {
		b["GIT_SHA"] = sha
		b["GIT_SHA_SHORT"] = sha[:min(len(sha), 12)]
	}
	if br := git(workdir, "rev-parse", "--abbrev-ref", "HEAD"); br != "" && br != "HEAD" {
		b["GIT_BRANCH"] = br
	}
	return b
}

func git(dir string, args ...string) string {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// environ returns the process environment as a map.
func environ() map[string]string {
	out := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[k] = v
		}
	}
	return out
}

// impliedMismatch says, with the condition's position, that the value v
// given for an implied name is of a type a condition that reads it
// cannot use (amount < 1000 given amount=abc); "" when each can. Left to
// the run, such a condition fails to evaluate and counts as false, so
// every branch would be silently skipped and the run end "completed".
func impliedMismatch(im validate.Implied, v any, how string) string {
	have := "string"
	switch v.(type) {
	case int64:
		have = "integer"
	case float64:
		have = "number"
	case bool:
		have = "boolean"
	}
	for _, u := range im.Uses {
		src, _ := u.Value.String()
		if want, ok := expr.Fits(src, im.Name, have); !ok {
			placeholder := map[string]string{"a number": "<number>", "a string": "<text>", "true or false": "<true|false>"}[want]
			return fmt.Sprintf("%s: %s is compared with %s (in %q): %s %s=%s",
				usePos(u), im.Name, want, src, how, im.Name, placeholder)
		}
	}
	return ""
}

// usePos is where in the file a condition reads an implied name: at the
// name, when the condition is on one line, else at the condition.
func usePos(u validate.Use) diag.Range {
	r := u.Value.Range
	if u.Line == 1 && r.Start.Line == r.End.Line {
		r.Start.Column += u.Column - 1
		if u.Value.Style != ast.Plain {
			r.Start.Column++ // the opening quote
		}
	}
	return r
}

// impliedValue reads the value given for a name nothing declares (a
// descriptive workflow's condition reads it): a number, true or false
// when it reads as one, else the text, so that amount < 1000 compares
// numbers.
func impliedValue(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return f
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	return s
}
