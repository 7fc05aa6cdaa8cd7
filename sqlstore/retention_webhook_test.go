package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestTakeWebhookEvent: an id is taken once (a replay is a conflict) for
// as long as it is kept; once older than keep it is pruned, at most every
// keep/10, and may come again (R1 intake, issue 13).
func TestTakeWebhookEvent(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		keep := 10 * time.Minute
		if err := db.TakeWebhookEvent(ctx, "ev-1", at, keep); err != nil {
			t.Fatal(err)
		}
		if err := db.TakeWebhookEvent(ctx, "ev-1", at.Add(9*time.Minute), keep); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Fatalf("replay within keep: %v", err)
		}
		if err := db.TakeWebhookEvent(ctx, "ev-2", at.Add(9*time.Minute), keep); err != nil {
			t.Fatal(err)
		}
		if err := db.TakeWebhookEvent(ctx, "ev-1", at.Add(11*time.Minute), keep); err != nil {
			t.Fatalf("after keep, the id was not pruned: %v", err)
		}
		if err := db.TakeWebhookEvent(ctx, "ev-2", at.Add(12*time.Minute), keep); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Fatalf("ev-2 is three minutes old, still kept: %v", err)
		}
	})
}
