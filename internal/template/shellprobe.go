package template

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"
)

// A probe is the command with each resolved reference replaced by a
// marker, a word of letters and digits found nowhere else in it. The shell
// parser reads the probe; where each marker lands in the syntax tree says
// how the shell would read a value there. Values themselves never enter
// the text the parser or the shell reads.
type probe struct {
	src     string // the command as written
	text    string // the probe
	mark    string // the markers' common prefix
	sites   []site
	missing []Ref
	anchors []anchor

	file     *syntax.File
	lang     syntax.LangVariant
	integers map[string]bool // variables declared -i: assigning them is arithmetic

	collect  bool // report every refused site, not only the first
	problems []*ShellError
}

// site is one resolved reference.
type site struct {
	ref    Ref
	at     int    // offset of its marker in the probe
	marker string // mark + index + "Z"
	value  string
	form   form
	// integer is true where the shell does arithmetic with the value.
	integer bool
	found   bool
}

// anchor ties an offset in the probe to one in the command as written.
type anchor struct{ probe, src int }

// form is how a reference to a value is written where it stands.
type form uint8

const (
	formQuoted       form = iota // "${V}": one word, never split or globbed
	formBare                     // ${V}: inside "…" or a here-document body
	formSingle                   // '"${V}"': close the '…', reference, reopen
	formDollarSingle             // '"${V}"$': the same for $'…'
	formParen                    // (${V}): an operand in arithmetic; integer only
	formIndex                    // ${V}: a whole array subscript; integer only
	formComment                  // in a comment: kept as written, nothing bound
)

func newProbe(s string, resolve func(Ref) (string, bool)) *probe {
	p := &probe{src: s, mark: "OSOPREF"}
	for strings.Contains(s, p.mark) {
		p.mark += "Q"
	}
	var b strings.Builder
	walk(s, func(r Ref) {
		v, ok := resolve(r)
		if !ok {
			p.missing = append(p.missing, r)
			b.WriteString(r.Text)
			return
		}
		p.anchors = append(p.anchors, anchor{b.Len(), r.Offset})
		m := p.mark + strconv.Itoa(len(p.sites)) + "Z"
		p.sites = append(p.sites, site{ref: r, at: b.Len(), marker: m, value: v})
		b.WriteString(m)
		p.anchors = append(p.anchors, anchor{b.Len(), r.Offset + len(r.Text)})
	}, &b)
	p.text = b.String()
	return p
}

var parsers = map[syntax.LangVariant]*sync.Pool{}

func init() {
	for _, l := range []syntax.LangVariant{syntax.LangBash, syntax.LangPOSIX} {
		parsers[l] = &sync.Pool{New: func() any {
			return syntax.NewParser(syntax.Variant(l), syntax.KeepComments(true))
		}}
	}
}

// dialect returns the parser language for a shell program, or false.
func dialect(shell string) (syntax.LangVariant, bool) {
	switch strings.TrimSuffix(filepath.Base(shell), ".exe") {
	case "", ".", "bash":
		return syntax.LangBash, true
	case "sh", "dash", "ash":
		return syntax.LangPOSIX, true
	}
	return 0, false
}

// analyze parses the probe and decides the form of every site.
func (p *probe) analyze(shell string) *ShellError {
	lang, ok := dialect(shell)
	if !ok {
		return p.errorAt(p.sites[0], fmt.Sprintf("%s is in a command for %s, a shell whose syntax osop does not read, so it cannot place the value safely", p.sites[0].ref.Text, filepath.Base(shell)),
			`pass values in runtime.environment (X: "{{X}}") and read them from the environment, or set runtime.raw: true to insert them unchecked`)
	}
	p.lang = lang
	pool := parsers[lang]
	parser := pool.Get().(*syntax.Parser)
	f, err := parser.Parse(strings.NewReader(p.text), "")
	pool.Put(parser)
	if err != nil {
		return p.parseError(err, lang)
	}
	p.file = f
	p.integers = integerNames(f)
	if err := p.place(); err != nil {
		return err
	}
	for i := range p.sites {
		if !p.sites[i].found {
			return p.refuse(p.sites[i], p.sites[i].ref.Text+" stands where osop cannot tell how the shell reads it", "move it into a plain argument")
		}
	}
	return nil
}

