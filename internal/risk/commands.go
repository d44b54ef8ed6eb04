package risk

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/template"
)

// command is one command a node runs, and where it is written.
type command struct {
	calls []template.Call
	at    *ast.Value   // the command string; nil for a list
	list  []*ast.Value // the command list's items
}

// commandsOf reads runtime.command as the shell will (a string) or as an
// argument list. A command that does not parse is left to validate.
func commandsOf(n *ast.Node) []command {
	v := n.Runtime.Get("command")
	switch {
	case v == nil:
		return nil
	case v.Kind == ast.String:
		shell, _ := n.Runtime.Get("shell").String()
		calls, err := template.ShellCalls(v.Str, shell)
		if err != nil {
			return nil
		}
		return []command{{calls: calls, at: v}}
	case v.IsList():
		c := template.Call{}
		for _, it := range v.Items {
			s, _ := it.String()
			c.Words = append(c.Words, template.Word{Text: s, Literal: !strings.Contains(s, "{{") && !strings.Contains(s, "${")})
		}
		return []command{{calls: []template.Call{c}, list: v.Items}}
	}
	return nil
}

// wordAt is where word i of call c is written.
func (a *assessor) wordAt(cmd command, c template.Call, i int) *ast.Value {
	if cmd.at == nil {
		if i < len(cmd.list) {
			return cmd.list[i]
		}
		return nil
	}
	w := c.Words[i]
	return a.inString(cmd.at, w.Offset, firstLine(w.Text))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// commands: RISK-003, RISK-009 and RISK-013 in what a node runs.
func (a *assessor) commands(n *ast.Node) {
	for _, cmd := range commandsOf(n) {
		for _, c := range cmd.calls {
			words := unwrap(c)
			if len(words) == 0 {
				continue
			}
			if i, what, sev := destructive(words); what != "" {
				a.destructiveFinding(n, a.wordAt(cmd, c, len(c.Words)-len(words)+i), what, sev)
			}
			a.download(n, cmd, c, cmd.calls, len(c.Words)-len(words))
			a.httpWords(n, cmd, c, words, len(c.Words)-len(words))
			for k, w := range words {
				a.sqlText(n, w.Text, func(off int, tok string) *ast.Value {
					at := a.wordAt(cmd, c, len(c.Words)-len(words)+k)
					if cmd.at != nil {
						at = a.inString(cmd.at, c.Words[len(c.Words)-len(words)+k].Offset+off, tok)
					}
					return at
				})
			}
		}
	}
}

func (a *assessor) destructiveFinding(n *ast.Node, at *ast.Value, what string, sev Severity) {
	detail := "add approval_gate: {required: true} to the step or a human approval before it, narrow the command, or accept it with --accept-risk RISK-003:" + n.ID.V
	if a.approvedBefore(n) {
		sev = sev.lower()
		detail = "a person approves it first; accept it with --accept-risk RISK-003:" + n.ID.V + " once reviewed"
	}
	a.add("RISK-003", sev, n, at, fmt.Sprintf("step %q runs %s", n.ID.V, what), detail)
}

// wrappers run the rest of their arguments as a command.
var wrappers = map[string]bool{"sudo": true, "doas": true, "env": true, "nohup": true, "time": true, "exec": true,
	"command": true, "nice": true, "ionice": true, "timeout": true, "xargs": true, "stdbuf": true}

// unwrap drops wrappers (sudo, env VAR=x, timeout 10, …) before the
// command that really runs.
func unwrap(c template.Call) []template.Word {
	ws := c.Words
	for len(ws) > 0 && wrappers[base(ws[0].Text)] {
		name := base(ws[0].Text)
		ws = ws[1:]
		for len(ws) > 0 {
			t := ws[0].Text
			numeric := name == "timeout" && strings.TrimRight(t, "0123456789.smhd") == ""
			if !strings.HasPrefix(t, "-") && !(name == "env" && strings.Contains(t, "=")) && !numeric {
				break
			}
			ws = ws[1:]
		}
	}
	return ws
}

func base(s string) string { return filepath.Base(s) }

// destructive returns the word to point at, what the command does and
// how serious it is, or "" when it is not destructive.
func destructive(ws []template.Word) (int, string, Severity) {
	name := base(ws[0].Text)
	args := texts(ws[1:])
	sub, subAt := subcommand(args)
	switch {
	case name == "rm" && recursive(args):
		for i, w := range ws[1:] {
			if !strings.HasPrefix(w.Text, "-") && broadPath(w) {
				return i + 1, fmt.Sprintf("rm -r on %s, a broad path (it deletes far more than a build directory)", w.Text), Critical
			}
		}
	case strings.HasPrefix(name, "mkfs"):
		return 0, name + ", which formats a file system", Critical
	case name == "dd":
		for i, a := range args {
			if strings.HasPrefix(a, "of=/dev/") && a != "of=/dev/null" {
				return i + 1, "dd " + a + ", which overwrites a device", Critical
			}
		}
	case name == "terraform" && (sub == "destroy" || sub == "apply" && slices.Contains(args, "-destroy")):
		return subAt + 1, "terraform destroy, which deletes every resource of the configuration", Critical
	case (name == "kubectl" || name == "oc") && sub == "delete":
		return subAt + 1, name + " delete, which removes cluster resources", High
	case name == "helm" && (sub == "uninstall" || sub == "delete"):
		return subAt + 1, "helm " + sub + ", which removes a release", High
	case name == "git" && sub == "push" && (slices.Contains(args, "--force") || slices.Contains(args, "-f") || hasPlusRefspec(args[subAt+1:])):
		return subAt + 1, "git push --force, which rewrites the remote's history", High
	case name == "git" && sub == "reset" && slices.Contains(args, "--hard"):
		return subAt + 1, "git reset --hard, which throws away uncommitted work", Medium
	case name == "docker" && sub == "system" && slices.Contains(args, "prune"):
		return subAt + 1, "docker system prune, which deletes every unused image, container and volume", Medium
	}
	return 0, "", Low
}

func texts(ws []template.Word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Text
	}
	return out
}

