package db

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompile(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		d      dialect
		src    string
		sql    string
		params []string
		rows   bool
		err    string
	}{
		{"positional", dialectPG, "SELECT * FROM t WHERE a = $1 AND b = $2", "SELECT * FROM t WHERE a = $1 AND b = $2", []string{"$1", "$2"}, true, ""},
		{"named, reused", dialectPG, "UPDATE t SET a = :v WHERE b = :k OR c = :v", "UPDATE t SET a = $1 WHERE b = $2 OR c = $1", []string{":v", ":k"}, false, ""},
		{"named after positional", dialectPG, "SELECT $2, :x, $1", "SELECT $2, $3, $1", []string{"$1", "$2", ":x"}, true, ""},
		{"cast is no parameter", dialectPG, "SELECT :n::int, '1'::text", "SELECT $1::int, '1'::text", []string{":n"}, true, ""},
		{"colon and dollar in a literal", dialectPG, "SELECT 'a :b $1 ${x}'", "", nil, true, "${x} is inside the string literal"},
		{"colons in literals and comments", dialectPG, "SELECT 'x:y', \"col:1\" -- :c $9\n/* :d /* $8 */ :e */ FROM t", "SELECT 'x:y', \"col:1\" -- :c $9\n/* :d /* $8 */ :e */ FROM t", nil, true, ""},
		{"escaped quote", dialectPG, "SELECT 'it''s :x', :y", "SELECT 'it''s :x', $1", []string{":y"}, true, ""},
		{"E string with backslash", dialectPG, `SELECT E'it\'s :x', :y`, `SELECT E'it\'s :x', $1`, []string{":y"}, true, ""},
		{"dollar quoting", dialectPG, "DO $body$ BEGIN RAISE NOTICE ':x $1'; END $body$; SELECT $$ :y $$, :z", "DO $body$ BEGIN RAISE NOTICE ':x $1'; END $body$; SELECT $$ :y $$, $1", []string{":z"}, false, ""},
		{"reference in code", dialectPG, "SELECT * FROM t WHERE y = ${FISCAL_YEAR} AND id = {{ inputs.id }}", "SELECT * FROM t WHERE y = $1 AND id = $2", []string{"${FISCAL_YEAR}", "{{ inputs.id }}"}, true, ""},
		{"reference alone in a literal", dialectPG, "SELECT * FROM t WHERE name = '${inputs.name}'", "SELECT * FROM t WHERE name = $1", []string{"${inputs.name}"}, true, ""},
		{"same reference twice", dialectPG, "SELECT {{x}}, '{{x}}'", "SELECT $1, $1", []string{"{{x}}"}, true, ""},
		{"reference in part of a literal", dialectPG, "SELECT '%${q}%'", "", nil, false, "${q} is inside the string literal '%${q}%'"},
		{"reference in an identifier", dialectPG, `SELECT "${col}" FROM t`, "", nil, false, `${col} is inside a quoted identifier`},
		{"reference in a name", dialectPG, "SELECT * FROM logs_{{DATE}}", "", nil, false, "{{DATE}} is inside a name"},
		{"reference in dollar quotes", dialectPG, "SELECT $q$ ${x} $q$", "", nil, false, "${x} is inside a dollar-quoted string"},
		{"reference in a comment is left", dialectPG, "SELECT 1 -- for ${who}\n", "SELECT 1 -- for ${who}\n", nil, true, ""},
		{"escaped template", dialectPG, `SELECT '$${x}', '\{{y}}'`, `SELECT '${x}', '{{y}}'`, nil, true, ""},
		{"returning", dialectPG, "INSERT INTO t (a) VALUES (:a) RETURNING id", "INSERT INTO t (a) VALUES ($1) RETURNING id", []string{":a"}, true, ""},
		{"with", dialectPG, "/* c */ WITH x AS (SELECT 1) SELECT * FROM x", "/* c */ WITH x AS (SELECT 1) SELECT * FROM x", nil, true, ""},
		{"exec", dialectPG, "  delete from t where a = $1", "  delete from t where a = $1", []string{"$1"}, false, ""},
		{"jsonb operators stay", dialectPG, "SELECT doc ? 'k', doc ?| array['a'] FROM t WHERE id = :id", "SELECT doc ? 'k', doc ?| array['a'] FROM t WHERE id = $1", []string{":id"}, true, ""},
		{"identifier with dollar", dialectPG, "SELECT a$1 FROM t", "SELECT a$1 FROM t", nil, true, ""},
		{"$0", dialectPG, "SELECT $0", "", nil, true, "$0 is not a parameter number"},
		{"sqlite numbering", dialectSQLite, "SELECT :a, $1, ${b}, :a", "SELECT ?2, ?1, ?3, ?2", []string{"$1", ":a", "${b}"}, true, ""},
		{"sqlite question marks", dialectSQLite, "INSERT INTO t VALUES (?, ?, ?5, ?)", "INSERT INTO t VALUES (?1, ?2, ?3, ?4)", []string{"$1", "$2", "$5", "$6"}, false, ""},
		{"only $2", dialectPG, "SELECT k FROM kv WHERE v >= $2 AND k = :k", "SELECT k FROM kv WHERE v >= $1 AND k = $2", []string{"$2", ":k"}, true, ""},
		{"sqlite quoting", dialectSQLite, "SELECT `a:b`, [c:d] FROM t WHERE x = :x", "SELECT `a:b`, [c:d] FROM t WHERE x = ?1", []string{":x"}, true, ""},
		{"sqlite pragma", dialectSQLite, "PRAGMA table_info(t)", "PRAGMA table_info(t)", nil, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := compile(c.src, c.d)
			if c.err != "" {
				var se *SpliceError
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				if strings.Contains(c.err, "inside") && !errors.As(err, &se) {
					t.Errorf("err is %T, want a *SpliceError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var params []string
			for _, p := range got.Params {
				params = append(params, p.String())
			}
			if got.SQL != c.sql || !cmp.Equal(params, c.params) || got.Rows != c.rows {
				t.Errorf("compile(%q)\n got %q %v rows=%v\nwant %q %v rows=%v", c.src, got.SQL, params, got.Rows, c.sql, c.params, c.rows)
			}
		})
	}
}

// TestCompile_generated builds random statements from pieces whose
// parameters are known (code with $N, :name and references; literals,
// quoted names and comments holding look-alikes) and checks that exactly
// the parameters in code are found, in order, and that everything else
// comes out unchanged.
func TestCompile_generated(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		d := dialect(r.IntN(2))
		src, want, sql := generate(r, d)
		got, err := compile(src, d)
		if err != nil {
			t.Fatalf("compile(%q): %v", src, err)
		}
		var params []string
		for _, p := range got.Params[got.Positional:] {
			params = append(params, p.String())
		}
		if got.SQL != sql || !cmp.Equal(params, want) {
			t.Fatalf("compile(%q)\n got %q %v\nwant %q %v", src, got.SQL, params, sql, want)
		}
	}
}

