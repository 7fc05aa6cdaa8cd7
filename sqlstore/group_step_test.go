package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// Issue 10, item 1: a step write runs inside the group transaction that
// holds SQLite's only write connection (audit.Record.Then). Whatever store
// method it calls must go through that transaction: one that asks a pool for
// a second connection waits for the connection its own transaction holds
// (SQLite: forever), and on PostgreSQL reads on another connection do not
// see what the transaction wrote. Each case runs its steps in one batch of
// the audit store, as concurrent requests would land, under a deadline so
// that a deadlock fails the test instead of hanging it.

// stepsWithin bounds one batch of steps; a batch that takes longer is stuck.
const stepsWithin = 5 * time.Second

// mustRunSteps appends one audit event per step in a single batch
// transaction, each step being that event's write, and returns each step's
// error.
func mustRunSteps(t *testing.T, db *sqlstore.DB, steps ...func(ctx context.Context) error) []error {
	t.Helper()
	store := sqlstore.NewAuditStore(db)
	ctx, cancel := context.WithTimeout(context.Background(), stepsWithin)
	defer cancel()
	base, err := store.Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]audit.Record, len(steps))
	for i, step := range steps {
		payload := []byte(fmt.Sprintf(`{"action":"test.step%d"}`, i))
		leaf := sha256.Sum256(payload)
		recs[i] = audit.Record{
			Entry:    audit.Entry{Index: base + uint64(i), Time: t0, Commitment: sha256.Sum256(append([]byte("salt"), payload...)), Salt: make([]byte, 16), Payload: payload},
			LeafHash: leaf[:],
			Then:     func(ctx context.Context, _ uint64) error { return step(ctx) },
		}
	}
	done := make(chan error, 1)
	go func() { done <- store.Append(ctx, base, recs, nil) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("batch not committed: %v", err)
		}
	case <-time.After(stepsWithin + time.Second):
		t.Fatalf("batch still running after %s: a step waits for a connection its own transaction holds", stepsWithin)
	}
	errs := make([]error, len(recs))
	for i := range recs {
		errs[i] = recs[i].ThenErr
	}
	return errs
}

