package expr

import (
	"fmt"
	"testing"
)

// TestPositions: issues and references point at the place in the
// expression's text they are about (1-based line and column), which the
// validator turns into file:line:col.
func TestPositions(t *testing.T) {
	env, err := NewEnv([]Decl{{Name: "count", Type: "integer"}, {Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ src, want string }{
		{"count + 1 > 'a'", "issue 1:11"},                  // the >
		{"count > 0 &&\n  result", "issue 2:3"},            // result, on line 2
		{"1 < count", "ident count 1:5"},                   // count
		{"status('a') == 'x'", "call a 1:8"},               // status's node argument
		{"true &&\n  error_of('b') == ''", "call b 2:12"},  // on line 2
		{"count > 0 && s.errors.length == 0", "hint 1:22"}, // .length
		{"count > 0 && s.errors.size() == 0", "no hint"},   // not every select is .length
		{"s.length_of_stay > 2 || s.lengthy", "no hint"},   // nor every field that starts so
	} {
		c, iss := env.Check(tt.src)
		var got string
		switch {
		case len(iss) > 0:
			got = fmt.Sprintf("issue %d:%d", iss[0].Line, iss[0].Column)
		case len(c.NodeCalls) > 0:
			got = fmt.Sprintf("call %s %d:%d", c.NodeCalls[0].Name, c.NodeCalls[0].Line, c.NodeCalls[0].Column)
		case len(c.Hints) > 0:
			got = fmt.Sprintf("hint %d:%d", c.Hints[0].Line, c.Hints[0].Column)
		case tt.want == "no hint":
			got = "no hint"
		case len(c.Idents) > 0:
			got = fmt.Sprintf("ident %s %d:%d", c.Idents[0].Name, c.Idents[0].Line, c.Idents[0].Column)
		}
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.src, got, tt.want)
		}
	}
}

// TestConflictingDecls: a name declared twice with one type keeps it; with
// two different types it becomes dyn, so neither type's uses are refused.
func TestConflictingDecls(t *testing.T) {
	same, err := NewEnv([]Decl{{Name: "n", Type: "integer"}, {Name: "n", Type: "integer"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, iss := same.Check("n + 'a' == 'b'"); len(iss) == 0 {
		t.Error("n, declared integer twice, was not checked as an integer")
	}
	mixed, err := NewEnv([]Decl{{Name: "n", Type: "integer"}, {Name: "n", Type: "string"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"n + 1 > 2", "n.startsWith('a')"} {
		if _, iss := mixed.Check(src); len(iss) > 0 {
			t.Errorf("%s, with n integer in one place and string in another: %v", src, iss)
		}
	}
}

// TestReservedNames: names CEL or osop keep for themselves (__…) are not
// declared; one-letter names are ordinary.
func TestReservedNames(t *testing.T) {
	env, err := NewEnv([]Decl{{Name: "x", Type: "integer"}, {Name: "_"}, {Name: "__y"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, iss := env.Check("x > 1"); len(iss) > 0 {
		t.Errorf("x: %v", iss)
	}
	if _, iss := env.Check("__y == 1"); len(iss) == 0 || iss[0].Undeclared != "__y" {
		t.Errorf("__y was declared: %v", iss)
	}
}
