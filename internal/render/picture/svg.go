package picture

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SVG writes the drawing as a standalone SVG document. Text is left to
// the viewer to draw, in the font families it was measured with (then
// any sans-serif), anchored so that a slightly different font still
// lines up.
func (d *Drawing) SVG() []byte {
	var b strings.Builder
	b.Grow(256 * len(d.items))
	w, h := num(d.Width), num(d.Height)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="%s">`+"\n",
		w, h, w, h, escape(d.familyList()))
	if d.Title != "" {
		fmt.Fprintf(&b, "<title>%s</title>\n", escape(d.Title))
	}
	if d.Background.A > 0 {
		fmt.Fprintf(&b, `<rect width="%s" height="%s" fill="%s"/>`+"\n", w, h, hex(d.Background))
	}
	for _, it := range d.items {
		switch it.kind {
		case 0:
			writePath(&b, it.path, it.style)
		case 1:
			writeText(&b, it.text)
		case 2:
			fmt.Fprintf(&b, `<g id="%s" class="%s">`, escape(it.id), escape(it.class))
			if it.title != "" {
				fmt.Fprintf(&b, "<title>%s</title>", escape(it.title))
			}
			b.WriteString("\n")
		case 3:
			b.WriteString("</g>\n")
		}
	}
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

func (d *Drawing) familyList() string {
	var fams []string
	if d.Fonts != nil {
		for _, bold := range []bool{false, true} {
			for _, f := range d.Fonts.Families(bold) {
				if !slices.Contains(fams, f) {
					fams = append(fams, f)
				}
			}
		}
	}
	parts := make([]string, 0, len(fams)+1)
	for _, f := range fams {
		parts = append(parts, "'"+strings.NewReplacer("'", "", `\`, "").Replace(f)+"'")
	}
	return strings.Join(append(parts, "sans-serif"), ", ")
}

func writePath(b *strings.Builder, p Path, st Style) {
	b.WriteString(`<path d="`)
	pts := func(s Seg, n int) {
		for k := range n {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(num(s.Pts[k][0]))
			b.WriteByte(' ')
			b.WriteString(num(s.Pts[k][1]))
		}
	}
	for i, s := range p {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch s.Op {
		case MoveTo:
			b.WriteByte('M')
			pts(s, 1)
		case LineTo:
			b.WriteByte('L')
			pts(s, 1)
		case CubeTo:
			b.WriteByte('C')
			pts(s, 3)
		case Close:
			b.WriteByte('Z')
		}
	}
	b.WriteString(`" fill="`)
	b.WriteString(paint(st.Fill))
	b.WriteByte('"')
	if st.Stroke.A > 0 && st.Width > 0 {
		fmt.Fprintf(b, ` stroke="%s" stroke-width="%s"`, hex(st.Stroke), num(st.Width))
		if len(st.Dash) > 0 {
			parts := make([]string, len(st.Dash))
			for i, v := range st.Dash {
				parts[i] = num(v)
			}
			fmt.Fprintf(b, ` stroke-dasharray="%s"`, strings.Join(parts, " "))
		}
		b.WriteString(` stroke-linejoin="round" stroke-linecap="round"`)
	}
	b.WriteString("/>\n")
}

func writeText(b *strings.Builder, t Text) {
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%s"`, num(t.X), num(t.Y), num(t.Size))
	if t.Bold {
		b.WriteString(` font-weight="bold"`)
	}
	if t.Anchor == Middle {
		b.WriteString(` text-anchor="middle"`)
	}
	fmt.Fprintf(b, ` fill="%s">%s</text>`+"\n", hex(t.Color), escape(t.S))
}

func paint(c Color) string {
	if c.A == 0 {
		return "none"
	}
	return hex(c)
}

func hex(c Color) string {
	s := fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	if c.A != 0 && c.A != 255 {
		s += fmt.Sprintf("%02x", c.A)
	}
	return s
}

// num writes a coordinate with at most two decimals.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// escape makes s safe as XML text or a quoted attribute: markup
// characters escaped, characters XML forbids (controls, invalid UTF-8)
// dropped, line breaks and tabs made spaces (SVG text is one line, and
// XML would change them in attributes anyway).
func escape(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			continue
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			continue
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
