package render

import (
	"strings"

	"github.com/osopdev/osop/internal/diag"
)

// Line directions a cell connects to; a cell's mask picks its character.
const (
	up = 1 << iota
	down
	left
	right
)

// canvas is a grid of terminal cells. Lines are recorded as direction
// masks, so crossings and joins get the right box-drawing character.
type canvas struct {
	w, h   int
	mask   [][]uint8
	solid  [][]bool // a cell touched by any solid line is drawn solid
	text   [][]rune // fixed characters (boxes, arrows, tags); 0: none
	filler [][]bool // the second cell of a wide character
}

func newCanvas(w, h int) *canvas {
	c := &canvas{w: w + 8, h: h}
	for range h {
		c.mask = append(c.mask, make([]uint8, c.w))
		c.solid = append(c.solid, make([]bool, c.w))
		c.text = append(c.text, make([]rune, c.w))
		c.filler = append(c.filler, make([]bool, c.w))
	}
	return c
}

func (c *canvas) in(x, y int) bool { return x >= 0 && y >= 0 && x < c.w && y < c.h }

func (c *canvas) link(x, y int, m uint8, dashed bool) {
	if c.in(x, y) {
		c.mask[y][x] |= m
		if !dashed {
			c.solid[y][x] = true
		}
	}
}

func (c *canvas) vline(x, y1, y2 int, dashed bool) {
	for y := y1; y < y2; y++ {
		c.link(x, y, down, dashed)
		c.link(x, y+1, up, dashed)
	}
}

func (c *canvas) hline(x1, x2, y int, dashed bool) {
	if x1 > x2 {
		x1, x2 = x2, x1
	}
	for x := x1; x < x2; x++ {
		c.link(x, y, right, dashed)
		c.link(x+1, y, left, dashed)
	}
}

func (c *canvas) mark(x, y int, r rune) {
	if c.in(x, y) {
		c.text[y][x] = r
	}
}

// tag writes s at (x, y) if the cells are free, so labels never overwrite
// lines.
func (c *canvas) tag(x, y int, s string) {
	for i := range len(s) {
		if !c.in(x+i, y) || c.mask[y][x+i] != 0 || c.text[y][x+i] != 0 {
			return
		}
	}
	for i, r := range s {
		c.text[y][x+i] = r
	}
}

// box draws a rounded box with two lines of text.
func (c *canvas) box(x, y, w int, lines [2]string) {
	c.put(x, y, "╭"+strings.Repeat("─", w-2)+"╮")
	for i, l := range lines {
		pad := w - 4 - diag.DisplayWidth(l)
		c.put(x, y+1+i, "│ "+l+strings.Repeat(" ", max(pad, 0))+" │")
	}
	c.put(x, y+3, "╰"+strings.Repeat("─", w-2)+"╯")
}

func (c *canvas) put(x, y int, s string) {
	for _, r := range s {
		if !c.in(x, y) {
			return
		}
		if c.text[y][x] == '┬' && r == '─' {
			x++ // keep the mark where lines leave the box
			continue
		}
		c.text[y][x] = r
		c.mask[y][x] = 0
		if diag.DisplayWidth(string(r)) == 2 && c.in(x+1, y) {
			c.filler[y][x+1] = true
			x++
		}
		x++
	}
}

var maskRunes = map[uint8]rune{
	up: '│', down: '│', up | down: '│', left: '─', right: '─', left | right: '─',
	down | right: '╭', down | left: '╮', up | right: '╰', up | left: '╯',
	up | down | right: '├', up | down | left: '┤', down | left | right: '┬',
	up | left | right: '┴', up | down | left | right: '┼',
}

func (c *canvas) String(ascii bool) string {
	var b strings.Builder
	for y := range c.h {
		var line strings.Builder
		for x := range c.w {
			if c.filler[y][x] {
				continue
			}
			r := c.text[y][x]
			if r == 0 {
				r = ' '
				if m := c.mask[y][x]; m != 0 {
					r = maskRunes[m]
					if !c.solid[y][x] {
						switch r {
						case '│':
							r = '┆'
						case '─':
							r = '┄'
						}
					}
				}
			}
			line.WriteRune(r)
		}
		s := strings.TrimRight(line.String(), " ")
		if ascii {
			s = toASCII(s)
		}
		b.WriteString(s + "\n")
	}
	return b.String()
}

var asciiReplacer = strings.NewReplacer(
	"╭", "+", "╮", "+", "╰", "+", "╯", "+", "─", "-", "│", "|", "├", "+", "┤", "+",
	"┬", "+", "┴", "+", "┼", "+", "┆", ":", "┄", ".", "▼", "v", "▽", "v", "→", "->", "↺", "<-", "·", "-", "…", ".",
)

func toASCII(s string) string { return asciiReplacer.Replace(s) }
