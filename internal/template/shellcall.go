package template

import (
	"path/filepath"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Some programs read one of their arguments as shell code, and some
// builtins read one as a variable name, where bash evaluates a subscript
// (a[$(cmd)]) as code. A value placed there, however it is quoted, would
// be read as code: such sites are refused. This is a list of the common
// ones, not a proof: a program that runs data as code is beyond what osop
// can see, which docs/running.md says.

// shellPrograms read the argument after -c as a script.
var shellPrograms = []string{"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"}

// callRule refuses a site in argument w of a simple command where the
// command reads the argument as code or as a variable's name.
func (p *probe) callRule(call *syntax.CallExpr, w *syntax.Word, s *site) *why {
	i := slices.Index(call.Args, w)
	if i <= 0 {
		return nil // the command's name, or not an argument
	}
	words := make([]string, len(call.Args))
	for k, a := range call.Args {
		words[k] = a.Lit()
	}
	if why := p.builtinRule(words, i, w, s); why != nil {
		return why
	}
	for j := 0; j < i; j++ {
		if why := runnerRule(words, j, i, w, s); why != nil {
			return why
		}
	}
	return nil
}

// builtinRule covers builtins that run code or take names.
func (p *probe) builtinRule(words []string, i int, w *syntax.Word, s *site) *why {
	prev := words[i-1]
	switch words[0] {
	case "eval", "alias":
		return codeWhy(s, words[0]+" runs its arguments as shell code", "v="+s.ref.Text+"; "+words[0]+` 'echo "$v"'`)
	case "trap":
		if i == firstOperand(words) {
			return codeWhy(s, "trap's action is shell code", "v="+s.ref.Text+`; trap 'echo "$v"' EXIT`)
		}
	case "read":
		if !optionWithValue(prev, "dinNptu") {
			return nameWhy(s, "the name of a variable read sets (bash evaluates a subscript in that name as code)")
		}
	case "mapfile", "readarray":
		if !optionWithValue(prev, "dnOsuCc") {
			return nameWhy(s, "the name of the array "+words[0]+" sets")
		}
	case "unset":
		return nameWhy(s, "the name of what unset removes")
	case "getopts":
		if i == 2 {
			return nameWhy(s, "the name of the variable getopts sets")
		}
	case "printf":
		if prev == "-v" {
			return nameWhy(s, "the name of the variable printf -v sets")
		}
	case "test", "[":
		if prev == "-v" || prev == "-R" {
			return nameWhy(s, "the variable a -v or -R test names (bash evaluates a subscript in that name as code)")
		}
	case "export", "readonly", "local", "declare", "typeset":
		if !strings.Contains(p.text[int(w.Pos().Offset()):s.at], "=") {
			return nameWhy(s, "a name given to "+words[0])
		}
	}
	return nil
}

// runnerRule covers a program at argument j that hands argument i to a
// shell as code: sh -c SCRIPT, su -c, ssh HOST CMD, watch CMD.
func runnerRule(words []string, j, i int, w *syntax.Word, s *site) *why {
	name := filepath.Base(words[j])
	switch {
	case slices.Contains(shellPrograms, name):
		if shellScript(words, j) == i {
			return codeWhy(s, s.ref.Text+" is inside the script "+name+" -c runs", name+` -c 'echo "$1"' `+name+" "+s.ref.Text)
		}
	case name == "su" || name == "runuser":
		if words[i-1] == "-c" || words[i-1] == "--command" || strings.HasPrefix(w.Lit(), "--command=") {
			return codeWhy(s, s.ref.Text+" is inside the command "+name+" -c runs through a shell", "pass the value in the environment instead (su --whitelist-environment, sudo --preserve-env)")
		}
	case name == "ssh":
		if d := sshDestination(words, j); d >= 0 && i > d {
			return codeWhy(s, "ssh passes its command to a remote shell as text", `quote it for that shell: ssh HOST "cmd $(printf %q `+s.ref.Text+`)"`)
		}
	case name == "watch":
		return codeWhy(s, "watch runs its command through sh -c", `watch "cmd $(printf %q `+s.ref.Text+`)"`)
	}
	return nil
}

func codeWhy(s *site, what, hint string) *why {
	return &why{what + ", so the value of " + s.ref.Text + " would be read as code there", "pass it as data instead: " + hint}
}

// optionWithValue reports whether word is an option cluster whose last
// letter takes the next argument as its value.
func optionWithValue(word, letters string) bool {
	return len(word) > 1 && word[0] == '-' && strings.ContainsRune(letters, rune(word[len(word)-1]))
}

// firstOperand returns the index of the first argument after a command's
// options.
func firstOperand(words []string) int {
	for k := 1; k < len(words); k++ {
		switch {
		case words[k] == "--":
			return k + 1
		case !strings.HasPrefix(words[k], "-"):
			return k
		}
	}
	return len(words)
}

// shellScript returns the index of the script a shell at argument j runs
// with -c, or -1.
func shellScript(words []string, j int) int {
	sawC := false
	for k := j + 1; k < len(words); k++ {
		a := words[k]
		switch {
		case a == "--rcfile" || a == "--init-file":
			k++
		case strings.HasPrefix(a, "--"):
		case len(a) > 1 && (a[0] == '-' || a[0] == '+'):
			sawC = sawC || a[0] == '-' && strings.ContainsRune(a, 'c')
			if strings.ContainsAny(a, "oO") {
				k++ // -o pipefail
			}
		case sawC:
			return k
		default:
			return -1 // a script file
		}
	}
	return -1
}

// sshDestination returns the index of ssh's destination, the argument
// after which everything is the remote command, or -1.
func sshDestination(words []string, j int) int {
	for k := j + 1; k < len(words); k++ {
		a := words[k]
		if a == "--" {
			return k + 1
		}
		if len(a) < 2 || a[0] != '-' {
			return k
		}
		for n := 1; n < len(a); n++ {
			if strings.IndexByte("BbcDEeFIiJLlmOoPpQRSWw", a[n]) >= 0 {
				if n == len(a)-1 {
					k++ // the value is the next argument
				}
				break
			}
		}
	}
	return -1
}

// declFlags returns the option letters of a declare, local, export, …
func declFlags(d *syntax.DeclClause) string {
	if d == nil {
		return ""
	}
	var flags strings.Builder
	for _, a := range d.Args {
		if a.Naked && a.Value != nil {
			if l := a.Value.Lit(); strings.HasPrefix(l, "-") {
				flags.WriteString(l[1:])
			}
		}
	}
	return flags.String()
}

// integerNames returns the variables the script declares integer (declare
// -i n): bash evaluates whatever is assigned to them as arithmetic.
func integerNames(f *syntax.File) map[string]bool {
	names := map[string]bool{}
	syntax.Walk(f, func(n syntax.Node) bool {
		d, ok := n.(*syntax.DeclClause)
		if ok && strings.ContainsRune(declFlags(d), 'i') {
			for _, a := range d.Args {
				if a.Name != nil {
					names[a.Name.Value] = true
				}
			}
		}
		return true
	})
	return names
}
