package validate

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/parse"
	"github.com/osopdev/osop/internal/schema"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/rules/*.txtar")

// TestRules runs every case in testdata/rules. Each archive holds one
// workflow file and a "want" section listing the diagnostics it must give,
// one "LINE:COL severity code" per line (info notes are not listed). Every
// rule has a case that fails (…-fail.txtar) and one that passes
// (…-pass.txtar, with an empty want).
func TestRules(t *testing.T) {
	files, err := filepath.Glob("testdata/rules/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var src *txtar.File
			wantIdx := -1
			for i := range ar.Files {
				if ar.Files[i].Name == "want" {
					wantIdx = i
				} else if src == nil {
					src = &ar.Files[i]
				}
			}
			if src == nil || wantIdx < 0 {
				t.Fatal("a case needs a workflow file and a want section")
			}
			opts := Options{}
			if p := flagValue(ar.Comment, "schema"); p != "" {
				opts.Profile = schema.Profile(p)
			}
			// The archive's other files are written beside the workflow,
			// for rules that look at the file system (sop-ref).
			dir := t.TempDir()
			for _, f := range ar.Files[1:] {
				if f.Name == "want" {
					continue
				}
				path := filepath.Join(dir, f.Name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := run(filepath.Join(dir, src.Name), src.Data, opts)
			if *update {
				ar.Files[wantIdx].Data = []byte(strings.Join(got, "\n") + "\n")
				if len(got) == 0 {
					ar.Files[wantIdx].Data = nil
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := lines(string(ar.Files[wantIdx].Data))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			failing := strings.HasSuffix(file, "-fail.txtar")
			if failing == (len(want) == 0) {
				t.Errorf("a -fail case must report something and a -pass case nothing")
			}
		})
	}
}

func run(name string, src []byte, opts Options) []string {
	doc, ds := parse.Bytes(name, src, parse.DefaultLimits)
	ds = append(ds, Document(doc, opts)...)
	ds.Sort()
	var got []string
	for _, d := range ds.Filter(diag.Warning) {
		got = append(got, strings.Join([]string{
			posString(d.Subject), d.Severity.String(), d.Code,
		}, " "))
	}
	return got
}

func posString(r diag.Range) string {
	return strings.TrimPrefix(r.String(), r.File+":")
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// flagValue reads "key: value" from an archive's comment.
func flagValue(comment []byte, key string) string {
	for _, l := range strings.Split(string(comment), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), key+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// TestRulesCovered checks that every rule the validator can report has a
// failing case in testdata/rules that reports it, and a passing case
// (RULE-pass.txtar, or RULE-VARIANT-pass.txtar) that comes close without
// reporting it.
func TestRulesCovered(t *testing.T) {
	failing := map[string]bool{}
	files, _ := filepath.Glob("testdata/rules/*-fail.txtar")
	for _, f := range files {
		ar, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, fl := range ar.Files {
			if fl.Name != "want" {
				continue
			}
			for _, l := range lines(string(fl.Data)) {
				if parts := strings.Fields(l); len(parts) == 3 {
					failing[parts[2]] = true
				}
			}
		}
	}
	passing, _ := filepath.Glob("testdata/rules/*-pass.txtar")
	hasPass := func(id string) bool {
		for _, p := range passing {
			base := filepath.Base(p)
			if base == id+"-pass.txtar" || strings.HasPrefix(base, id+"-") {
				return true
			}
		}
		return false
	}
	var noFail, noPass []string
	for id := range Rules {
		if uncoveredByDesign[id] {
			continue
		}
		if !failing[id] {
			noFail = append(noFail, id)
		}
		if !hasPass(id) {
			noPass = append(noPass, id)
		}
	}
	sort.Strings(noFail)
	sort.Strings(noPass)
	if len(noFail) > 0 {
		t.Errorf("rules without a failing case in testdata/rules: %s", strings.Join(noFail, ", "))
	}
	if len(noPass) > 0 {
		t.Errorf("rules without a passing case in testdata/rules: %s", strings.Join(noPass, ", "))
	}
}

// uncoveredByDesign are codes tested elsewhere: limits and encodings in
// package parse (they need bytes a txtar cannot hold), info notes, and
// runtime-config, which executors report.
var uncoveredByDesign = map[string]bool{
	"file-too-large": true, "encoding": true, "too-deep": true, "too-many-values": true,
	"alias": true, "runtime-config": true, "empty-file": true,
	// Reported by osop run, which knows the values given: run scripts test them.
	"missing-secret": true, "missing-input": true,
	// Info notes: TestLoops and TestConditions check them.
	"loop": true, "condition-rewrite": true,
}
