package validate

import "testing"

// TestDistance: the edit distance behind "did you mean", with a swapped
// pair of letters costing one edit (the commonest typo), not two.
func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"nodes", "nodes", 0},
		{"", "abc", 3},
		{"nodes", "node", 1},      // a deletion
		{"nodes", "notes", 1},     // a substitution
		{"ndoes", "nodes", 1},     // a swap
		{"ab", "ba", 1},           // a swap, at the start
		{"timeout", "tiemotu", 2}, // two swaps
		{"abc", "ca", 3},          // not a swap: OSA, not full Damerau
	} {
		if got := distance(c.a, c.b); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := distance(c.b, c.a); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d (it is symmetric)", c.b, c.a, got, c.want)
		}
	}
}

// TestClosestSuggestsASwap: a field name with two letters swapped gets
// its suggestion, as one with a letter wrong does.
func TestClosestSuggestsASwap(t *testing.T) {
	for _, word := range []string{"ndoes", "nodse", "nodez"} {
		if got, ok := closest(word, []string{"edges", "nodes", "inputs"}); !ok || got != "nodes" {
			t.Errorf("closest(%q) = %q, %v; want nodes", word, got, ok)
		}
	}
}
