package proc

import "testing"

func TestSummary(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"git", "clone", "--branch", "main", "--depth", "1", "--", "https://example.com/r.git", "/w/r"}, "git clone https://example.com/r.git /w/r"},
		{[]string{"git", "pull", "--ff-only"}, "git pull"},
		{[]string{"git", "push", "--", "origin", "HEAD"}, "git push origin HEAD"},
		{[]string{"kubectl", "apply", "-f", "x.yaml"}, "kubectl apply x.yaml"},
		{[]string{"docker"}, "docker"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := Summary(tt.argv); got != tt.want {
			t.Errorf("Summary(%q) = %q, want %q", tt.argv, got, tt.want)
		}
	}
}
