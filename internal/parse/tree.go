package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
)

// Limits bound what a file may cost to load.
type Limits struct {
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	// MaxDepth is the deepest nesting of maps and lists.
	MaxDepth int
	// MaxValues bounds the values a document may expand to, aliases
	// included, so that an alias bomb is refused instead of filling memory.
	MaxValues int
}

// DefaultLimits are the limits of `osop` unless a flag raises them.
var DefaultLimits = Limits{MaxBytes: 1 << 20, MaxDepth: 64, MaxValues: 500_000}

// Tree parses YAML (or JSON, which YAML 1.2 contains) into a value tree.
// Syntax errors, duplicate keys and exceeded limits are diagnostics; the
// returned tree is nil when nothing usable was parsed.
func Tree(file string, src []byte, lim Limits) (*ast.Value, diag.Diagnostics) {
	var ds diag.Diagnostics
	at := func(line, col int) diag.Range {
		return diag.Range{File: file, Start: diag.Pos{Line: line, Column: col}, End: diag.Pos{Line: line, Column: col}}
	}
	if lim.MaxBytes > 0 && int64(len(src)) > lim.MaxBytes {
		return nil, append(ds, tooLarge(file, fmt.Sprintf("%d bytes", len(src)), lim.MaxBytes))
	}
	if !utf8.Valid(src) {
		line, col := firstInvalidUTF8(src)
		return nil, ds.Append(diag.Error, "encoding", at(line, col),
			"file is not valid UTF-8", "save the file as UTF-8")
	}
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, ds.Append(diag.Error, "empty-file", at(1, 1), "file is empty",
			"a workflow needs at least osop_version, id, name and nodes")
	}
	if line, col, r, ok := firstControl(src); ok {
		return nil, ds.Append(diag.Error, "syntax", at(line, col),
			fmt.Sprintf("invalid YAML: control characters are not allowed (U+%04X here)", r),
			`remove it; inside double quotes it can be written as an escape, such as "\x1b"`)
	}
	docs, err := decodeDocuments(src)
	if err != nil {
		line, msg := yamlErrorLine(err)
		col := 1
		if l, c, m, ok := syntaxPosition(src); ok {
			line, col, msg = l, c, "invalid YAML: "+m
		}
		return nil, ds.Append(diag.Error, "syntax", at(line, col), msg,
			"check the indentation, quotes, colons and brackets here")
	}
	if len(docs) > 1 {
		d := docs[1]
		ds = ds.Append(diag.Error, "multiple-documents", at(d.Line, d.Column),
			fmt.Sprintf("file holds %d YAML documents; osop reads one per file", len(docs)),
			"move each document after a --- line into a file of its own")
	}
	c := &converter{file: file, lines: splitLines(src), lim: lim, anchors: map[*yaml.Node]bool{}}
	root := docs[0]
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	v := c.convert(root, 0)
	ds = append(ds, c.ds...)
	if c.aborted {
		return nil, ds
	}
	return v, ds
}

// decodeDocuments reads every document, recovering from any panic in the
// YAML library so that no input can crash the loader.
func decodeDocuments(src []byte) (docs []*yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the parser failed on this input: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		docs = append(docs, &n)
	}
	if len(docs) == 0 {
		return nil, errors.New("yaml: no document found")
	}
	return docs, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	line := 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
		}
		msg = msg[len(m[0]):]
	}
	return line, "invalid YAML: " + msg
}

// tooLarge is the diagnostic for a file over the size limit.
func tooLarge(file, size string, limit int64) *diag.Diagnostic {
	return &diag.Diagnostic{Severity: diag.Error, Code: "file-too-large", Subject: diag.Range{File: file},
		Summary: fmt.Sprintf("file is %s, over the limit of %d", size, limit),
		Detail:  "split the workflow, or raise the limit with --max-file-size"}
}

