package oversight

import (
	"context"
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
)

// The supervisor dashboard (issue 16 item 1): volumes by channel, call
// reason and team, disclosures by outcome and route, refusals by reason,
// verifications, for today, 7 days, 30 days or a custom period, and the
// live state (open interactions, those open too long, deliveries pending
// or failed). Metadata only: the figures are counts of codes, never a
// customer, an EAN or a phone number.

// DeliveryCounter counts the deliveries that wait or failed, by kind and
// status ("sms/pending").
type DeliveryCounter interface {
	DeliveryStatusCounts(ctx context.Context) (map[string]int64, error)
}

// Dashboard computes the dashboard's boards.
type Dashboard struct {
	Store       coupole.OversightStore
	Deliveries  DeliveryCounter
	Audit       interaction.Tracer
	Clock       coupole.Clock
	Location    *time.Location
	OpenTooLong time.Duration
}

// Period is the span a board covers, [From, To).
type Period struct {
	Name     string // today, 7d, 30d, custom
	From, To time.Time
}

// MaxCustomDays bounds a custom period.
const MaxCustomDays = 366

// ParsePeriod reads the period of a request: "today", "7d", "30d" or
// "custom" with from and to dates (YYYY-MM-DD, to included).
func (d *Dashboard) ParsePeriod(name, from, to string) (Period, error) {
	now := d.Clock.Now().In(d.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, d.Location)
	switch name {
	case "", "today":
		return Period{"today", today, today.AddDate(0, 0, 1)}, nil
	case "7d":
		return Period{"7d", today.AddDate(0, 0, -6), today.AddDate(0, 0, 1)}, nil
	case "30d":
		return Period{"30d", today.AddDate(0, 0, -29), today.AddDate(0, 0, 1)}, nil
	case "custom":
		f, err1 := time.ParseInLocation(time.DateOnly, from, d.Location)
		t, err2 := time.ParseInLocation(time.DateOnly, to, d.Location)
		switch {
		case err1 != nil || err2 != nil:
			return Period{}, coupole.Errorf(coupole.EINVALID, "period: from and to must be dates (YYYY-MM-DD)")
		case t.Before(f):
			return Period{}, coupole.Errorf(coupole.EINVALID, "period: it ends before it starts")
		case t.Sub(f) > MaxCustomDays*24*time.Hour:
			return Period{}, coupole.Errorf(coupole.EINVALID, "period: at most %d days", MaxCustomDays)
		}
		return Period{"custom", f, t.AddDate(0, 0, 1)}, nil
	}
	return Period{}, coupole.Errorf(coupole.EINVALID, "period: today, 7d, 30d or custom")
}

// Bar is one line of a chart: a code and its count.
type Bar struct {
	Key string
	N   int64
	Pct float64 // of the chart's largest bar, for the SVG
}

// Chart is one chart of the board and the table beneath it.
type Chart struct {
	Metric string // MetricChannel…, "alerts", "days"
	Bars   []Bar
	Total  int64
}

// Board is the dashboard for a period.
type Board struct {
	Period      Period
	GeneratedAt time.Time
	// Live state, whatever the period.
	Open, OpenTooLong int
	Deliveries        map[string]int64 // kind/status → count, waiting or failed
	DeliveriesWaiting int64
	DeliveriesFailed  int64
	// The period's charts: interactions per day, then by metric.
	Days   Chart
	Charts []Chart
}

