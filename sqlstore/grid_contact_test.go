package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/coupole/coupole"
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
