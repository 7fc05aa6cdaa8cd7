package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// The interaction store's issue-10 suite (need-to-know that ends, the
// verification budget) on every engine.
func TestInteractionStore(t *testing.T) {
	for _, e := range sqltest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			storetest.RunInteractionStoreTests(t, func(t *testing.T) storetest.InteractionDB { return e.Open(t) })
		})
	}
}

// secondNode opens another handle on db's database: another server process
// with its own group committer.
func secondNode(tb testing.TB, db *sqlstore.DB) *sqlstore.DB {
	tb.Helper()
	dsn := strings.TrimPrefix(strings.TrimPrefix(db.Describe(), "SQLite file "), "PostgreSQL ")
	if strings.Contains(dsn, "xxxxx") {
		tb.Skip("the PostgreSQL test URL carries a password: no second node")
	}
	other, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { other.Close() })
	return other
}

// TestVerificationBudgetAcrossNodes: C2, issue 10 — failures on one access
// point recorded at once by two server nodes never count past the budget:
// the count and the write are one transaction, serialized on the point.
func TestVerificationBudgetAcrossNodes(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		other := secondNode(t, db)
		at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
		storetest.MustStaffMember(t, db, "s-a")
		ean := storetest.EAN(5)
		const n = 16
		for i := range n {
			id := fmt.Sprintf("i-%02d", i)
			storetest.MustInteraction(t, db, id, "s-a", at)
			if _, err := db.SelectPoint(ctx, id, coupole.InteractionPoint{EAN: ean, CustomerID: "C1"}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			node := db
			if i%2 == 1 {
				node = other
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprintf("i-%02d", i)
				_, _, errs[i] = node.RecordVerification(ctx, coupole.VerificationAttempt{InteractionID: id, StaffID: "s-a", EAN: ean, At: at.Add(time.Duration(i+1) * time.Second),
					MaxFailures: 3, Budget: coupole.VerificationBudget{Failures: 5, Window: 24 * time.Hour}, LockAlertID: "al-l-" + id, BudgetAlertID: "al-b-" + id})
			}()
		}
		wg.Wait()
		recorded := 0
		for _, err := range errs {
			switch {
			case err == nil:
				recorded++
			case coupole.ErrorCode(err) == coupole.EFORBIDDEN:
			default:
				t.Errorf("RecordVerification: %v", err)
			}
		}
		if b, err := db.VerificationBudget(ctx, ean, coupole.VerificationBudget{Failures: 5, Window: 24 * time.Hour}, at.Add(time.Minute)); err != nil || b.Failures != 5 || recorded != 5 {
			t.Errorf("%d failures recorded, budget %+v, %v; want exactly 5", recorded, b, err)
		}
	})
}
