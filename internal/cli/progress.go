package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/osopdev/osop/internal/ast"
	"github.com/osopdev/osop/internal/diag"
	"github.com/osopdev/osop/internal/graph"
	"github.com/osopdev/osop/internal/run"
)

// progress shows a run as it happens: a live table on a terminal, a line
// per state change otherwise, or JSON events for other programs.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	mode     string // live, lines, json
	color    bool
	order    []string
	rows     map[string]*row
	drawn    int // lines of the live table on screen
	start    time.Time
	stop     chan struct{}
	stopped  chan struct{}
	failures []run.Event
	held     bool     // a prompt is on screen: nothing is drawn
	queued   []string // lines that came while held, shown on release
}

// hold clears the live table and draws nothing, neither the table nor
// new lines, until release is called, so that a prompt has the terminal
// to itself; the lines that came meanwhile are shown then.
func (p *progress) hold() (release func()) {
	p.mu.Lock()
	p.clear()
	p.held = true
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.held = false
		for _, l := range p.queued {
			fmt.Fprintln(p.w, l)
		}
		p.queued = nil
		p.redraw()
	}
}

type row struct {
	id, typ   string
	status    run.Status
	attempt   int
	maxTry    int
	started   time.Time
	elapsed   time.Duration
	note      string
	iteration int
}

// newProgress lists the nodes in the order they can run: the graph's, whose
// indexes are its own (they differ from the file's when an id repeats).
func newProgress(w io.Writer, mode string, color bool, wf *ast.Workflow) *progress {
	p := &progress{w: w, mode: mode, color: color, rows: map[string]*row{}, start: time.Now()}
	g := graph.New(wf)
	for _, i := range g.TopoOrder() {
		n := g.Nodes[i]
		r := &row{id: n.ID.V, typ: n.Type.V, status: run.Pending, maxTry: 1}
		if n.Retry != nil {
			r.maxTry = max(n.Retry.MaxAttempts, 1)
		} else if wf.Retry != nil {
			r.maxTry = max(wf.Retry.MaxAttempts, 1)
		}
		p.rows[n.ID.V] = r
		p.order = append(p.order, n.ID.V)
	}
	if mode == "live" {
		p.stop, p.stopped = make(chan struct{}), make(chan struct{})
		go p.tick()
	}
	return p
}

func (p *progress) tick() {
	defer close(p.stopped)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.redraw()
			p.mu.Unlock()
		}
	}
}

// Event takes one event of the run.
func (p *progress) Event(e run.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == "json" {
		b, _ := json.Marshal(e) // events hold only JSON-able values
		fmt.Fprintf(p.w, "%s\n", b)
		return
	}
	r := p.rows[e.Node]
	e = terminalEvent(e)
	switch e.Kind {
	case run.RunStarted:
		p.line(fmt.Sprintf("%s run %s · %s · %s", p.paint("1", "osop"), e.RunID, e.Message, plural(len(p.order), "node")))
	case run.NodeStarted:
		r.status, r.attempt, r.started, r.iteration, r.note = run.Running, e.Attempt, e.Time, e.Iteration, e.Action
		if e.MaxAttempts > 0 {
			r.maxTry = e.MaxAttempts // a resumed node numbers on from its earlier attempts
		}
		p.line(fmt.Sprintf("  %s %-22s %s%s", p.paint("36", "▶"), e.Node, tries(e.Attempt, r.maxTry), truncate(e.Action, 100)))
	case run.NodeWaiting:
		r.status, r.note = run.Waiting, e.Message
		p.line(fmt.Sprintf("  %s %-22s %s", p.paint("33", "…"), e.Node, e.Message))
	case run.NodeRetrying:
		r.note = fmt.Sprintf("retrying in %s", e.Delay.Round(time.Millisecond))
		p.line(fmt.Sprintf("  %s %-22s attempt %d/%d failed: %s; retrying in %s", p.paint("33", "↻"), e.Node,
			e.Attempt, r.maxTry, truncate(e.Message, 160), e.Delay.Round(time.Millisecond)))
	case run.NodeFinished:
		r.status, r.elapsed = e.Status, e.Duration
		switch e.Status {
		case run.Completed:
			p.line(fmt.Sprintf("  %s %-22s %s", p.paint("32", "✓"), e.Node, e.Duration.Round(time.Millisecond)))
		case run.Skipped: // a person skipped a manual step
			r.note = e.Message
			p.line(fmt.Sprintf("  %s %-22s %s", p.paint("2", "↷"), e.Node, e.Message))
		default:
			r.note = e.Message
			p.failures = append(p.failures, e)
			p.line(fmt.Sprintf("  %s %-22s %s after %s: %s", p.paint("31", "✗"), e.Node, strings.ToLower(string(e.Status)),
				e.Duration.Round(time.Millisecond), truncate(e.Message, 200)))
		}
	case run.NodeSkipped:
		if r != nil {
			r.status, r.note = e.Status, e.Message
		}
		icon := "↷"
		if e.Extra["resumed"] == "true" {
			icon = "✓"
		}
		p.line(fmt.Sprintf("  %s %-22s %s", p.paint("2", icon), e.Node, e.Message))
	case run.RunLogMessage:
		p.line(fmt.Sprintf("  %s %s", p.paint("2", "·"), e.Message))
	}
}