func TestStepWritesUseTheirOwnTransaction(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		mustCreateStaff(t, db, "s-advisor", coupole.StaffOIDC, coupole.RoleAdvisor)
		n := 0
		newInteraction := func() coupole.Interaction {
			n++
			return coupole.Interaction{ID: fmt.Sprintf("i-%d", n), StaffID: "s-advisor", Channel: "phone", Requester: "customer", OpenedAt: t0}
		}
		delivery := func(id, interactionID, key string) coupole.Delivery {
			return coupole.Delivery{ID: id, InteractionID: interactionID, StaffID: "s-advisor", Kind: coupole.DeliverySMS, Item: "ean",
				EAN: "541448000000000013", CustomerID: "c-1", Recipient: "+32470000000", IdempotencyKey: key, RequestHash: "h", CreatedAt: t0}
		}

		t.Run("double click: one idempotency key twice in one commit", func(t *testing.T) {
			in := newInteraction()
			if err := db.CreateInteraction(ctx, in); err != nil {
				t.Fatal(err)
			}
			var first, second coupole.Delivery
			var created1, created2 bool
			errs := mustRunSteps(t, db,
				func(ctx context.Context) (err error) {
					first, created1, err = db.CreateDelivery(ctx, delivery("d-1", in.ID, "k"))
					return err
				},
				func(ctx context.Context) (err error) {
					second, created2, err = db.CreateDelivery(ctx, delivery("d-2", in.ID, "k"))
					return err
				})
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("deliveries: %v, %v", errs[0], errs[1])
			}
			if !created1 || created2 || second.ID != first.ID || second.ID != "d-1" {
				t.Errorf("second delivery with the same key: created %v, got %q; want the first (d-1) replayed", created2, second.ID)
			}
			ds, err := db.Deliveries(ctx, in.ID)
			if err != nil || len(ds) != 1 {
				t.Errorf("%d deliveries stored (%v), want 1", len(ds), err)
			}
		})

		t.Run("key already committed by an earlier commit", func(t *testing.T) {
			in := newInteraction()
			if err := db.CreateInteraction(ctx, in); err != nil {
				t.Fatal(err)
			}
			if _, created, err := db.CreateDelivery(ctx, delivery("d-3", in.ID, "k2")); err != nil || !created {
				t.Fatalf("first delivery: %v created %v", err, created)
			}
			var again coupole.Delivery
			errs := mustRunSteps(t, db, func(ctx context.Context) (err error) {
				again, _, err = db.CreateDelivery(ctx, delivery("d-4", in.ID, "k2"))
				return err
			})
			if errs[0] != nil || again.ID != "d-3" {
				t.Errorf("replay in a step: %v %q, want d-3", errs[0], again.ID)
			}
		})

		t.Run("close twice in one commit, opened in it", func(t *testing.T) {
			in := newInteraction()
			errs := mustRunSteps(t, db,
				func(ctx context.Context) error { return db.CreateInteraction(ctx, in) },
				func(ctx context.Context) error { return db.CloseInteraction(ctx, in.ID, []string{"ean_request"}, t0) },
				func(ctx context.Context) error { return db.CloseInteraction(ctx, in.ID, []string{"ean_request"}, t0) })
			if errs[0] != nil || errs[1] != nil || coupole.ErrorCode(errs[2]) != coupole.ECONFLICT {
				t.Errorf("open, close, close: %v, %v, %v; want nil, nil, conflict (already closed)", errs[0], errs[1], errs[2])
			}
		})

		t.Run("a read in a step sees the commit's earlier writes", func(t *testing.T) {
			in := newInteraction()
			var got coupole.Interaction
			errs := mustRunSteps(t, db,
				func(ctx context.Context) error { return db.CreateInteraction(ctx, in) },
				func(ctx context.Context) (err error) { got, err = db.Interaction(ctx, in.ID); return err })
			if errs[0] != nil || errs[1] != nil || got.ID != in.ID {
				t.Errorf("read after write in one commit: %v, %v, %q", errs[0], errs[1], got.ID)
			}
		})

		t.Run("a store transaction in a step joins the commit", func(t *testing.T) {
			s := coupole.Staff{ID: "s-new", Kind: coupole.StaffOIDC, Login: "login-s-new", DisplayName: "Agent", Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: t0}
			var got coupole.Staff
			errs := mustRunSteps(t, db,
				func(ctx context.Context) error { return db.CreateStaff(ctx, s) },
				func(ctx context.Context) (err error) { got, err = db.Staff(ctx, s.ID); return err })
			if errs[0] != nil || errs[1] != nil || got.ID != s.ID {
				t.Errorf("create staff and read it in one commit: %v, %v, %q", errs[0], errs[1], got.ID)
			}
		})

		t.Run("a grid load in a step joins the commit", func(t *testing.T) {
			var got coupole.Supplier
			errs := mustRunSteps(t, db,
				func(ctx context.Context) error {
					return db.Load(ctx, &coupole.Batch{Suppliers: []coupole.Supplier{{ID: "SUP-STEP", Name: "Step Power"}}})
				},
				func(ctx context.Context) (err error) { got, err = db.Supplier(ctx, "SUP-STEP"); return err })
			if errs[0] != nil || errs[1] != nil || got.ID != "SUP-STEP" {
				t.Errorf("load and read in one commit: %v, %v, %q", errs[0], errs[1], got.ID)
			}
		})

		t.Run("a failing store transaction in a step is undone alone", func(t *testing.T) {
			in := newInteraction()
			dup := coupole.Staff{ID: "s-advisor", Kind: coupole.StaffOIDC, Login: "login-s-advisor", DisplayName: "Agent", Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: t0}
			errs := mustRunSteps(t, db,
				func(ctx context.Context) error {
					if err := db.CreateInteraction(ctx, in); err != nil {
						return err
					}
					db.CreateStaff(ctx, dup) // fails (exists); the step goes on
					return nil
				})
			if errs[0] != nil {
				t.Fatalf("step: %v", errs[0])
			}
			if _, err := db.Interaction(ctx, in.ID); err != nil {
				t.Errorf("the step's write was lost with its failed nested transaction: %v", err)
			}
		})
	})
}
