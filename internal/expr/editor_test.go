package expr

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestEditorCEL(t *testing.T) {
	tests := []struct{ src, want string }{
		{"category == 'routine' OR category == 'sales'", "category == 'routine' || category == 'sales'"},
		{"status == 'failed' AND retry_count < 3", "status == 'failed' && retry_count < 3"},
		{"selected_route contains 'tool_caller'", "selected_route.contains('tool_caller')"},
		{"outputs.route.name contains \"x\" and ok", "outputs.route.name.contains(\"x\") && ok"},
		{"NOT approved", "!approved"},
		{"not (a or b)", "!(a || b)"},
		{"a = 1 and b <> 2", "a == 1 && b != 2"},
		{"x in ('a', 'b')", "x in ['a', 'b']"},
		{"approved == True OR flag == FALSE", "approved == true || flag == false"},
		{"note == 'A AND B = C' OR x", "note == 'A AND B = C' || x"},
		{`note == "it's = 'x'" or y`, `note == "it's = 'x'" || y`},
		{"r'a\\' == x or y", "r'a\\' == x || y"},
		{"'a\\' AND b' == x or y", "'a\\' AND b' == x || y"},
		{"size(tags) contains 'x'", "size(tags).contains('x')"},
		{"items[0] contains 'x'", "items[0].contains('x')"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			rw, ok := editorCEL(tt.src)
			if !ok || rw.text != tt.want {
				t.Fatalf("editorCEL(%q) = %q, %v; want %q", tt.src, rw.text, ok, tt.want)
			}
			if len([]rune(rw.text)) != len(rw.from) {
				t.Fatalf("%d runes, %d positions", len([]rune(rw.text)), len(rw.from))
			}
		})
	}
	for _, src := range []string{"a == b", "x in ['a']", "'AND' == s", "a.contains('b')"} {
		if rw, ok := editorCEL(src); ok {
			t.Errorf("editorCEL(%q) rewrote it to %q", src, rw.text)
		}
	}
}

// TestEnv_editorConditionsRunAsTheirCEL: an editor-style condition
// evaluates as the CEL written by hand does, and reports the CEL, with
// positions in the text as written.
func TestEnv_editorConditionsRunAsTheirCEL(t *testing.T) {
	env, err := NewEnv([]Decl{{Name: "category", Type: "string"}, {Name: "status", Type: "string"},
		{Name: "retry_count", Type: "integer"}, {Name: "selected_route"}, {Name: "tags", Type: "array"}})
	if err != nil {
		t.Fatal(err)
	}
	pairs := [][2]string{
		{"category == 'routine' OR category == 'sales'", "category == 'routine' || category == 'sales'"},
		{"status == 'failed' AND retry_count < 3", "status == 'failed' && retry_count < 3"},
		{"selected_route contains 'tool_caller'", "selected_route.contains('tool_caller')"},
		{"tags contains 'urgent' and NOT (status = 'done')", "'urgent' in tags && !(status == 'done')"},
	}
	values := []map[string]any{
		{"category": "sales", "status": "failed", "retry_count": int64(1), "selected_route": "tool_caller_2", "tags": []any{"urgent"}},
		{"category": "other", "status": "done", "retry_count": int64(5), "selected_route": "answer", "tags": []any{}},
		{"category": "routine", "status": "failed", "retry_count": int64(3), "selected_route": "x", "tags": []any{"x", "urgent"}},
	}
	for _, p := range pairs {
		c, iss := env.Check(p[0])
		if c == nil {
			t.Fatalf("%q: %v", p[0], iss)
		}
		if c.CEL == p[0] {
			t.Errorf("%q: not rewritten", p[0])
		}
		editor, err := env.Program(p[0])
		if err != nil {
			t.Fatal(err)
		}
		handwritten, err := env.Program(p[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			resolve := func(name string) (any, bool) { x, ok := v[name]; return x, ok }
			a, errA := editor.Eval(resolve)
			b, errB := handwritten.Eval(resolve)
			if fmt.Sprint(a, errA) != fmt.Sprint(b, errB) {
				t.Errorf("%q gives %v %v, %q gives %v %v", p[0], a, errA, p[1], b, errB)
			}
		}
	}
	c, _ := env.Check("status == 'failed' AND retry_count < 3")
	if len(c.Idents) != 2 || c.Idents[1].Name != "retry_count" || c.Idents[1].Column != 24 {
		t.Errorf("idents %+v: want retry_count at column 24 of the text as written", c.Idents)
	}
	_, iss := env.Check("status == 'failed' AND nope < 3")
	if len(iss) != 1 || iss[0].Undeclared != "nope" || iss[0].Column != 24 || iss[0].CEL == "" {
		t.Errorf("issues %+v: want nope undeclared at column 24, about the CEL", iss)
	}
}

// randomCEL writes a random valid CEL condition over a, b, s and l,
// with string literals that hold the editor's words.
func randomCEL(r *rand.Rand, depth int) string {
	lits := []string{"'AND'", "\"a OR b\"", "'x = y'", "'contains'", "'''NOT in ('a', 'b')'''", "r'\\d = 1'", "''"}
	if depth <= 0 || r.IntN(4) == 0 {
		switch r.IntN(6) {
		case 0:
			return "a"
		case 1:
			return "s == " + lits[r.IntN(len(lits))]
		case 2:
			return "s.contains(" + lits[r.IntN(len(lits))] + ")"
		case 3:
			return "b < 3"
		case 4:
			return lits[r.IntN(len(lits))] + " in l"
		}
		return "s in [" + lits[r.IntN(len(lits))] + ", 'x']"
	}
	x, y := randomCEL(r, depth-1), randomCEL(r, depth-1)
	switch r.IntN(5) {
	case 0:
		return x + " && " + y
	case 1:
		return x + " || " + y
	case 2:
		return "!(" + x + ")"
	case 3:
		return "((" + x + ") ? " + y + " : false)"
	}
	return x + "\n&& " + y
}

// TestProperty_validCELIsNeverRewritten: whatever valid CEL condition
// goes in, the same expression comes out.
func TestProperty_validCELIsNeverRewritten(t *testing.T) {
	env, err := NewEnv([]Decl{{Name: "a", Type: "boolean"}, {Name: "b", Type: "integer"}, {Name: "s", Type: "string"}, {Name: "l", Type: "array"}})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		src := randomCEL(r, 4)
		c, iss := env.Check(src)
		if c == nil {
			t.Fatalf("%q is not valid CEL: %v", src, iss)
		}
		if c.CEL != src {
			t.Fatalf("%q became %q", src, c.CEL)
		}
	}
}

// FuzzEditorCEL: any text is read without a panic, string literals come
// out as they went in, and every rune of the rewrite maps into the source.
func FuzzEditorCEL(f *testing.F) {
	for _, s := range []string{"a AND b", "x contains 'y'", "'unterminated", "r\"\\\"", "in (1, 2", "contains contains", "'''a''' = b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		rw, ok := editorCEL(src)
		if !ok {
			return
		}
		n := len([]rune(src))
		for _, at := range rw.from {
			if at < 0 || at >= max(n, 1) {
				t.Fatalf("position %d outside %q", at, src)
			}
		}
		for _, tok := range tokenize(src) {
			if tok.kind == tokString && !strings.Contains(rw.text, tok.text) {
				t.Fatalf("literal %s of %q lost in %q", tok.text, src, rw.text)
			}
		}
		rw.back(1, 1)
	})
}
