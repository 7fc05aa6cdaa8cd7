package sqlstore_test

import (
	"context"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// The GridStore conformance suite on every engine (issue 3).
func TestGridStore(t *testing.T) {
	for _, e := range sqltest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			storetest.RunGridStoreTests(t, func(t *testing.T) coupole.GridStore { return e.Open(t) })
		})
	}
}

// Re-importing the same batch reports no change (issue 5).
func TestLoadCountedReportsNoChangeOnReload(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		first, err := db.LoadCounted(ctx, storetest.Fixture())
		if err != nil {
			t.Fatal(err)
		}
		if first == 0 {
			t.Error("first load changed nothing")
		}
		again, err := db.LoadCounted(ctx, storetest.Fixture())
		if err != nil || again != 0 {
			t.Errorf("reload changed %d rows (%v), want 0", again, err)
		}
		b := storetest.Fixture()
		b.Customers[0].Email = "new@example.be"
		one, err := db.LoadCounted(ctx, b)
		if err != nil || one != 1 {
			t.Errorf("load with one changed customer changed %d rows (%v), want 1", one, err)
		}
	})
}

// A Load relaxes durability on the SQLite write connection for its own
// transaction only: whatever writes next (the audit log) gets FULL back,
// and foreign keys stay on.
func TestLoadRestoresWriteConnectionSettings(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	ctx := context.Background()
	bad := storetest.Fixture()
	bad.Occupancies[0].CustomerID = "C-404"
	for _, b := range []*coupole.Batch{storetest.Fixture(), bad} {
		db.Load(ctx, b)
		var fk, sync int
		if err := db.Writer().QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := db.Writer().QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if fk != 1 || sync != 2 {
			t.Errorf("after Load: foreign_keys=%d synchronous=%d, want 1 and 2 (FULL)", fk, sync)
		}
	}
	_, err := db.Writer().ExecContext(ctx, `INSERT INTO meters (ean, installed_on, number) VALUES ('541448000000000998', '2020-01-01', 'X')`)
	if err == nil {
		t.Error("a meter of an unknown access point was accepted after a Load: foreign keys are off")
	}
}