// terminalEvent escapes the control characters (an escape sequence
// that would set the title or colour the terminal) in what an event
// carries from values, for the text shown to people; the JSON events and
// the records keep them exact.
func terminalEvent(e run.Event) run.Event {
	e.Node, e.Action, e.Message = diag.Printable(e.Node), diag.PrintableText(e.Action), diag.PrintableText(e.Message)
	e.Stdout, e.Stderr = diag.PrintableText(e.Stdout), diag.PrintableText(e.Stderr)
	return e
}

func tries(attempt, max int) string {
	if max <= 1 && attempt <= 1 {
		return ""
	}
	return fmt.Sprintf("[attempt %d/%d] ", attempt, max)
}

// line prints a line above the live table (or just prints it).
func (p *progress) line(s string) {
	if p.held {
		p.queued = append(p.queued, s)
		return
	}
	if p.mode == "live" {
		p.clear()
		fmt.Fprintln(p.w, s)
		p.redraw()
		return
	}
	fmt.Fprintln(p.w, s)
}

func (p *progress) clear() {
	if p.drawn > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA\x1b[J", p.drawn)
		p.drawn = 0
	}
}

// redraw paints the table of nodes still of interest: running, waiting.
func (p *progress) redraw() {
	if p.mode != "live" || p.held {
		return
	}
	p.clear()
	var lines []string
	counts := map[run.Status]int{}
	for _, id := range p.order {
		r := p.rows[id]
		counts[r.status]++
		if r.status != run.Running && r.status != run.Waiting {
			continue
		}
		el := time.Since(r.started).Round(100 * time.Millisecond)
		lines = append(lines, fmt.Sprintf("  %s %-22s %-8s %s%s  %s", p.spinner(), id, r.typ, tries(r.attempt, r.maxTry), el, truncate(r.note, 60)))
	}
	if len(lines) > 20 {
		lines = append(lines[:20], fmt.Sprintf("  … and %d more running", len(lines)-20))
	}
	lines = append(lines, p.paint("2", fmt.Sprintf("  %d done · %d running · %d waiting · %d pending · %s",
		counts[run.Completed]+counts[run.Failed]+counts[run.Skipped]+counts[run.Blocked]+counts[run.TimedOut],
		counts[run.Running], counts[run.Waiting], counts[run.Pending], time.Since(p.start).Round(100*time.Millisecond))))
	for _, l := range lines {
		fmt.Fprintln(p.w, l)
	}
	p.drawn = len(lines)
}

func (p *progress) spinner() string {
	frames := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
	return p.paint("36", frames[int(time.Since(p.start)/(100*time.Millisecond))%len(frames)])
}

func (p *progress) paint(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// Close stops the live table and prints the output of failed nodes.
func (p *progress) Close() {
	if p.stop != nil {
		close(p.stop)
		<-p.stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	if p.mode == "json" {
		return
	}
	for _, f := range p.failures {
		out := strings.TrimSpace(f.Stderr)
		if out == "" {
			out = strings.TrimSpace(f.Stdout)
		}
		if out == "" {
			continue
		}
		fmt.Fprintf(p.w, "\n%s output of %s (last lines):\n", p.paint("31", "──"), f.Node)
		ls := strings.Split(out, "\n")
		if len(ls) > 20 {
			ls = ls[len(ls)-20:]
		}
		for _, l := range ls {
			fmt.Fprintf(p.w, "   %s\n", l)
		}
	}
}

// truncate puts s on one line of at most n runes. A line break shows as
// ⏎, so a multi-line command does not read as another, one-line command.
func truncate(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	s = strings.Join(lines, " ⏎ ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
