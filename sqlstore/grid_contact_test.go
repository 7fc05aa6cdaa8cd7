package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestForgetContactNonces: once the audit events of contact changes are
// erased, the nonces that make their commitments checkable go too (D7, T2:
// erasure after retention), and only those below the erased index.
func TestForgetContactNonces(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		storetest.MustLoad(t, db, storetest.Fixture())
		at := time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
		for _, idx := range []uint64{7, 9} {
			mobile := "+3247099990" + string(rune('0'+idx))
			u := coupole.ContactUpdate{CustomerID: "C-1", InteractionID: "i-1", StaffID: "s-1", AuditIndex: idx, At: at, Mobile: &mobile,
				History: []coupole.ContactChange{{Field: coupole.ContactMobile, OldMasked: "a", NewMasked: "b", Commitment: "c", Nonce: "n"}}}
			if err := db.UpdateContact(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 { // running it again changes nothing
			if _, err := db.ForgetContactNonces(ctx, 8); err != nil {
				t.Fatal(err)
			}
		}
		h, err := db.ContactChanges(ctx, "C-1")
		if err != nil || len(h) != 2 {
			t.Fatalf("history: %+v, %v", h, err)
		}
		if h[0].AuditIndex != 7 || h[0].Nonce != "" || h[1].AuditIndex != 9 || h[1].Nonce != "n" {
			t.Errorf("after forgetting below 8: %+v; want the nonce of change 7 gone, of 9 kept", h)
		}
	})
}

// TestForgetContactNoncesHonoursHolds: a legal hold keeps the nonces of the
// contact changes it covers — its customer, its interaction, its period, or
// an event erasure kept (audit_kept) — until it is lifted by a second
// person (R3, S7, issue 13 item 1).
func TestForgetContactNoncesHonoursHolds(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		storetest.MustLoad(t, db, storetest.Fixture())
		at := time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
		// index → customer, interaction, time
		changes := []struct {
			idx         uint64
			cust, inter string
			at          time.Time
		}{
			{1, "C-1", "i-1", at},                  // customer hold
			{2, "C-2", "i-held", at},               // interaction hold
			{3, "C-3", "i-3", at.AddDate(0, 1, 0)}, // period hold
			{4, "C-4", "i-4", at},                  // kept by erasure
			{5, "C-4", "i-5", at},                  // not held: forgotten
		}
		for _, c := range changes {
			mobile := "+3247099990" + string(rune('0'+c.idx))
			u := coupole.ContactUpdate{CustomerID: c.cust, InteractionID: c.inter, StaffID: "s-1", AuditIndex: c.idx, At: c.at, Mobile: &mobile,
				History: []coupole.ContactChange{{Field: coupole.ContactMobile, OldMasked: "a", NewMasked: "b", Commitment: "c", Nonce: "n"}}}
			if err := db.UpdateContact(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		holds := []retention.Hold{
			{ID: "h-cust", Scope: retention.ScopeCustomer, Target: "C-1"},
			{ID: "h-int", Scope: retention.ScopeInteraction, Target: "i-held"},
			{ID: "h-per", Scope: retention.ScopePeriod, From: at.AddDate(0, 0, 20), To: at.AddDate(0, 2, 0)},
		}
		for _, h := range holds {
			h.Reason, h.Reference, h.PlacedBy, h.PlacedAt = "litige", "REF-1", "dpo-1", at
			if err := db.PlaceHold(ctx, h); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO audit_kept (idx) VALUES (4)`); err != nil {
			t.Fatal(err)
		}
		nonces := func() map[uint64]string {
			out := map[uint64]string{}
			for _, c := range []string{"C-1", "C-2", "C-3", "C-4"} {
				h, err := db.ContactChanges(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				for _, ch := range h {
					out[ch.AuditIndex] = ch.Nonce
				}
			}
			return out
		}
		n, err := db.ForgetContactNonces(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := nonces()
		if n != 1 || got[5] != "" || got[1] != "n" || got[2] != "n" || got[3] != "n" || got[4] != "n" {
			t.Fatalf("with holds: forgot %d, nonces %v; want only change 5 forgotten", n, got)
		}
		// The customer's hold lifted by a second person, and erasure no
		// longer keeping event 4: their nonces go.
		if err := db.RequestLift(ctx, "h-cust", "dpo-1", "clos", at); err != nil {
			t.Fatal(err)
		}
		if err := db.LiftHold(ctx, "h-cust", "dpo-2", at); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Writer().ExecContext(ctx, `DELETE FROM audit_kept WHERE idx = 4`); err != nil {
			t.Fatal(err)
		}
		if n, err = db.ForgetContactNonces(ctx, 100); err != nil {
			t.Fatal(err)
		}
		got = nonces()
		if n != 2 || got[1] != "" || got[4] != "" || got[2] != "n" || got[3] != "n" {
			t.Fatalf("after the lift: forgot %d, nonces %v; want changes 1 and 4 forgotten, 2 and 3 still held", n, got)
		}
	})
}
