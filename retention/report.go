package retention

import (
	"context"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/coupole/coupole"
)

// ReportStore is what the monthly purge report reads.
type ReportStore interface {
	RetentionCounts(ctx context.Context, from, to time.Time) (Counts, error)
	// PurgedItems returns the items purged in [from, to), by purge time.
	PurgedItems(ctx context.Context, from, to time.Time) ([]Item, error)
}

// Report is the monthly purge report (R4): every item purged in the month
// with its rule, due date, deletion time, lateness and evidence event, and
// the month's counts.
type Report struct {
	From, To time.Time
	Counts   Counts
	Purged   []Item
}

// MonthlyReport builds the report of the month starting at from.
func MonthlyReport(ctx context.Context, s ReportStore, from time.Time) (Report, error) {
	from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	c, err := s.RetentionCounts(ctx, from, to)
	if err != nil {
		return Report{}, err
	}
	items, err := s.PurgedItems(ctx, from, to)
	if err != nil {
		return Report{}, err
	}
	return Report{From: from, To: to, Counts: c, Purged: items}, nil
}

// Late reports whether it was purged more than MaxLateness after its due date.
func (it Item) Late() bool { return it.PurgedAt.Sub(it.Due) > MaxLateness }

// WriteText writes the report as plain text.
func (r Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "Purge report %s (UTC, [%s, %s))\n", r.From.Format("2006-01"), r.From.Format(time.DateOnly), r.To.Format(time.DateOnly))
	fmt.Fprintf(w, "purged on time: %d; purged late (more than %s after due): %d; held now: %d; due and still kept: %d\n",
		r.Counts.PurgedOnTime, MaxLateness, r.Counts.PurgedLate, r.Counts.Held, r.Counts.Due)
	classes := make([]string, 0, len(r.Counts.ByClass))
	for k := range r.Counts.ByClass {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	for _, k := range classes {
		fmt.Fprintf(w, "registered in the month, class %s: %d\n", k, r.Counts.ByClass[k])
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ITEM\tKIND\tRULE\tDUE\tDELETED AT\tLATE\tEVIDENCE EVENT\tSHA-256")
	for _, it := range r.Purged {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\t%d\t%s\n", it.ID, it.Kind, it.Class, it.Due.Format(time.RFC3339), it.PurgedAt.Format(time.RFC3339), it.Late(), it.EvidenceIndex, it.SHA256)
	}
	if err := tw.Flush(); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "cannot write the report")
	}
	return nil
}
