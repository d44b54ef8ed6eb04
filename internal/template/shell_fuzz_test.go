package template

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"
)

// shape is a random command holding {{X}}, and what bash prints when X
// has value v.
type shape struct {
	cmd  string
	want func(v string) string
}

func trimNL(s string) string { return strings.TrimRight(s, "\n") }

// leaves print the value from one kind of place.
var leaves = []func(depth int) shape{
	func(int) shape { return shape{`printf '[%s]' {{X}}`, func(v string) string { return "[" + v + "]" }} },
	func(int) shape {
		return shape{`printf '[%s]' "a{{X}}"`, func(v string) string { return "[a" + v + "]" }}
	},
	func(int) shape {
		return shape{`printf '[%s]' 'b{{X}}'`, func(v string) string { return "[b" + v + "]" }}
	},
	func(int) shape {
		return shape{`printf '[%s]' $'\t{{X}}'`, func(v string) string { return "[\t" + v + "]" }}
	},
	func(int) shape {
		return shape{`printf '[%s]' "$(printf %s {{X}})"`, func(v string) string { return "[" + trimNL(v) + "]" }}
	},
	func(int) shape {
		return shape{"printf '[%s]' \"`printf %s {{X}}`\"", func(v string) string { return "[" + trimNL(v) + "]" }}
	},
	func(int) shape {
		return shape{`y={{X}}; printf '[%s]' "$y"`, func(v string) string { return "[" + v + "]" }}
	},
	func(int) shape {
		return shape{`printf '[%s]' "${u:-{{X}}}" ${u:-{{X}}}`, func(v string) string { return "[" + v + "][" + v + "]" }}
	},
	func(int) shape {
		return shape{`case {{X}} in {{X}}) printf '[%s]' {{X}};; esac`, func(v string) string { return "[" + v + "]" }}
	},
	func(int) shape {
		return shape{`[[ {{X}} == {{X}} ]] && printf '[%s]' {{X}}`, func(v string) string { return "[" + v + "]" }}
	},
	func(d int) shape {
		return shape{fmt.Sprintf("cat <<E%d\n[{{X}}] $((1+1))\nE%d", d, d), func(v string) string { return "[" + v + "] 2\n" }}
	},
	func(d int) shape {
		return shape{fmt.Sprintf("cat <<-E%d\n\t$(printf %%s {{X}})\n\tE%d", d, d), func(v string) string { return trimNL(v) + "\n" }}
	},
}

// wrappers put a shape inside a compound command or a substitution.
var wrappers = []func(s shape, depth int) shape{
	func(s shape, _ int) shape { return shape{"(\n" + s.cmd + "\n)", s.want} },
	func(s shape, _ int) shape { return shape{"{\n" + s.cmd + "\n} | cat", s.want} },
	func(s shape, _ int) shape { return shape{"if true; then\n" + s.cmd + "\nfi", s.want} },
	func(s shape, d int) shape { return shape{fmt.Sprintf("f%d() {\n%s\n}\nf%d", d, s.cmd, d), s.want} },
	func(s shape, _ int) shape { return shape{"for _i in 1; do\n" + s.cmd + "\ndone", s.want} },
	func(s shape, _ int) shape { return shape{"case a in a)\n" + s.cmd + "\n;; esac", s.want} },
	func(s shape, _ int) shape {
		return shape{"printf '%s' \"pre $(\n" + s.cmd + "\n) post\"", func(v string) string { return "pre " + trimNL(s.want(v)) + " post" }}
	},
	func(s shape, d int) shape {
		return shape{fmt.Sprintf("x%d=$(\n%s\n); printf '%%s' \"$x%d\"", d, s.cmd, d), func(v string) string { return trimNL(s.want(v)) }}
	},
	func(s shape, d int) shape {
		return shape{fmt.Sprintf("cat <<W%d\n<$(\n%s\n)>\nW%d", d, s.cmd, d), func(v string) string { return "<" + trimNL(s.want(v)) + ">\n" }}
	},
}

// genShape builds a random shape: a leaf, or one or two shapes in a
// wrapper, up to depth 3.
func genShape(r *rand.Rand, depth int) shape {
	if depth >= 3 || r.IntN(3) == 0 {
		return leaves[r.IntN(len(leaves))](depth)
	}
	s := genShape(r, depth+1)
	if r.IntN(3) == 0 {
		a, b := s, genShape(r, depth+1)
		s = shape{a.cmd + "\n" + b.cmd, func(v string) string { return a.want(v) + b.want(v) }}
	}
	return wrappers[r.IntN(len(wrappers))](s, depth)
}