// firstControl finds the first character YAML does not allow anywhere in
// a stream (C0 controls but tab, LF and CR; DEL; C1 controls but NEL;
// U+FFFE and U+FFFF), which the YAML library reports without a position.
func firstControl(src []byte) (line, col int, r rune, ok bool) {
	if !mayHoldControl(src) {
		return 0, 0, 0, false
	}
	line, col = 1, 1
	for i := 0; i < len(src); {
		ch, n := rune(src[i]), 1
		if ch >= utf8.RuneSelf {
			ch, n = utf8.DecodeRune(src[i:])
		}
		i += n
		switch {
		case ch == '\n':
			line, col = line+1, 1
			continue
		case ch == '\t' || ch == '\r' || ch == 0x85:
		case ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0) || ch == 0xfffe || ch == 0xffff:
			return line, col, ch, true
		}
		col++
	}
	return 0, 0, 0, false
}

// mayHoldControl is a fast byte scan for what could start a character
// firstControl refuses; the exact scan runs only when it finds one.
func mayHoldControl(src []byte) bool {
	for _, b := range src {
		if suspectByte[b] {
			return true
		}
	}
	return false
}

// suspectByte marks C0 controls but tab, LF and CR, DEL, and the lead
// bytes of C1 controls (0xC2) and of U+FFFE/U+FFFF (0xEF).
var suspectByte = func() (t [256]bool) {
	for b := range 0x20 {
		t[b] = b != '\t' && b != '\n' && b != '\r'
	}
	t[0x7f], t[0xc2], t[0xef] = true, true, true
	return t
}()

func firstInvalidUTF8(src []byte) (line, col int) {
	line, col = 1, 1
	for len(src) > 0 {
		r, n := utf8.DecodeRune(src)
		if r == utf8.RuneError && n <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		src = src[n:]
	}
	return line, col
}

func splitLines(src []byte) []string {
	return strings.Split(string(src), "\n")
}

type converter struct {
	file    string
	lines   []string
	lim     Limits
	values  int
	aborted bool
	anchors map[*yaml.Node]bool // anchors being expanded, to refuse self-reference
	ds      diag.Diagnostics
}

func (c *converter) pos(n *yaml.Node) diag.Range {
	p := diag.Pos{Line: n.Line, Column: n.Column}
	return diag.Range{File: c.file, Start: p, End: c.tokenEnd(n, p)}
}

func (c *converter) fail(n *yaml.Node, code, summary, detail string) {
	if !c.aborted {
		c.ds = c.ds.Append(diag.Error, code, c.pos(n), summary, detail)
	}
	c.aborted = true
}

func (c *converter) convert(n *yaml.Node, depth int) *ast.Value {
	if c.aborted {
		return nil
	}
	c.values++
	if c.lim.MaxValues > 0 && c.values > c.lim.MaxValues {
		c.fail(n, "too-many-values", fmt.Sprintf("document expands to more than %d values", c.lim.MaxValues),
			"the file uses aliases (*name) that multiply its size; write the values out, or reduce the aliasing")
		return nil
	}
	if c.lim.MaxDepth > 0 && depth > c.lim.MaxDepth {
		c.fail(n, "too-deep", fmt.Sprintf("nesting is deeper than %d levels", c.lim.MaxDepth),
			"flatten the structure; no OSOP field needs this depth")
		return nil
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil || c.anchors[n.Alias] {
			c.fail(n, "alias-cycle", "alias refers to a value that contains it", "an anchor cannot contain its own alias")
			return nil
		}
		c.anchors[n.Alias] = true
		v := c.convert(n.Alias, depth)
		delete(c.anchors, n.Alias)
		if v == nil {
			return nil
		}
		cp := *v
		cp.Range = c.pos(n) // point at the use, not the anchor
		return &cp
	case yaml.SequenceNode:
		v := &ast.Value{Kind: ast.List, Range: c.pos(n), Items: make([]*ast.Value, 0, len(n.Content))}
		if n.Style&yaml.FlowStyle != 0 {
			v.Style = ast.Flow
		}
		for _, it := range n.Content {
			if x := c.convert(it, depth+1); x != nil {
				v.Items = append(v.Items, x)
			}
		}
		return v
	case yaml.MappingNode:
		return c.mapping(n, depth)
	case yaml.ScalarNode:
		return c.scalar(n)
	}
	return &ast.Value{Kind: ast.Null, Range: c.pos(n)}
}

