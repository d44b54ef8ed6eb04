package risk

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/osopdev/osop/internal/ast"
)

var (
	// tokenShapes are the shapes of well-known credentials.
	tokenShapes = regexp.MustCompile(`\b(sk-(ant-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|glpat-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})|-----BEGIN [A-Z ]*PRIVATE KEY-----`)
	// urlPassword is a password written in a URL's user information.
	urlPassword = regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@"']+:([^@\s/"']+)@`)
	// secretKey is a field whose value is a credential.
	secretKey = regexp.MustCompile(`(?i)(^|[_-])(password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret)$`)
	// envName is a variable's name (API_KEY), not its value.
	envName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// secrets: RISK-004, over every string of the node.
func (a *assessor) secrets(n *ast.Node) {
	a.walkStrings(n, "", n.Raw)
}

// workflowSecrets: RISK-004 outside the nodes (env, mcp_servers, …).
func (a *assessor) workflowSecrets() {
	if !a.w.Root.IsMap() {
		return
	}
	for _, f := range a.w.Root.Fields {
		if f.Key != "nodes" && f.Key != "edges" {
			a.walkStrings(nil, f.Key, f.Value)
		}
	}
}

func (a *assessor) walkStrings(n *ast.Node, key string, v *ast.Value) {
	switch {
	case v == nil:
	case v.IsMap():
		for _, f := range v.Fields {
			a.walkStrings(n, f.Key, f.Value)
		}
	case v.IsList():
		for _, it := range v.Items {
			a.walkStrings(n, key, it)
		}
	case v.Kind == ast.String:
		a.secretIn(n, key, v)
	}
}

func (a *assessor) secretIn(n *ast.Node, key string, v *ast.Value) {
	s := v.Str
	report := func(off int, tok, what string) {
		a.addSecret(Critical, n, off, tok, what, v)
	}
	if m := urlPassword.FindStringSubmatchIndex(s); m != nil && literalSecret(s[m[2]:m[3]]) {
		sev := Critical
		if local(s[m[0]:]) {
			sev = Low
		}
		a.addSecret(sev, n, m[2]-1, s[m[2]-1:m[3]+1], "a password in a URL", v)
		return
	}
	if m := tokenShapes.FindStringIndex(s); m != nil {
		report(m[0], s[m[0]:m[1]], "a credential ("+redact(s[m[0]:m[1]])+")")
		return
	}
	if secretKey.MatchString(key) && literalSecret(s) && !strings.ContainsAny(strings.TrimSpace(s), " \t\n") && len(s) >= 6 {
		report(0, s, fmt.Sprintf("a %s value", key))
	}
}

func (a *assessor) addSecret(sev Severity, n *ast.Node, off int, tok, what string, v *ast.Value) {
	where := "the workflow"
	if n != nil {
		where = fmt.Sprintf("step %q", n.ID.V)
	}
	a.add("RISK-004", sev, n, a.inString(v, off, firstLine(tok)),
		fmt.Sprintf("%s has %s written in the file", where, what),
		"move it to a secret: write ${secrets.NAME} here and pass --secret NAME=… or --secrets-file; then rotate the one that was written down")
}

// local reports whether the URL at the start of s is for this machine.
func local(s string) bool {
	_, rest, _ := strings.Cut(s, "@")
	host := strings.FieldsFunc(rest, func(r rune) bool { return r == ':' || r == '/' || r == '"' || r == ' ' })
	return len(host) > 0 && (host[0] == "localhost" || strings.HasPrefix(host[0], "127.") || host[0] == "[::1]")
}

// literalSecret reports whether s is a value written out, not a reference
// to one or a placeholder.
func literalSecret(s string) bool {
	s = strings.TrimSpace(s)
	switch {
	case s == "", strings.Contains(s, "{{"), strings.Contains(s, "${"), strings.HasPrefix(s, "$"),
		envName.MatchString(s), strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">"),
		strings.Trim(s, "*xX.") == "":
		return false
	}
	return true
}

// redact shows a credential's first characters only.
func redact(s string) string {
	if len(s) <= 6 {
		return "…"
	}
	return s[:min(4, len(s))] + "…"
}
