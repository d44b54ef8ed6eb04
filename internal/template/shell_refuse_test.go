package template

import (
	"errors"
	"strings"
	"testing"
)

func resolveAll(v string) func(Ref) (string, bool) {
	return func(r Ref) (string, bool) { return v, r.Mustache || r.Namespace != "" }
}

// refusals are the places where no reference to a value is safe.
var refusals = []struct {
	cmd       string
	shell     string
	why       string // in the summary
	line, col int
}{
	{"cat <<'EOF'\n{{X}}\nEOF", "", "delimiter is quoted", 2, 1},
	{"cat <<\"EOF\"\n{{X}}\nEOF", "", "delimiter is quoted", 2, 1},
	{"cat <<\\EOF\na {{X}}\nEOF", "", "delimiter is quoted", 2, 3},
	{"cat <<E{{X}}\nx\nE", "", "unclosed here-document `E{{X}}`", 1, 5},
	{"{{X}}=1", "", "variable's name", 1, 1},
	{"x{{X}}=1 cmd", "", "variable's name", 1, 2},
	{"a[0]=1; {{X}}[1]=2", "", "variable's name", 1, 9},
	{"for {{X}} in a b; do :; done", "", "loop variable", 1, 5},
	{"{{X}}() { :; }", "", "function's name", 1, 1},
	{"function f{{X}} { :; }", "", "function's name", 1, 11},
	{"echo $x{{X}}", "", "follows $x and the shell would read both as one name", 1, 8},
	{"echo $__{{X}}", "", "follows $__", 1, 9},
	{"echo ${!{{X}}}", "", "name of a parameter", 1, 9},
	{"echo $(( x{{N}} ))", "", "longer word in arithmetic", 1, 11},
	{"echo $(( {{N}}++ ))", "", "++ or --", 1, 10},
	{"(( {{N}} = 1 ))", "", "arithmetic assignment", 1, 4},
	{"let x={{N}}+1", "", "let expression", 1, 7},
	{"let {{N}}", "", "let expression", 1, 5},
	{`echo "${a["{{K}}"]}"`, "", "longer word in arithmetic or an array subscript", 1, 12},
	{"eval echo {{X}}", "", "eval runs its arguments as shell code", 1, 11},
	{`eval "echo {{X}}"`, "", "eval runs", 1, 12},
	{`bash -c "echo {{X}}"`, "", "script bash -c runs", 1, 15},
	{`sh -c 'echo {{X}}'`, "", "script sh -c runs", 1, 13},
	{`bash -eo pipefail -c 'echo {{X}}'`, "", "script bash -c runs", 1, 28},
	{`docker exec app sh -c "echo {{X}}"`, "", "script sh -c runs", 1, 29},
	{`find . -exec /bin/bash -c 'echo {{X}}' \;`, "", "script bash -c runs", 1, 33},
	{`su - app -c "echo {{X}}"`, "", "su -c runs", 1, 19},
	{`ssh host "echo {{X}}"`, "", "ssh passes its command", 1, 16},
	{`ssh -p 22 -o BatchMode=yes host echo {{X}}`, "", "ssh passes its command", 1, 38},
	{`trap "echo {{X}}" EXIT`, "", "trap's action", 1, 12},
	{`alias x="echo {{X}}"`, "", "alias runs", 1, 15},
	{`watch echo {{X}}`, "", "watch runs", 1, 12},
	{"read {{X}}", "", "variable read sets", 1, 6},
	{"read -r {{X}}", "", "variable read sets", 1, 9},
	{"read -a {{X}}", "", "variable read sets", 1, 9},
	{"unset {{X}}", "", "unset removes", 1, 7},
	{"printf -v {{X}} %s a", "", "printf -v sets", 1, 11},
	{"mapfile -t {{X}}", "", "array mapfile sets", 1, 12},
	{"getopts ab {{X}}", "", "getopts sets", 1, 12},
	{"[[ -v {{X}} ]]", "", "-v or -R test", 1, 7},
	{"test -v {{X}}", "", "-v or -R test", 1, 9},
	{"declare {{X}}", "", "variable's name", 1, 9},
	{`export "{{X}}"`, "", "name or option given to export", 1, 9},
	{"export {{X}}", "sh", "a name given to export", 1, 8},
	{"declare -n r={{X}}", "", "nameref", 1, 14},
	{"echo ~{{X}}/bin", "", "tilde prefix", 1, 7},
	{`echo \${inputs.x}`, "", "backslash right before", 1, 7},
	{`echo "\${inputs.x}"`, "", "backslash right before", 1, 8},
	{`echo "${x:-'{{X}}'}"`, "", "in quotes inside a ${…}", 1, 13},
	{"cat <<EOF\n${x#{{X}}}\nEOF", "", "pattern of a ${…} inside a here-document", 2, 5},
	{"echo ${x:-${y:-{{X}}}}", "", "inside another ${…}", 1, 16},
	{"echo $(( ${x:-{{N}}} ))", "", "inside another ${…} or in arithmetic", 1, 15},
	{"shopt -s extglob\ncase x in @({{X}}|b)) ;; esac", "", "extended glob", 2, 13},
	{`echo "{{X}}`, "", "not valid bash", 1, 6},
	{"if true; then echo {{X}}", "", "not valid bash", 1, 1},
	{"a=({{X}})", "sh", "not valid POSIX sh: arrays are a bash/mksh/zsh feature", 1, 3},
	{"print({{X}})", "python3", "python3, a shell whose syntax osop does not read", 1, 7},
	{"echo {{X}}", "zsh", "zsh, a shell whose syntax", 1, 6},
}