// subcommand is the first argument that is not an option (git -C dir
// push: push), and its index.
func subcommand(args []string) (string, int) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-C" || a == "-c" || a == "-n" || a == "--namespace" || a == "--context" || a == "--kubeconfig" || a == "-chdir":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a, i
		}
	}
	return "", -1
}

func recursive(args []string) bool {
	for _, a := range args {
		if a == "--recursive" || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsAny(a, "rR")) {
			return true
		}
	}
	return false
}

func hasPlusRefspec(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "+") {
			return true
		}
	}
	return false
}

var (
	// topLevel is the root, a directory right under it, or everything in one.
	topLevel = regexp.MustCompile(`^/([^/]+/?)?\*?$`)
	// varThenSlash is a value followed by a slash: empty, it is "/".
	varThenSlash = regexp.MustCompile(`^"?(\$[A-Za-z_]\w*|\$\{[^}]+\}|\{\{[^}]+\}\})"?/\*?"?$`)
)

// broadPath reports whether an rm operand reaches far: /, /etc, /*, ~, .,
// .., *, $HOME, or "$DIR/" (which is / when DIR is empty).
func broadPath(w template.Word) bool {
	t := w.Text
	if w.Literal {
		switch strings.TrimRight(t, "/") {
		case "", "~", "~/*", ".", "..", "./*", "*", ".*", "/*":
			return true
		}
		return topLevel.MatchString(t)
	}
	return varThenSlash.MatchString(t) || strings.HasPrefix(strings.Trim(t, `"`), "$HOME") && len(strings.Trim(strings.TrimPrefix(strings.Trim(t, `"`), "$HOME"), "/*")) == 0
}

var (
	downloaders  = map[string]bool{"curl": true, "wget": true, "fetch": true, "iwr": true, "Invoke-WebRequest": true}
	interpreters = map[string]bool{"sh": true, "bash": true, "zsh": true, "dash": true, "ksh": true, "fish": true,
		"python": true, "python3": true, "perl": true, "ruby": true, "node": true, "php": true, "iex": true, "eval": true, "source": true, ".": true}
)

// download: RISK-009.
func (a *assessor) download(n *ast.Node, cmd command, c template.Call, all []template.Call, skip int) {
	name := base(c.Words[skip].Text)
	what := ""
	switch {
	case interpreters[name] && c.Pipeline > 0 && c.Stage > 0:
		for _, o := range all {
			if o.Pipeline == c.Pipeline && o.Stage < c.Stage && len(unwrap(o)) > 0 && downloaders[base(unwrap(o)[0].Text)] {
				what = fmt.Sprintf("a download piped into %s", name)
			}
		}
	case downloaders[name] && c.In != "" && interpreters[base(c.In)]:
		what = fmt.Sprintf("a download run by %s", c.In)
	}
	if what == "" {
		return
	}
	a.add("RISK-009", High, n, a.wordAt(cmd, c, skip), fmt.Sprintf("step %q runs %s: whatever the server sends runs here", n.ID.V, what),
		"download to a file, check its checksum or signature, then run it")
}

// httpWords: RISK-013 for curl and wget calls to http:// URLs.
func (a *assessor) httpWords(n *ast.Node, cmd command, c template.Call, ws []template.Word, skip int) {
	if !downloaders[base(ws[0].Text)] {
		return
	}
	for i, w := range ws[1:] {
		if plainRemote(strings.Trim(w.Text, `"'`)) {
			a.add("RISK-013", Medium, n, a.wordAt(cmd, c, skip+i+1), fmt.Sprintf("step %q calls %s over plain HTTP", n.ID.V, redactURL(strings.Trim(w.Text, `"'`))), "use https://")
		}
	}
}

// infraAction: RISK-003 for infra nodes' destructive actions, and a git
// node's push with force: true.
func (a *assessor) infraAction(n *ast.Node) {
	if n.Type.V == "git" && strings.EqualFold(n.RuntimeString("action"), "push") {
		if f := n.Runtime.Get("force"); f != nil && f.Bool {
			a.destructiveFinding(n, f, "git push --force-with-lease, which rewrites the remote's history", High)
		}
		return
	}
	if n.Type.V != "infra" {
		return
	}
	tool := strings.ToLower(n.RuntimeString("tool"))
	v := n.Runtime.Get("action")
	action := strings.ToLower(strings.Join(strings.Fields(n.RuntimeString("action")), " "))
	var what string
	sev := High
	switch {
	case tool == "terraform" && action == "destroy":
		what, sev = "terraform destroy, which deletes every resource of the configuration", Critical
	case (tool == "kubectl" || tool == "kubernetes" || tool == "k8s") && action == "delete":
		what = "kubectl delete, which removes cluster resources"
	case tool == "helm" && (action == "uninstall" || action == "delete"):
		what = "helm uninstall, which removes a release"
	}
	if what != "" {
		a.destructiveFinding(n, v, what, sev)
	}
}
