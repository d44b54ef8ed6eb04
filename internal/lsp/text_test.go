package lsp

import (
	"testing"

	"github.com/osopdev/osop/internal/diag"
)

// The seed's title is Chinese: each of its characters is three bytes of
// UTF-8, one character for osop and one UTF-16 unit for LSP. An emoji is
// one character and two UTF-16 units.
func TestTextPositions(t *testing.T) {
	t.Parallel()
	src := []byte("id: x\r\nname: \"Kubernetes 建置與部署流水線\" # x\nnote: 🚀 go\n")
	tx := newText(src)
	tests := []struct {
		name string
		pos  diag.Pos
		want Position
	}{
		{"start", diag.Pos{Line: 1, Column: 1}, Position{0, 0}},
		{"after CRLF line", diag.Pos{Line: 2, Column: 1}, Position{1, 0}},
		{"after CJK", diag.Pos{Line: 2, Column: 26}, Position{1, 25}},
		{"CJK comment", diag.Pos{Line: 2, Column: 28}, Position{1, 27}},
		{"after emoji", diag.Pos{Line: 3, Column: 8}, Position{2, 8}},
		{"past the line", diag.Pos{Line: 1, Column: 99}, Position{0, 5}},
		{"invalid", diag.Pos{}, Position{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tx.position(tt.pos)
			if got != tt.want {
				t.Errorf("position(%v) = %v, want %v", tt.pos, got, tt.want)
			}
			if tt.pos.IsValid() && tt.pos.Column < 20 || tt.name == "after CJK" || tt.name == "after emoji" {
				if back := tx.pos(got); back != tt.pos {
					t.Errorf("pos(%v) = %v, want %v back", got, back, tt.pos)
				}
			}
		})
	}
	// The byte offset after 建置與部署流水線 (8 characters, 24 bytes).
	if off, want := tx.offset(Position{1, 26}), len("id: x\r\nname: \"Kubernetes 建置與部署流水線"); off != want {
		t.Errorf("offset after CJK = %d, want %d", off, want)
	}
}

func TestApplyChange(t *testing.T) {
	t.Parallel()
	src := []byte("name: 建置\nid: a\n")
	tests := []struct {
		name string
		c    contentChange
		want string
	}{
		{"full", contentChange{Text: "x"}, "x"},
		{"after CJK", contentChange{Range: &Range{Position{0, 8}, Position{0, 8}}, Text: "與部署"}, "name: 建置與部署\nid: a\n"},
		{"replace CJK", contentChange{Range: &Range{Position{0, 6}, Position{0, 8}}, Text: "ok"}, "name: ok\nid: a\n"},
		{"across lines", contentChange{Range: &Range{Position{0, 7}, Position{1, 4}}, Text: ""}, "name: 建a\n"},
		{"past the end", contentChange{Range: &Range{Position{5, 0}, Position{5, 0}}, Text: "z"}, "name: 建置\nid: a\nz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := string(applyChange(src, tt.c)); got != tt.want {
				t.Errorf("applyChange = %q, want %q", got, tt.want)
			}
		})
	}
}
