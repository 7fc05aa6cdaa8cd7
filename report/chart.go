package report

import (
	"fmt"
	"html"
	"strings"
)

// chart is a horizontal bar chart: one bar per row, drawn by hand as SVG
// (HTML) or as rectangles (PDF) from the same geometry, so both show the
// same bars. No charting library: a bar chart is a few rectangles.
type chart struct {
	Bars []bar
	Max  int64
}

type bar struct {
	Label string
	Value int64
}

// Geometry, in SVG user units (pixels).
const (
	chartWidth  = 640
	chartLabelW = 220
	chartValueW = 80
	chartBarH   = 18
	chartGap    = 6
)

func barChart(rows []rowView) *chart {
	c := &chart{}
	for _, r := range rows {
		c.Bars = append(c.Bars, bar{r.Label, r.Fig.Value})
		c.Max = max(c.Max, r.Fig.Value)
	}
	return c
}

// width of a bar of value v, in [0, w].
func (c *chart) width(v int64, w float64) float64 {
	if c.Max <= 0 || v <= 0 {
		return 0
	}
	return w * float64(v) / float64(c.Max)
}

// SVG renders the chart; title is its accessible name.
func (c *chart) SVG(title string) string {
	h := len(c.Bars)*(chartBarH+chartGap) + chartGap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>%s</title>`,
		chartWidth, h, chartWidth, h, html.EscapeString(title))
	span := float64(chartWidth - chartLabelW - chartValueW)
	for i, br := range c.Bars {
		y := chartGap + i*(chartBarH+chartGap)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="12">%s</text>`, chartLabelW-8, y+13, html.EscapeString(br.Label))
		w := c.width(br.Value, span)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#2b6cb0"/>`, chartLabelW, y, w, chartBarH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">%d</text>`, float64(chartLabelW)+w+6, y+13, br.Value)
	}
	b.WriteString(`</svg>`)
	return b.String()
}