// generate returns a statement, the named parameters and references it
// holds in order of first appearance, and the SQL compile should give.
func generate(r *rand.Rand, d dialect) (src string, params []string, sql string) {
	var s, out strings.Builder
	seen := map[string]int{}
	mark := map[dialect]string{dialectPG: "$", dialectSQLite: "?"}[d]
	junk := func() string {
		alphabet := []string{"a", " ", ":", "$", "1", "?", "-", "/", "*", ":x", "$2", "{", "}", "\\"}
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	slot := func(key string) {
		k, ok := seen[key]
		if !ok {
			k = len(seen)
			seen[key] = k
			params = append(params, key)
		}
		out.WriteString(fmt.Sprintf("%s%d", mark, k+1))
	}
	s.WriteString("SELECT ")
	out.WriteString("SELECT ")
	for range 1 + r.IntN(8) {
		var text string
		switch r.IntN(7) {
		case 0:
			name := []string{"a", "b_1", "cc"}[r.IntN(3)]
			s.WriteString(":" + name)
			slot(":" + name)
		case 1:
			ref := []string{"${inputs.x}", "{{Y}}", "${outputs.n.v}"}[r.IntN(3)]
			if r.IntN(2) == 0 {
				s.WriteString("'" + ref + "'")
			} else {
				s.WriteString(ref)
			}
			slot(ref)
		case 2:
			text = "'" + strings.ReplaceAll(strings.ReplaceAll(junk(), "'", "''"), "{", "(") + "'"
		case 3:
			text = `"` + strings.ReplaceAll(strings.ReplaceAll(junk(), `"`, ""), "{", "(") + `"`
		case 4:
			text = "-- " + strings.ReplaceAll(junk(), "\n", "") + "\n"
		case 5:
			text = "/* " + strings.NewReplacer("*", "", "/", "").Replace(junk()) + " */"
		case 6:
			text = "x::int"
		}
		s.WriteString(text)
		out.WriteString(strings.NewReplacer("$${", "${", `\{{`, "{{").Replace(text)) // osop's template escapes
		s.WriteString(", ")
		out.WriteString(", ")
	}
	s.WriteString("1")
	out.WriteString("1")
	return s.String(), params, out.String()
}

// FuzzCompile: no input panics, and whatever compiles holds no template
// reference outside comments, in code or literals, as SQL text.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"SELECT :a, $1, '${x}'", "SELECT $$ :x $$", "E'\\''", "/* /* */", "'", `"`, "$tag$", "?1 ?", "{{a}}b", "$${x}"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, src string, lite bool) {
		d := dialectPG
		if lite {
			d = dialectSQLite
		}
		c, err := compile(src, d)
		if err != nil {
			return
		}
		last := 0
		for k, p := range c.Params {
			positional := p.Ref == nil && p.Name == ""
			if positional != (k < c.Positional) || (positional && p.Pos <= last) {
				t.Fatalf("params %v: the $N must come first, in order", c.Params)
			}
			last = p.Pos
		}
		if c.Positional > c.MaxPos {
			t.Fatalf("%d positional parameters, up to $%d", c.Positional, c.MaxPos)
		}
	})
}
