package expr

import "testing"

func TestFits(t *testing.T) {
	tests := []struct {
		src, name, have string
		want            string
		ok              bool
	}{
		{"amount < 1000", "amount", "string", "a number", false},
		{"amount < 1000", "amount", "integer", "", true},
		{"amount < 1000", "amount", "number", "", true},
		{"amount < 1000 && region == 'eu'", "amount", "string", "a number", false},
		{"region == 'eu' && amount < 1000", "region", "integer", "a string", false},
		{"amount > limit", "amount", "string", "", true}, // limit unknown: the checker cannot tell
		{"approved", "approved", "string", "", true},
		{"name == 'x'", "name", "integer", "a string", false},
	}
	for _, tt := range tests {
		want, ok := Fits(tt.src, tt.name, tt.have)
		if want != tt.want || ok != tt.ok {
			t.Errorf("Fits(%q, %s=%s) = %q, %v; want %q, %v", tt.src, tt.name, tt.have, want, ok, tt.want, tt.ok)
		}
	}
}
