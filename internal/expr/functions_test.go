package expr

import (
	"slices"
	"testing"
)

func TestFunctions(t *testing.T) {
	t.Parallel()
	got := Functions()
	for _, want := range []string{"size", "has", "exists", "status", "error_of", "duration_of", "attempt", "startsWith", "matches", "exists_one"} {
		if !slices.Contains(got, want) {
			t.Errorf("Functions() lacks %q; got %v", want, got)
		}
	}
	for _, op := range []string{"_+_", "@in", "!_", "_[_]"} {
		if slices.Contains(got, op) {
			t.Errorf("Functions() lists operator %q", op)
		}
	}
}
