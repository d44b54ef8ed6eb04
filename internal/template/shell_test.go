package template

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hostile are values that would change a command if they became shell
// text. Any of them creating a file named pwned is an injection.
var hostile = []string{
	"", "plain", "a;b", ";id", "a|id", "a&&id", "a b", "  lead and trail  ", "it's", `"q"`, `'; touch pwned; '`, `"; touch pwned; "`,
	"$(touch pwned)", "`touch pwned`", "${HOME}", "$HOME", `\`, `back\slash\`, `\"`, "new\nline", "trail\n\n",
	";touch pwned;", "|| touch pwned", "&& touch pwned &", "# not a comment", "*", "?", "[a]", "~", "~root", "{a,b}",
	"&", "-n", "-e", "!", "a[$(touch pwned)]", "EOF\ntouch pwned\nEOF", "建置 ☃", "\x01\x1b[31m\x7f", "\xff\xfe", "%s%n", "$((1+1))",
}

// common are the hostile values every shape is run with; each stands for
// a kind of trouble. The full list is run through the shapes marked full.
var common = []string{
	"", "a;b", "a b", "it's", `"; touch pwned; "`, "$(touch pwned)", "`touch pwned`", `back\slash\`, "new\nline", "trail\n\n",
	"*", "a[$(touch pwned)]", "EOF\ntouch pwned\nEOF", "\xff\xfe",
}

// arrival is a command shape and what it prints for a value (@ in want).
type arrival struct {
	name  string
	cmd   string
	want  string
	trim  bool // the value passes through $(…), which drops trailing newlines
	posix bool // dash runs it too
	full  bool // run with every hostile value, not only the common ones
}

var arrivals = []arrival{
	{"unquoted", `printf '[%s]' {{X}}`, "[@]", false, true, true},
	{"adjacent", `printf '[%s]' a{{X}}b {{X}}{{X}}`, "[a@b][@@]", false, true, false},
	{"double", `printf '[%s]' "a {{X}} b"`, "[a @ b]", false, true, true},
	{"single", `printf '[%s]' 'a {{X}} b'`, "[a @ b]", false, true, true},
	{"mixed quotes", `printf '[%s]' "x"'{{X}}'"{{X}}"{{X}}`, "[x@@@]", false, true, false},
	{"ansi-c", `printf '[%s]' $'tab\t{{X}}'`, "[tab\t@]", false, false, false},
	{"issue 7: $() in double quotes", `printf '[%s]' "v: $(printf %s {{X}})"`, "[v: @]", true, true, false},
	{"$() of a quoted word", `printf '[%s]' "$(printf %s "{{X}}")" "$(printf %s '{{X}}')"`, "[@][@]", true, true, false},
	{"nested $()", `printf '[%s]' "$(printf %s "$(printf %s {{X}})")"`, "[@]", true, true, false},
	{"backticks in double quotes", "printf '[%s]' \"`printf %s {{X}}`\"", "[@]", true, true, false},
	{"quotes in backticks in quotes", "printf '[%s]' \"`printf %s \"{{X}}\"`\" \"`printf %s '{{X}}'`\"", "[@][@]", true, true, false},
	{"backticks", "x=`printf %s {{X}}`; printf '[%s]' \"$x\"", "[@]", true, true, false},
	{"nested backticks", "x=`printf %s \"\\`printf %s {{X}}\\`\"`; printf '[%s]' \"$x\"", "[@]", true, true, false},
	{"heredoc", "cat <<EOF\n[{{X}}]\nEOF", "[@]\n", false, true, true},
	{"heredoc <<-", "cat <<-EOF\n\t[{{X}}]\n\tEOF", "[@]\n", false, true, false},
	{"heredoc in $()", "printf '[%s]' \"$(cat <<EOF\n{{X}}\nEOF\n)\"", "[@]", true, true, false},
	{"heredoc with the shell's expansions", "x=1; cat <<EOF\n$x {{X}} $((1+1)) $(printf %s z)\nEOF", "1 @ 2 z\n", false, true, false},
	{"here-string", "cat <<< {{X}}", "@\n", false, false, false},
	{"assignment", `x={{X}}; printf '[%s]' "$x"`, "[@]", false, true, false},
	{"assignment before a command", `x={{X}} sh -c 'printf "[%s]" "$x"'`, "[@]", false, true, false},
	{"argument to sh -c's script", `sh -c 'printf "[%s]" "$1"' sh {{X}}`, "[@]", false, true, false},
	{"export", `export x={{X}}; printf '[%s]' "$x"`, "[@]", false, true, false},
	{"local", `f() { local x={{X}}; printf '[%s]' "$x"; }; f`, "[@]", false, false, false},
	{"array", `a=({{X}} z); printf '[%s]' "${a[@]}"`, "[@][z]", false, false, false},
	{"case pattern matches literally", `case zzz in {{X}}) printf yes;; *) printf no;; esac; case {{X}} in {{X}}) printf yes;; esac`, "noyes", false, true, false},
	{"[[ == ]] matches literally", `[[ {{X}} == {{X}} && zzz != {{X}} ]] && printf yes`, "yes", false, false, false},
	{"[[ =~ ]] matches literally", `[[ {{X}} =~ ^{{X}}$ ]] && printf yes`, "yes", false, false, false},
	{"default", `printf '[%s]' ${unset:-{{X}}} "${unset:-{{X}}}" ${unset:-'{{X}}'}`, "[@][@][@]", false, true, false},
	{"default in nested quotes", `printf '[%s]' "${unset:-"{{X}}"}"`, "[@]", false, true, false},
	{"alternate", `set=1; printf '[%s]' "${set:+{{X}}}" ${set:+{{X}}}`, "[@][@]", false, true, false},
	{"prefix pattern is literal", `x={{X}}tail; printf '[%s]' "${x#{{X}}}" ${x##{{X}}}`, "[tail][tail]", false, true, false},
	{"suffix pattern is literal", `x=head{{X}}; printf '[%s]' "${x%{{X}}}" ${x%%{{X}}}`, "[head][head]", false, true, false},
	{"replacement", `x=abc; printf '[%s]' "${x/b/{{X}}}"`, "[a@c]", false, false, false},
	{"if", `if true; then printf '[%s]' {{X}}; fi`, "[@]", false, true, false},
	{"subshell and group", `( printf '[%s]' {{X}} ); { printf '[%s]' {{X}}; }`, "[@][@]", false, true, false},
	{"pipeline", `printf '[%s]' {{X}} | cat`, "[@]", false, true, false},
	{"function", `f() { printf '[%s]' "$1" {{X}}; }; f {{X}}`, "[@][@]", false, true, false},
	{"for items", `for i in {{X}}; do printf '[%s]' "$i"; done`, "[@]", false, true, false},
	{"process substitution", `cat <(printf '[%s]' {{X}})`, "[@]", false, false, false},
	{"comment", `printf '[%s]' ok # {{X}}`, "[ok]", false, true, false},
	{"escapes and the shell's own variables", `X=own; printf '[%s]' '\{{X}}' "$X" $${unset:-d}`, "[{{X}}][own][d]", false, true, false},
	{"lines", "set -e\nx={{X}}\nif [ -n \"$x\" ] || true; then\n  printf '[%s]' \"$x\"\nfi", "[@]", false, true, false},
	{"after a tilde's slash", `printf '[%s]' ~/{{X}}`, "[/home/osop/@]", false, true, false},
	{"next to a glob", `printf '[%s]' nomatch*{{X}}`, "[nomatch*@]", false, true, false},
	{"brace expansion around", `printf '[%s]' {a,b}{{X}}`, "[a@][b@]", false, false, false},
	{"eval of a variable", `v={{X}}; eval 'printf "[%s]" "$v"'`, "[@]", false, true, false},
	{"trap with a variable", `v={{X}}; trap 'printf "[%s]" "$v"' EXIT`, "[@]", false, true, false},
	{"printf %q for another shell", `bash -c "printf '[%s]' $(printf %q {{X}})"`, "[@]", false, false, false},
}

