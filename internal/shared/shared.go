// Package shared finds the material that sits beside the project in
// ../shared (the OSOP specification, the public corpus, the seed workflow)
// for tests that use it. Tests skip, saying so, when it is absent.
//
// It imports only the standard library and testing.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of ../shared/<sub> next to the module root,
// or of $OSOP_SHARED/<sub> when that is set. It skips the test when the
// directory does not exist.
func Dir(t testing.TB, sub string) string {
	t.Helper()
	dir, ok := Lookup(sub)
	if !ok {
		t.Skipf("skipping: %s not found (looked in ../shared beside the module root, or $OSOP_SHARED)", sub)
	}
	return dir
}

// Lookup is [Dir] without a test: ok is false when the directory is absent.
func Lookup(sub string) (string, bool) {
	base := os.Getenv("OSOP_SHARED")
	if base == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", false
		}
		base = filepath.Join(filepath.Dir(root), "shared")
	}
	dir := filepath.Join(base, sub)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", false
	}
	return dir, true
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// Files returns the files under dir whose names end in one of exts, sorted.
func Files(t testing.TB, dir string, exts ...string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, e := range exts {
			if len(p) >= len(e) && p[len(p)-len(e):] == e {
				out = append(out, p)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
