package parse

import "testing"

// TestFirstControl: the characters YAML refuses are found where they
// are (line, column in characters); those it allows are not.
func TestFirstControl(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src       string
		line, col int
		r         rune
	}{
		{"a: b\tc\r\nd: \"e\u0085\"\n", 0, 0, 0},
		{"a: 建置\x07\n", 1, 6, 0x07},
		{"a: 1\nb: x\x1b[31m\n", 2, 5, 0x1b},
		{"a: \u0086\n", 1, 4, 0x86},
		{"a: \x7f", 1, 4, 0x7f},
		{"k: \uffff", 1, 4, 0xffff},
		{"k: \u00e9\u00c2\u00ef", 0, 0, 0}, // é Â ï: lead bytes 0xC3, not refused
	}
	for _, tt := range tests {
		line, col, r, ok := firstControl([]byte(tt.src))
		if ok != (tt.r != 0) || line != tt.line || col != tt.col || r != tt.r {
			t.Errorf("firstControl(%q) = %d:%d %U %v, want %d:%d %U", tt.src, line, col, r, ok, tt.line, tt.col, tt.r)
		}
	}
}