// parseError reports a command that does not parse, at its position in
// the command as written, with markers turned back into references.
func (p *probe) parseError(err error, lang syntax.LangVariant) *ShellError {
	msg, off := err.Error(), -1
	var pe syntax.ParseError
	var le syntax.LangError
	switch {
	case errors.As(err, &pe):
		msg, off = pe.Text, int(pe.Pos.Offset())
	case errors.As(err, &le):
		msg, off = le.Error(), int(le.Pos.Offset())
		msg = msg[strings.Index(msg, ": ")+2:]
	}
	for _, s := range p.sites {
		msg = strings.ReplaceAll(msg, s.marker, s.ref.Text)
	}
	e := &ShellError{Summary: "the command is not valid " + langName(lang) + ": " + msg,
		Hint: "osop reads the command to place each value safely; fix its syntax, or set runtime.raw: true to insert values unchecked"}
	p.locate(e, p.srcOffset(max(off, 0)))
	return e
}

func langName(l syntax.LangVariant) string {
	if l == syntax.LangPOSIX {
		return "POSIX sh"
	}
	return l.String()
}

// refuse records a site that has no safe form, and returns the error
// unless every problem is being collected.
func (p *probe) refuse(s site, summary, hint string) *ShellError {
	e := p.errorAt(s, summary, hint)
	if p.collect {
		p.problems = append(p.problems, e)
		return nil
	}
	return e
}

func (p *probe) errorAt(s site, summary, hint string) *ShellError {
	e := &ShellError{Ref: s.ref, Summary: summary, Hint: hint}
	p.locate(e, s.ref.Offset)
	return e
}

func (p *probe) locate(e *ShellError, off int) {
	off = min(max(off, 0), len(p.src))
	before := p.src[:off]
	e.Offset = off
	e.Line = strings.Count(before, "\n") + 1
	e.Column = utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
}

// srcOffset maps an offset in the probe to the command as written.
func (p *probe) srcOffset(off int) int {
	k := sort.Search(len(p.anchors), func(i int) bool { return p.anchors[i].probe > off })
	if k == 0 {
		return off
	}
	a := p.anchors[k-1]
	return a.src + off - a.probe
}

var integerValue = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// checkValues refuses values no shell can receive, and non-integers where
// the shell does arithmetic with them.
func (p *probe) checkValues(standIns bool) *ShellError {
	for _, s := range p.sites {
		switch {
		case strings.IndexByte(s.value, 0) >= 0:
			return p.errorAt(s, "the value of "+s.ref.Text+" holds a NUL byte, which no argument or environment variable can carry", "remove the NUL from the value")
		case s.integer && !standIns && !integerValue.MatchString(s.value):
			return p.errorAt(s, s.ref.Text+" stands where the shell does arithmetic, and its value is not a decimal integer (bash would evaluate any other text as an expression)",
				"pass an integer such as 42 or -1, without leading zeros")
		}
	}
	return nil
}

// rewrite writes the script: the probe with each marker replaced by its
// reference, and one variable for each distinct reference. Names depend
// on the references only, so the script is the same whatever the values.
func (p *probe) rewrite() *ShellCommand {
	c := &ShellCommand{}
	byText := map[string]string{} // reference as written → variable
	used := map[string]bool{}
	var b strings.Builder
	last := 0
	for _, s := range p.sites {
		b.WriteString(p.text[last:s.at])
		last = s.at + len(s.marker)
		if s.form == formComment {
			b.WriteString(s.ref.Text)
			continue
		}
		name, ok := byText[s.ref.Text]
		if !ok {
			name = varName(s.ref, used)
			byText[s.ref.Text] = name
			c.Vars = append(c.Vars, ShellVar{Name: name, Value: s.value, Ref: s.ref})
		}
		b.WriteString(reference(s.form, name))
	}
	b.WriteString(p.text[last:])
	c.Script = b.String()
	return c
}

// varName returns OSOP_V_ and the reference's name, with a number added
// when another reference ({{ X }} and {{X}}) took it first.
func varName(r Ref, used map[string]bool) string {
	base := "OSOP_V_" + strings.Map(func(c rune) rune {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return c
		}
		return '_'
	}, r.Name())
	name := base
	for n := 2; used[name]; n++ {
		name = base + "_" + strconv.Itoa(n)
	}
	used[name] = true
	return name
}

func reference(f form, name string) string {
	switch f {
	case formBare, formIndex:
		return "${" + name + "}"
	case formSingle:
		return `'"${` + name + `}"'`
	case formDollarSingle:
		return `'"${` + name + `}"$'`
	case formParen:
		return "(${" + name + "})"
	}
	return `"${` + name + `}"`
}
