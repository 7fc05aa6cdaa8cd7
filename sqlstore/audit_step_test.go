package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestAuditAppendThen: a step's write goes in its event's transaction (T1,
// trace first). A failing write is undone alone and returned to its caller
// only; its event stays, and the other events and writes of the batch are
// committed. Every acknowledged write is durable with its event.
func TestAuditAppendThen(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		mustCreateStaff(t, db, "s-advisor", coupole.StaffOIDC, coupole.RoleAdvisor)
		store := sqlstore.NewAuditStore(db)
		l := MustOpenAuditLog(t, store, nil, coupole.SystemClock{})
		const n = 40
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := coupole.Interaction{ID: fmt.Sprintf("i-%d", i), StaffID: "s-advisor", Channel: "phone", Requester: "customer", OpenedAt: time.Unix(1e9, 0)}
				if i%2 == 1 {
					in.Channel = "pigeon" // refused by the table's check: the write fails
				}
				var seen uint64 = ^uint64(0)
				idx, err := l.AppendThen(ctx, testEvent(i), func(ctx context.Context, index uint64) error {
					seen = index
					return db.CreateInteraction(ctx, in)
				})
				if i%2 == 1 {
					if coupole.ErrorCode(err) != coupole.EINVALID {
						t.Errorf("event %d: failing write: %v, want its own error (invalid)", i, err)
					}
				} else if err != nil {
					t.Errorf("event %d: %v", i, err)
				}
				if seen != idx {
					t.Errorf("event %d: the write saw index %d, the append returned %d", i, seen, idx)
				}
				_, rerr := db.Interaction(ctx, in.ID)
				if i%2 == 1 && coupole.ErrorCode(rerr) != coupole.ENOTFOUND {
					t.Errorf("event %d: the failed write left a row: %v", i, rerr)
				}
				if i%2 == 0 && rerr != nil {
					t.Errorf("event %d: acknowledged write not found: %v", i, rerr)
				}
			}()
		}
		wg.Wait()
		if size, err := store.Size(ctx); err != nil || size != n {
			t.Errorf("log size %d (%v), want %d: every event stays, the failed writes' too", size, err, n)
		}
	})
}

// TestAuditAppendThenLogFails: when the log cannot be written, the caller
// gets the log's error and the step's write is never made (T2).
func TestAuditAppendThenLogFails(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	l := MustOpenAuditLog(t, failingStorage{sqlstore.NewAuditStore(db)}, nil, coupole.SystemClock{})
	var ran atomic.Bool
	_, err := l.AppendThen(context.Background(), testEvent(1), func(ctx context.Context, index uint64) error {
		ran.Store(true)
		return nil
	})
	if coupole.ErrorCode(err) != coupole.EUNAVAILABLE || ran.Load() {
		t.Errorf("append on failing storage: %v, write made: %v; want unavailable and no write", err, ran.Load())
	}
	var _ audit.StepStorage = sqlstore.NewAuditStore(db)
}