func resolveX(v string) func(Ref) (string, bool) {
	return func(r Ref) (string, bool) { return v, r.Name() == "X" }
}

// bashRuns bounds how many fuzz inputs also run through real bash.
var bashRuns atomic.Int32

// FuzzShell: for random command shapes and any value, the script is the
// same whatever the value, it parses to the command's own shape with each
// placeholder a reference to a bound variable, the one-string form has the
// same syntax tree whatever the value, a NUL is refused, and (for the
// first inputs) bash prints the value byte for byte.
func FuzzShell(f *testing.F) {
	for i, v := range hostile {
		f.Add(uint64(i*7919), v)
	}
	f.Add(uint64(1), "a\x00b")
	f.Fuzz(func(t *testing.T, seed uint64, v string) {
		s := genShape(rand.New(rand.NewPCG(seed, seed>>32)), 0)
		c, _, err := Shell(s.cmd, ShellOptions{}, resolveX(v))
		if strings.IndexByte(v, 0) >= 0 {
			if err == nil || !strings.Contains(err.Error(), "NUL") {
				t.Fatalf("a NUL in the value: got %v, want a refusal", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s\n%v", s.cmd, err)
		}
		ref, _, err := Shell(s.cmd, ShellOptions{}, resolveX("x"))
		if err != nil || ref.Script != c.Script {
			t.Fatalf("%s\nthe script changed with the value %q:\n%s\n%s (%v)", s.cmd, v, ref.Script, c.Script, err)
		}
		checkScript(t, s.cmd, c)
		// (The parser reads only UTF-8; bash, and the env form, take any bytes.)
		if a, b := inlineTree(t, c), inlineTree(t, ref); utf8.ValidString(v) && a != b {
			t.Fatalf("the one-string form's tree changed with the value %q:\n%s\n%s", v, a, b)
		}
		if bashRuns.Add(1) <= 200 {
			if got, want := runBash(t, c), s.want(v); got != want {
				t.Fatalf("%s\nran %s\nvalue %q: got %q, want %q", s.cmd, c.Script, v, got, want)
			}
		}
	})
}

// checkScript parses the script and compares it with the command: the
// same statements and words, with each placeholder now a reference to a
// bound variable.
func checkScript(t *testing.T, cmd string, c *ShellCommand) {
	t.Helper()
	p := newProbe(cmd, resolveX("x"))
	probe, err := syntax.NewParser().Parse(strings.NewReader(p.text), "")
	if err != nil {
		t.Fatalf("the command does not parse: %v", err)
	}
	script, err := syntax.NewParser().Parse(strings.NewReader(c.Script), "")
	if err != nil {
		t.Fatalf("the script does not parse: %v\n%s", err, c.Script)
	}
	if a, b := outline(probe), outline(script); a != b {
		t.Fatalf("the script's shape differs from the command's:\n%s\n%s\n%s", a, b, c.Script)
	}
	refs := 0
	syntax.Walk(script, func(n syntax.Node) bool {
		if pe, ok := n.(*syntax.ParamExp); ok && strings.HasPrefix(pe.Param.Value, "OSOP_V_") {
			refs++
			if len(c.Vars) != 1 || pe.Param.Value != c.Vars[0].Name {
				t.Fatalf("reference to %s, bound %v", pe.Param.Value, c.Vars)
			}
		}
		return true
	})
	if want := strings.Count(cmd, "{{X}}"); refs != want {
		t.Fatalf("%d references in the script, %d placeholders in the command:\n%s", refs, want, c.Script)
	}
}

// outline lists a syntax tree's commands and the number of words of each,
// leaving out what is inside the words.
func outline(f *syntax.File) string {
	var b strings.Builder
	syntax.Walk(f, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.CallExpr:
			fmt.Fprintf(&b, "call/%d/%d ", len(x.Assigns), len(x.Args))
		case *syntax.Redirect:
			fmt.Fprintf(&b, "redirect/%s ", x.Op)
		case *syntax.BinaryCmd:
			fmt.Fprintf(&b, "binary/%s ", x.Op)
		case *syntax.Stmt, *syntax.IfClause, *syntax.WhileClause, *syntax.ForClause, *syntax.CaseClause, *syntax.Block,
			*syntax.Subshell, *syntax.FuncDecl, *syntax.TestClause, *syntax.ArithmCmd, *syntax.DeclClause, *syntax.CmdSubst:
			fmt.Fprintf(&b, "%T ", n)
		}
		return true
	})
	return b.String()
}