// Board computes the board of p; viewing it is traced.
func (d *Dashboard) Board(ctx context.Context, a interaction.Actor, p Period) (Board, error) {
	b := Board{Period: p, GeneratedAt: d.Clock.Now()}
	open, err := d.Store.OpenInteractions(ctx, "")
	if err != nil {
		return b, err
	}
	b.Open = len(open)
	for _, in := range open {
		if d.OpenTooLong > 0 && b.GeneratedAt.Sub(in.OpenedAt) > d.OpenTooLong {
			b.OpenTooLong++
		}
	}
	if d.Deliveries != nil {
		if b.Deliveries, err = d.Deliveries.DeliveryStatusCounts(ctx); err != nil {
			return b, err
		}
		for k, n := range b.Deliveries {
			if strings.HasSuffix(k, "/pending") || strings.HasSuffix(k, "/sending") {
				b.DeliveriesWaiting += n
			} else {
				b.DeliveriesFailed += n
			}
		}
	}
	counts, err := d.Store.HourlyCounts(ctx, p.From, p.To)
	if err != nil {
		return b, err
	}
	by := map[string][]Bar{}
	for _, c := range counts {
		by[c.Metric] = append(by[c.Metric], Bar{Key: c.Key, N: c.N})
	}
	for _, m := range []string{MetricChannel, MetricReason, MetricTeam, MetricDecision, MetricRoute, MetricRefusal, MetricVerification} {
		b.Charts = append(b.Charts, chart(m, by[m], true))
	}
	alerts, err := d.Store.CountAlerts(ctx, p.From, p.To)
	if err != nil {
		return b, err
	}
	var ab []Bar
	for k, n := range alerts {
		if !strings.Contains(k, "/") {
			ab = append(ab, Bar{Key: k, N: n})
		}
	}
	b.Charts = append(b.Charts, chart("alerts", ab, true))
	// Interactions opened per day.
	var days []Bar
	for day := p.From; day.Before(p.To); day = day.AddDate(0, 0, 1) {
		cs, err := d.Store.HourlyCounts(ctx, day, day.AddDate(0, 0, 1))
		if err != nil {
			return b, err
		}
		var n int64
		for _, c := range cs {
			if c.Metric == MetricChannel {
				n += c.N
			}
		}
		days = append(days, Bar{Key: day.Format(time.DateOnly), N: n})
	}
	b.Days = chart("days", days, false)
	ev := audit.Event{Actor: a.StaffID, Client: a.Client, Action: "oversight.dashboard", Data: []string{"period=" + p.Name, "from=" + p.From.Format(time.DateOnly), "metadata_only"}}
	if _, err := interaction.TraceFirst(ctx, d.Audit, ev, nil); err != nil {
		return b, err
	}
	return b, nil
}

// chart orders the bars (largest first when sorted) and scales them.
func chart(metric string, bars []Bar, sorted bool) Chart {
	if sorted {
		sort.Slice(bars, func(i, j int) bool {
			if bars[i].N != bars[j].N {
				return bars[i].N > bars[j].N
			}
			return bars[i].Key < bars[j].Key
		})
	}
	c := Chart{Metric: metric, Bars: bars}
	var top int64
	for _, b := range bars {
		c.Total += b.N
		top = max(top, b.N)
	}
	for i := range c.Bars {
		if top > 0 {
			c.Bars[i].Pct = float64(c.Bars[i].N) * 100 / float64(top)
		}
	}
	return c
}

// WriteCSV writes the board as CSV: one line per figure, with the period.
func (b Board) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	from, to := b.Period.From.Format(time.DateOnly), b.Period.To.AddDate(0, 0, -1).Format(time.DateOnly)
	rows := [][]string{{"period_from", "period_to", "metric", "key", "count"}}
	live := func(k string, n int64) { rows = append(rows, []string{from, to, "live", k, strconv.FormatInt(n, 10)}) }
	live("open_interactions", int64(b.Open))
	live("open_too_long", int64(b.OpenTooLong))
	live("deliveries_waiting", b.DeliveriesWaiting)
	live("deliveries_failed", b.DeliveriesFailed)
	for _, c := range append([]Chart{b.Days}, b.Charts...) {
		for _, bar := range c.Bars {
			rows = append(rows, []string{from, to, c.Metric, bar.Key, strconv.FormatInt(bar.N, 10)})
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return coupole.Wrap(err, coupole.EINTERNAL, "dashboard CSV: %v", err)
	}
	return nil
}
