package demo

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress reports how far a long job has gone: a bar redrawn in place on a
// terminal, or a plain line every few percent otherwise (logs, CI).
type Progress struct {
	w        io.Writer
	what     string
	total    int
	tty      bool
	now      func() time.Time
	start    time.Time
	lastDraw time.Time
	lastStep int
}

// progressStep is how often (in percent) a plain line is printed.
const progressStep = 5

// NewProgress starts reporting a job of total units named what ("access
// points"). now is the clock used for rates and the ETA.
func NewProgress(w io.Writer, what string, total int, tty bool, now func() time.Time) *Progress {
	return &Progress{w: w, what: what, total: max(total, 1), tty: tty, now: now, start: now(), lastStep: -1}
}

// Update reports that done units are finished.
func (p *Progress) Update(done int) {
	t := p.now()
	pct := done * 100 / p.total
	if p.tty {
		if t.Sub(p.lastDraw) < 200*time.Millisecond && done < p.total {
			return
		}
		p.lastDraw = t
		const width = 30
		fill := done * width / p.total
		bar := strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
		fmt.Fprintf(p.w, "\r%s %3d%% %s/%s %s  %s/s  ETA %s \x1b[K", bar, pct,
			thousands(done), thousands(p.total), p.what, thousands(int(p.rate(done, t))), p.eta(done, t))
		return
	}
	step := pct / progressStep
	if step == p.lastStep {
		return
	}
	p.lastStep = step
	fmt.Fprintf(p.w, "%3d%%  %s/%s %s  %s/s  elapsed %s  ETA %s\n", pct, thousands(done), thousands(p.total), p.what,
		thousands(int(p.rate(done, t))), t.Sub(p.start).Round(time.Second), p.eta(done, t))
}

// Finish ends the bar's line on a terminal.
func (p *Progress) Finish() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

func (p *Progress) rate(done int, t time.Time) float64 {
	el := t.Sub(p.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(done) / el
}

func (p *Progress) eta(done int, t time.Time) string {
	r := p.rate(done, t)
	if done == 0 || r == 0 {
		return "–"
	}
	return (time.Duration(float64(p.total-done)/r) * time.Second).Round(time.Second).String()
}

// thousands formats n with thin separators: 2,000,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Thousands formats n with comma separators, for summaries.
func Thousands(n int) string { return thousands(n) }