// inlineTree prints the syntax tree of the one-string form with the
// assigned values left out.
func inlineTree(t *testing.T, c *ShellCommand) string {
	t.Helper()
	if !utf8.ValidString(c.Inline()) {
		return ""
	}
	f, err := syntax.NewParser().Parse(strings.NewReader(c.Inline()), "")
	if err != nil {
		t.Fatalf("the one-string form does not parse: %v\n%s", err, c.Inline())
	}
	for _, st := range f.Stmts[:min(len(c.Vars), len(f.Stmts))] {
		if call, ok := st.Cmd.(*syntax.CallExpr); ok {
			for _, a := range call.Assigns {
				a.Value = &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: "V"}}}
			}
		}
	}
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, f); err != nil {
		t.Fatal(err)
	}
	// The printer keeps blank lines where statements were apart; a value
	// of several lines moves them.
	var lines []string
	for l := range strings.Lines(b.String()) {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return outline(f) + "\n" + strings.Join(lines, "")
}

func runBash(t *testing.T, c *ShellCommand) string {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", c.Script)
	cmd.Dir, cmd.Env = dir, append([]string{"PATH=" + os.Getenv("PATH")}, c.Env()...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", c.Script, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Fatalf("%s: the value ran as a command", c.Script)
	}
	return string(out)
}

// TestShell_randomShapes runs random shapes with common hostile values
// through one bash each: arrival beyond the fuzz corpus.
func TestShell_randomShapes(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	values := []string{"a b", `"; touch pwned; "`, "$(touch pwned)", "new\nline", `\`, "EOF\ntouch pwned\nE0"}
	dir := t.TempDir()
	for range 25 {
		s := genShape(r, 0)
		for i, res := range runValues(t, dir, "bash", []string{"--noprofile", "--norc", "-eo", "pipefail", "-c"}, s.cmd, values) {
			if want := s.want(values[i]); res.out != want || res.err != "" {
				t.Errorf("%s\nvalue %q: got %q (%s), want %q", s.cmd, values[i], res.out, res.err, want)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Fatal("a value ran as a command")
	}
}

// FuzzShellCommand: for any command Shell accepts, whatever the value,
// the script is the same, it parses to the command's own outline, and it
// references a bound variable once for each placeholder outside comments.
func FuzzShellCommand(f *testing.F) {
	for _, a := range arrivals {
		f.Add(a.cmd, "a b")
	}
	for _, cmd := range []string{"cat <<'EOF'\n{{X}}\nEOF", `eval "{{X}}"`, "echo $(( {{X}} ))", "echo ${a[{{X}}]}", `x={{X}} # {{X}}`} {
		f.Add(cmd, "1")
	}
	f.Fuzz(func(t *testing.T, cmd, v string) {
		if strings.Contains(cmd, "OSOP") || !utf8.ValidString(cmd) {
			return
		}
		c, _, err := Shell(cmd, ShellOptions{}, resolveX(v))
		ref, _, refErr := Shell(cmd, ShellOptions{}, resolveX("1"))
		switch {
		case err != nil && refErr == nil && !strings.Contains(err.Error(), "NUL") && !strings.Contains(err.Error(), "integer"):
			t.Fatalf("%q refused with %q only: %v", cmd, v, err)
		case err != nil || refErr != nil:
			return
		case c.Script != ref.Script:
			t.Fatalf("%q: the script changed with the value %q:\n%s\n%s", cmd, v, ref.Script, c.Script)
		}
		p := newProbe(cmd, resolveX("1"))
		if len(p.sites) == 0 {
			return // nothing to place: the command is passed on as it is
		}
		probe, perr := syntax.NewParser().Parse(strings.NewReader(p.text), "")
		script, serr := syntax.NewParser().Parse(strings.NewReader(c.Script), "")
		if perr != nil || serr != nil {
			t.Fatalf("%q: the script does not parse: %v %v\n%s", cmd, perr, serr, c.Script)
		}
		if a, b := outline(probe), outline(script); a != b {
			t.Fatalf("%q: the script's outline differs from the command's:\n%s\n%s\n%s", cmd, a, b, c.Script)
		}
		if err := p.analyze(""); err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, s := range p.sites {
			if s.form != formComment {
				want++
			}
		}
		refs := 0
		syntax.Walk(script, func(n syntax.Node) bool {
			if pe, ok := n.(*syntax.ParamExp); ok && pe.Param != nil && strings.HasPrefix(pe.Param.Value, "OSOP_V_") {
				refs++
			}
			return true
		})
		if refs != want {
			t.Fatalf("%q: %d references for %d placeholders:\n%s", cmd, refs, want, c.Script)
		}
	})
}