func (c *converter) mapping(n *yaml.Node, depth int) *ast.Value {
	v := &ast.Value{Kind: ast.Map, Range: c.pos(n)}
	if n.Style&yaml.FlowStyle != 0 {
		v.Style = ast.Flow
	}
	seen := map[string]*ast.Field{}
	var merges []*ast.Value
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind == yaml.ScalarNode && kn.Tag == "!!merge" {
			if m := c.convert(vn, depth+1); m != nil {
				merges = append(merges, m)
			}
			continue
		}
		key := kn.Value
		if kn.Kind != yaml.ScalarNode {
			c.ds = c.ds.Append(diag.Error, "complex-key", c.pos(kn), "map key is not a plain value",
				"use a string as the key")
			continue
		}
		val := c.convert(vn, depth+1)
		if val == nil {
			if c.aborted {
				return nil
			}
			continue
		}
		if prev := seen[key]; prev != nil {
			c.ds = c.ds.Append(diag.Error, "duplicate-key", c.pos(kn),
				fmt.Sprintf("key %q appears twice in this map", key),
				fmt.Sprintf("first written at line %d; remove one (YAML keeps only one of them)", prev.KeyRange.Start.Line))
			continue
		}
		f := &ast.Field{Key: key, KeyRange: c.pos(kn), Value: val}
		seen[key] = f
		v.Fields = append(v.Fields, f)
	}
	c.merge(v, seen, merges)
	return v
}

// merge applies YAML merge keys (<<: *base): fields the map does not set
// itself are taken from the merged maps, the first listed winning.
func (c *converter) merge(v *ast.Value, seen map[string]*ast.Field, merges []*ast.Value) {
	var sources []*ast.Value
	for _, m := range merges {
		if m.Kind == ast.List {
			sources = append(sources, m.Items...)
		} else {
			sources = append(sources, m)
		}
	}
	for _, m := range sources {
		if m.Kind != ast.Map {
			c.ds = c.ds.Append(diag.Error, "merge-key", m.Range, "merge key (<<) needs a map or a list of maps", "")
			continue
		}
		for _, f := range m.Fields {
			if seen[f.Key] == nil {
				seen[f.Key] = f
				v.Fields = append(v.Fields, f)
			}
		}
	}
}

func (c *converter) scalar(n *yaml.Node) *ast.Value {
	v := &ast.Value{Kind: ast.String, Str: n.Value, Range: c.pos(n), Style: scalarStyle(n.Style)}
	if v.Style != ast.Plain {
		if n.Tag == "!!str" || n.Tag == "" {
			return v
		}
	}
	switch n.ShortTag() {
	case "!!null":
		v.Kind = ast.Null
	case "!!bool":
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			v.Kind, v.Bool = ast.Bool, b
		}
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64); err == nil {
			v.Kind, v.Int = ast.Int, i
		} else if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			v.Kind, v.Float = ast.Float, f
		}
	case "!!float":
		if f, ok := parseYAMLFloat(n.Value); ok {
			v.Kind, v.Float = ast.Float, f
		}
	}
	return v
}

func parseYAMLFloat(s string) (float64, bool) {
	switch strings.ToLower(strings.TrimLeft(s, "+")) {
	case ".inf":
		return 0, false // infinities are not valid JSON: keep the text
	case "-.inf", ".nan":
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	return f, err == nil
}

func scalarStyle(s yaml.Style) ast.Style {
	switch {
	case s&yaml.DoubleQuotedStyle != 0:
		return ast.DoubleQuoted
	case s&yaml.SingleQuotedStyle != 0:
		return ast.SingleQuoted
	case s&yaml.LiteralStyle != 0:
		return ast.Literal
	case s&yaml.FoldedStyle != 0:
		return ast.Folded
	}
	return ast.Plain
}