// TestShell_arrival runs each shape with each hostile value through real
// bash (and dash for POSIX shapes): the value arrives byte for byte, and
// nothing it holds runs.
func TestShell_arrival(t *testing.T) {
	shells := map[string][]string{"bash": {"--noprofile", "--norc", "-eo", "pipefail", "-c"}, "dash": {"-e", "-c"}}
	for _, a := range arrivals {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for sh, flags := range shells {
				if sh == "dash" && !a.posix {
					continue
				}
				values := common
				switch {
				case a.full:
					values = hostile
				case sh == "dash":
					values = common[2:9] // dash shares bash's quoting rules: fewer runs
				}
				for i, r := range runValues(t, dir, sh, flags, a.cmd, values) {
					want := strings.ReplaceAll(a.want, "@", value(values[i], a.trim))
					if r.err != "" || r.out != want {
						t.Errorf("%s, value %q:\n got %q (%s)\nwant %q", sh, values[i], r.out, r.err, want)
					}
				}
				if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
					t.Fatalf("%s: a value ran as a command", sh)
				}
			}
		})
	}
}

func value(v string, trim bool) string {
	if trim {
		return strings.TrimRight(v, "\n")
	}
	return v
}

type result struct{ out, err string }

// runValues prepares cmd with {{X}} set to each value and runs the script
// in one shell process, with each value in the environment as the cli
// executor passes it. Starting a shell per value would cost a process
// each; the script runs instead in a subshell of one driver, through
// eval, which parses it as -c does. The script must be the same for every
// value: values never enter it.
func runValues(t *testing.T, dir, sh string, flags []string, cmd string, values []string) []result {
	t.Helper()
	path, err := exec.LookPath(sh)
	if err != nil {
		t.Skipf("no %s: %v", sh, err)
	}
	var script, name string
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=/home/osop"}
	for i, v := range values {
		c, missing, err := Shell(cmd, ShellOptions{Shell: sh}, func(r Ref) (string, bool) { return v, r.Name() == "X" })
		if err != nil || len(c.Vars) > 1 {
			t.Fatalf("Shell(%q) with %q: %v, vars %v", cmd, v, err, c)
		}
		for _, m := range missing {
			if m.Mustache {
				t.Fatalf("Shell(%q): %s unresolved", cmd, m.Text)
			}
		}
		if i > 0 && c.Script != script {
			t.Fatalf("Shell(%q): the script changed with the value %q:\n%s\n%s", cmd, v, script, c.Script)
		}
		script, name = c.Script, "OSOP_NONE"
		if len(c.Vars) == 1 {
			name = c.Vars[0].Name
		}
		env = append(env, fmt.Sprintf("OSOP_T_%d=%s", i, v))
	}
	driver := fmt.Sprintf(`i=0
while [ $i -lt %d ]; do
  eval "%s=\${OSOP_T_$i}"; export %s
  ( eval "$OSOP_SCRIPT" ) >"$OSOP_OUT/out.$i" 2>"$OSOP_OUT/err.$i" || echo "exit status $?" >>"$OSOP_OUT/err.$i"
  i=$((i+1))
done`, len(values), name, name)
	outDir := t.TempDir()
	run := exec.Command(path, append(flags, driver)...)
	run.Dir, run.Env = dir, append(env, "OSOP_SCRIPT="+script, "OSOP_OUT="+outDir)
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("%s driver: %v: %s", sh, err, out)
	}
	results := make([]result, len(values))
	for i := range values {
		out, _ := os.ReadFile(filepath.Join(outDir, fmt.Sprintf("out.%d", i)))
		errb, _ := os.ReadFile(filepath.Join(outDir, fmt.Sprintf("err.%d", i)))
		results[i] = result{string(out), string(errb)}
	}
	return results
}

