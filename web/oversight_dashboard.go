package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/oversight"
)

// The supervisor dashboard (issue 16 item 1): server-rendered SVG bar
// charts, each with its table beneath for screen readers, and the same
// figures as CSV. Metadata only — counts of codes.

// chartLabels: the catalogue prefix naming the keys of each chart.
var chartLabels = map[string]string{
	oversight.MetricChannel: "channel", oversight.MetricDecision: "outcome", oversight.MetricRoute: "outcome",
	oversight.MetricReason: "reason", "alerts": "alerts.kind", oversight.MetricVerification: "dashboard.verification",
}

// dashBar is one bar of a chart, laid out for the SVG: horizontal bars
// (label, bar, value on one line) or, for the days, columns.
type dashBar struct {
	Key, Label string
	N          int64
	Y          int    // horizontal: the line's top
	BarW       string // horizontal: the bar's width, percent
	ValueX     string // horizontal: where the value is written, percent
	X, W       string // columns: left and width, percent
	ColY, ColH int    // columns: top and height
}

type dashChart struct {
	Lang      coupole.Language
	ID, Title string
	Bars      []dashBar
	Total     int64
	Height    int
	Columns   bool // a time series: one column per day
	First     string
	Last      string
}

// columnHeight is the height of the days' columns, in pixels.
const columnHeight = 140

type dashboardData struct {
	Board    oversight.Board
	Period   string
	Periods  []string
	From, To string
	Days     dashChart
	Charts   []dashChart
	CSVQuery string
}

func (a *StaffAccess) dashboardChart(lang coupole.Language, c oversight.Chart) dashChart {
	out := dashChart{Lang: lang, ID: "chart-" + c.Metric, Title: "dashboard.chart." + c.Metric, Total: c.Total, Columns: c.Metric == "days"}
	pct := func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
	n := len(c.Bars)
	for i, b := range c.Bars {
		label := b.Key
		if p, ok := chartLabels[c.Metric]; ok {
			if _, known := Messages[p+"."+b.Key]; known {
				label = Message(lang, p+"."+b.Key)
			}
		}
		bar := dashBar{Key: b.Key, Label: label, N: b.N, Y: i * 24}
		if out.Columns {
			w := 100 / float64(n)
			h := int(b.Pct * columnHeight / 100)
			bar.X, bar.W, bar.ColY, bar.ColH = pct(float64(i)*w+w*0.1), pct(w*0.8), columnHeight-h, max(h, 1)
		} else {
			w := max(b.Pct*0.38, 0.3) // after the label, at most 38 % of the width, then the value
			bar.BarW, bar.ValueX = pct(w), pct(48+w+1)
		}
		out.Bars = append(out.Bars, bar)
	}
	if out.Columns {
		out.Height = columnHeight + 20
		if n > 0 {
			out.First, out.Last = c.Bars[0].Key, c.Bars[n-1].Key
		}
	} else {
		out.Height = max(24*n, 24)
	}
	return out
}

func (a *StaffAccess) dashboardBoard(r *http.Request, p *Principal) (oversight.Board, string, string, string, error) {
	q := r.URL.Query()
	period, err := a.dashboard.ParsePeriod(q.Get("period"), q.Get("from"), q.Get("to"))
	if err != nil {
		return oversight.Board{}, "", "", "", err
	}
	b, err := a.dashboard.Board(r.Context(), actor(r, p), period)
	from, to := period.From.Format(time.DateOnly), period.To.AddDate(0, 0, -1).Format(time.DateOnly)
	return b, period.Name, from, to, err
}

func (a *StaffAccess) handleDashboard(w http.ResponseWriter, r *http.Request, p *Principal) {
	b, name, from, to, err := a.dashboardBoard(r, p)
	if err != nil {
		a.pageError(w, r, p, err)
		return
	}
	lang := RequestLanguage(r)
	d := dashboardData{Board: b, Period: name, Periods: []string{"today", "7d", "30d", "custom"}, From: from, To: to, Days: a.dashboardChart(lang, b.Days),
		CSVQuery: "period=" + name + "&from=" + from + "&to=" + to}
	for _, c := range b.Charts {
		d.Charts = append(d.Charts, a.dashboardChart(lang, c))
	}
	a.renderPage(w, r, http.StatusOK, "dashboard", view{Lang: lang, Title: "dashboard.title", Principal: p, Active: "nav.dashboard", Data: d})
}

func (a *StaffAccess) handleDashboardCSV(w http.ResponseWriter, r *http.Request, p *Principal) {
	b, name, from, _, err := a.dashboardBoard(r, p)
	if err != nil {
		a.Server.Error(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := b.WriteCSV(&buf); err != nil {
		a.Server.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="coupole-dashboard-`+name+`-`+from+`.csv"`)
	w.Write(buf.Bytes())
}
