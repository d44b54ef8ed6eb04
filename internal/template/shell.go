package template

import (
	"fmt"
	"strings"
)

// ShellOptions say how a command will be run.
type ShellOptions struct {
	// Shell is the program that runs the command, a name or a path. osop
	// reads bash (also when Shell is empty) and POSIX sh (sh, dash,
	// ash); a command for any other shell may hold no values.
	Shell string
	// StandIns is true when the values are stand-ins for what only a run
	// knows (a dry run's <outputs.node.name>): they are not checked.
	StandIns bool
}

// ShellCommand is a command ready for a shell, with its values kept out of
// its text.
type ShellCommand struct {
	// Script is the command as the shell reads it: each value osop
	// resolved is a reference to one of Vars, written for where it stands.
	Script string
	// Vars are the values, in the order they are first used.
	Vars []ShellVar
}

// ShellVar is one value of a [ShellCommand], passed in the environment.
type ShellVar struct {
	Name  string // OSOP_V_…, a valid environment variable name
	Value string
	Ref   Ref // the first reference it stands for
}

// Env returns the values as NAME=value, for the process environment.
func (c *ShellCommand) Env() []string {
	env := make([]string, len(c.Vars))
	for i, v := range c.Vars {
		env[i] = v.Name + "=" + v.Value
	}
	return env
}

// Inline returns one script that does what Script does with Vars in its
// environment: an assignment for each value, single-quoted, then Script.
// It is for callers that can pass only a command string to a shell.
func (c *ShellCommand) Inline() string {
	var b strings.Builder
	for _, v := range c.Vars {
		b.WriteString(v.Name + "=" + ShellQuote(v.Value) + "\n")
	}
	b.WriteString(c.Script)
	return b.String()
}

// Shell prepares command s for a shell. It finds the references in s,
// parses s as the shell will (bash, or POSIX sh, with mvdan.cc/sh), and
// replaces each reference resolve knows with a reference to an environment
// variable written for where it stands, so that no value is ever read as
// shell text:
//
//	echo {{X}}                → echo "${OSOP_V_X}"
//	echo "v={{X}}"            → echo "v=${OSOP_V_X}"
//	echo 'v={{X}}'            → echo 'v='"${OSOP_V_X}"''
//	echo "$(echo {{X}})"      → echo "$(echo "${OSOP_V_X}")"
//	cat <<EOF … {{X}} … EOF   → cat <<EOF … ${OSOP_V_X} … EOF
//	echo $(( {{N}} + 1 ))     → echo $(( (${OSOP_V_N}) + 1 ))  (N must be an integer)
//
// A reference that stands where no reference is safe (in a quoted
// here-document, in a name, in a script that eval or sh -c runs, …) is
// refused with a [*ShellError] saying where and how to fix it, as is a
// value holding a NUL byte. References resolve does not know are kept as
// written (the shell may expand ${HOME} itself) and returned.
func Shell(s string, opts ShellOptions, resolve func(Ref) (string, bool)) (*ShellCommand, []Ref, error) {
	p := newProbe(s, resolve)
	if len(p.sites) == 0 {
		return &ShellCommand{Script: p.text}, p.missing, nil
	}
	if err := p.analyze(opts.Shell); err != nil {
		return nil, p.missing, err
	}
	if err := p.checkValues(opts.StandIns); err != nil {
		return nil, p.missing, err
	}
	return p.rewrite(), p.missing, nil
}

// CheckShell reports, before anything runs, each {{…}} and ${namespace.…}
// reference in s that stands where no value can be placed safely, and a
// command that does not parse. Bare ${NAME} references are not checked:
// the shell may expand them itself, and only a run knows.
func CheckShell(s string, opts ShellOptions) []*ShellError {
	p := newProbe(s, func(r Ref) (string, bool) {
		return "", r.Mustache || r.Namespace != ""
	})
	if len(p.sites) == 0 {
		return nil
	}
	p.collect = true
	if err := p.analyze(opts.Shell); err != nil {
		return []*ShellError{err}
	}
	return p.problems
}

// ExpandShell is [Shell] for callers that need one command string: it
// returns [ShellCommand.Inline]. A command [Shell] refuses becomes a script
// that prints why and exits with status 2, so it never runs with the value.
// Prefer [Shell], which reports the refusal and keeps values out of the
// command's text.
func ExpandShell(s string, resolve func(Ref) (string, bool)) (string, []Ref) {
	c, missing, err := Shell(s, ShellOptions{}, resolve)
	if err != nil {
		return "printf '%s\\n' " + ShellQuote("osop: "+err.Error()) + " >&2; exit 2", missing
	}
	return c.Inline(), missing
}

// ShellError is a reference osop cannot place safely in a shell command,
// or a command it cannot read.
type ShellError struct {
	// Ref is the reference; its Text is empty for a command that does
	// not parse.
	Ref Ref
	// Offset is the byte offset in the command of what is wrong; Line and
	// Column (1-based, in characters) say the same for people.
	Offset       int
	Line, Column int
	Summary      string
	// Hint says how to fix it.
	Hint string
}

func (e *ShellError) Error() string {
	msg := fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Summary)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// ShellJoin writes argv as one command line a person can paste into a
// shell: each word quoted with [ShellQuote].
func ShellJoin(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = ShellQuote(a)
	}
	return strings.Join(words, " ")
}

// ShellQuote quotes v as one shell word.
func ShellQuote(v string) string {
	if v != "" && strings.IndexFunc(v, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '=' || r == '@' || r == ',' || r == '+' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return v // nothing the shell would read specially
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
