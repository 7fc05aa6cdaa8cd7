package retention

import (
	"context"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// Listed is a kept item as the privacy officer's screens list it: with
// whether an active hold covers it.
type Listed struct {
	Item
	Held bool
}

// ScreenStore is what the privacy officer's screens read; sqlstore.DB is one.
type ScreenStore interface {
	ReportStore
	// KeptItems returns at most limit kept items due before dueBefore,
	// earliest due first.
	KeptItems(ctx context.Context, dueBefore time.Time, limit int) ([]Listed, error)
}

// View authorizes st to consult the retention screens and traces what is
// consulted (what: "overview", "holds", "items", "report:2026-03"…) before
// anything is read.
func (o *Officer) View(ctx context.Context, st coupole.Staff, what string) error {
	if err := o.Authorize(ctx, st, coupole.ActionViewRetention, what, false); err != nil {
		return err
	}
	if _, err := o.Service.Audit.Append(ctx, audit.Event{Actor: st.ID, Action: ActionView, Data: []string{"view:" + what}}); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this now: nothing is shown")
	}
	return nil
}
