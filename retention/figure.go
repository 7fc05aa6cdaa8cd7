package retention

import (
	"context"
	"sort"
	"time"

	"github.com/coupole/coupole"
)

// Figures gives the yearly report its retention figures (G4): recordings
// registered by class, purged on time, purged late, held now.
type Figures struct{ Store Store }

var _ coupole.FigureSource = Figures{}

// Figures computes them for [from, to).
func (f Figures) Figures(ctx context.Context, from, to time.Time) ([]coupole.Figure, error) {
	c, err := f.Store.RetentionCounts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	const q = "sqlstore.RetentionCounts: retention_items"
	out := []coupole.Figure{
		{Key: "retention.purged_on_time", Requirement: "R4", Query: q + " with purged_at in the period and purged_at - due_at <= 1h", Value: c.PurgedOnTime, Unit: "count"},
		{Key: "retention.purged_late", Requirement: "R4", Query: q + " with purged_at in the period and purged_at - due_at > 1h", Value: c.PurgedLate, Unit: "count"},
		{Key: "retention.held", Requirement: "R3", Query: q + " kept and covered by an active hold (now)", Value: c.Held, Unit: "count"},
	}
	classes := make([]string, 0, len(c.ByClass))
	for k := range c.ByClass {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	for _, k := range classes {
		out = append(out, coupole.Figure{Key: "retention.registered." + k, Requirement: "R1", Query: q + " with started_at in the period, by class", Value: c.ByClass[k], Unit: "count"})
	}
	return out, nil
}