// TestShell_issue7 is the report: a value in $(…) inside double quotes, in
// an unquoted heredoc, and a workdir with a space inside $(…).
func TestShell_issue7(t *testing.T) {
	dir := t.TempDir()
	vals := map[string]string{"X": "hi; touch pwned", "workdir": filepath.Join(dir, "my work")}
	for _, tt := range []struct{ cmd, want string }{
		{`echo "v: $(echo {{X}})"`, "v: hi; touch pwned\n"},
		{"cat <<EOF\n{{X}}\n$(echo {{X}})\nEOF", "hi; touch pwned\nhi; touch pwned\n"},
		{`mkdir -p "{{workdir}}" && echo "$(cd {{workdir}} && basename "$PWD")"`, "my work\n"},
	} {
		c, _, err := Shell(tt.cmd, ShellOptions{}, func(r Ref) (string, bool) {
			v, ok := vals[r.Name()]
			return v, ok
		})
		if err != nil {
			t.Fatalf("%s: %v", tt.cmd, err)
		}
		run := exec.Command("bash", "-c", c.Script)
		run.Dir, run.Env = dir, append(os.Environ(), c.Env()...)
		out, err := run.Output()
		if err != nil || string(out) != tt.want {
			t.Errorf("%s\nran %s: got %q (%v), want %q", tt.cmd, c.Script, out, err, tt.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
			t.Fatalf("%s: the value ran as a command", tt.cmd)
		}
	}
}