// TestShell_refused: each place in refusals is refused, at the
// placeholder, saying why and how to fix it, before a run and during one.
func TestShell_refused(t *testing.T) {
	for _, tt := range refusals {
		_, _, err := Shell(tt.cmd, ShellOptions{Shell: tt.shell}, resolveAll("5"))
		var se *ShellError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a refusal", tt.cmd, err)
			continue
		}
		if !strings.Contains(se.Summary, tt.why) || se.Line != tt.line || se.Column != tt.col || se.Hint == "" {
			t.Errorf("%q:\n got %d:%d %s (hint %q)\nwant %d:%d …%s…", tt.cmd, se.Line, se.Column, se.Summary, se.Hint, tt.line, tt.col, tt.why)
		}
		if strings.Contains(se.Error(), "OSOPREF") {
			t.Errorf("%q: a marker leaks into the message: %s", tt.cmd, se)
		}
		if checked := CheckShell(tt.cmd, ShellOptions{Shell: tt.shell}); len(checked) == 0 {
			t.Errorf("%q: CheckShell finds nothing wrong", tt.cmd)
		}
	}
}

// TestShell_values: a NUL is refused anywhere; where the shell does
// arithmetic, only a decimal integer is a value, since bash evaluates any
// other text (a[$(cmd)] runs cmd).
func TestShell_values(t *testing.T) {
	arithmetic := []string{
		"echo $(( {{N}} + 1 ))", "(( {{N}} > 1 ))", "echo ${s:{{N}}:2}", "echo ${a[{{N}}]}", "a[{{N}}]=1",
		"a=([{{N}}]=x)", "[[ {{N}} -eq 1 ]]", "declare -i n={{N}}", "declare -i n; n={{N}}", "for ((i={{N}}; i<1; i++)); do :; done",
		"echo $(( -{{N}} ))", "echo ${a[{{N}}+1]}",
	}
	for _, cmd := range arithmetic {
		for _, v := range []string{"0", "42", "-3"} {
			if _, _, err := Shell(cmd, ShellOptions{}, resolveAll(v)); err != nil {
				t.Errorf("%q with %q: %v", cmd, v, err)
			}
		}
		for _, v := range []string{"", "1+1", "a[$(touch pwned)]", "08", "0x10", " 1", "x"} {
			if _, _, err := Shell(cmd, ShellOptions{}, resolveAll(v)); err == nil || !strings.Contains(err.Error(), "not a decimal integer") {
				t.Errorf("%q with %q: got %v, want a refusal", cmd, v, err)
			}
		}
		if _, _, err := Shell(cmd, ShellOptions{StandIns: true}, resolveAll("<outputs.n>")); err != nil {
			t.Errorf("%q with a dry run's stand-in: %v", cmd, err)
		}
	}
	for _, cmd := range []string{"echo {{X}}", "echo '{{X}}'", "cat <<EOF\n{{X}}\nEOF"} {
		_, _, err := Shell(cmd, ShellOptions{}, resolveAll("a\x00b"))
		if err == nil || !strings.Contains(err.Error(), "NUL") {
			t.Errorf("%q with a NUL: got %v, want a refusal", cmd, err)
		}
	}
}

// TestCheckShell checks before a run: only placeholders osop owns, every
// problem at once.
func TestCheckShell(t *testing.T) {
	if got := CheckShell("echo ${HOME} {{X}} '${inputs.x}'", ShellOptions{}); len(got) != 0 {
		t.Errorf("a fine command: %v", got)
	}
	if got := CheckShell("{{A}}=1; cat <<'EOF'\n${inputs.b}\nEOF\n${HOME}=x", ShellOptions{}); len(got) != 2 ||
		got[0].Ref.Text != "{{A}}" || got[1].Ref.Text != "${inputs.b}" || got[1].Line != 2 {
		t.Errorf("got %v, want {{A}} and ${inputs.b}", got)
	}
	if got := CheckShell("echo {{X}}", ShellOptions{Shell: "/usr/bin/python3"}); len(got) != 1 {
		t.Errorf("python: %v", got)
	}
}

func TestShell_forms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"echo {{X}}", `echo "${OSOP_V_X}"`},
		{`echo "a={{X}}"`, `echo "a=${OSOP_V_X}"`},
		{`echo 'a={{X}}'`, `echo 'a='"${OSOP_V_X}"''`},
		{`echo $'a={{X}}'`, `echo $'a='"${OSOP_V_X}"$''`},
		{`echo \'{{X}}`, `echo \'"${OSOP_V_X}"`},
		{"cat <<EOF\n{{X}}\nEOF", "cat <<EOF\n${OSOP_V_X}\nEOF"},
		{"echo $(( {{N}} * 2 )) ${a[{{N}}]}", "echo $(( (${OSOP_V_N}) * 2 )) ${a[${OSOP_V_N}]}"},
		{"echo {{X}} {{ X }} ${inputs.a-b} ${inputs.a_b}", `echo "${OSOP_V_X}" "${OSOP_V_X_2}" "${OSOP_V_inputs_a_b}" "${OSOP_V_inputs_a_b_2}"`},
		{"echo ${HOME} $HOME {{nope}} # {{X}}", "echo ${HOME} $HOME {{nope}} # {{X}}"},
	}
	for _, tt := range tests {
		c, _, err := Shell(tt.in, ShellOptions{}, func(r Ref) (string, bool) {
			return "7", r.Name() != "nope" && r.Name() != "HOME"
		})
		if err != nil || c.Script != tt.want {
			t.Errorf("Shell(%q)\n got %+v (%v)\nwant %q", tt.in, c, err, tt.want)
		}
	}
}
