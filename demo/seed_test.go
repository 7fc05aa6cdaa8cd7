package demo_test

import (
	"context"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// Seeding a small database through the real store works on every engine,
// the advisor lookups (C2) find the generated records, and seeding again
// changes nothing.
func TestSeedIntoEveryEngine(t *testing.T) {
	cfg := demo.Config{AccessPoints: 1200, Seed: 5, BatchSize: 500}
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var last *coupole.Batch
		calls := 0
		counts, err := demo.Seed(ctx, db, cfg, func(int) { calls++ })
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		if counts.AccessPoints != cfg.AccessPoints || calls != 3 {
			t.Fatalf("seeded %d access points in %d batches, want %d in 3", counts.AccessPoints, calls, cfg.AccessPoints)
		}
		if _, err := demo.Generate(ctx, cfg, func(b *coupole.Batch) error { last = b; return nil }); err != nil {
			t.Fatal(err)
		}
		ap := last.AccessPoints[len(last.AccessPoints)-1]
		got, err := db.AccessPoint(ctx, ap.EAN)
		if err != nil {
			t.Fatalf("access point by EAN: %v", err)
		}
		if got.Address != ap.Address || len(got.Meters) != len(ap.Meters) {
			t.Fatalf("access point read back differs from the one generated")
		}
		byMeter, err := db.AccessPointsByMeter(ctx, ap.Meters[len(ap.Meters)-1].Number)
		if err != nil || len(byMeter) != 1 || byMeter[0].EAN != ap.EAN {
			t.Fatalf("by meter number: %d results, err %v", len(byMeter), err)
		}
		cu := last.Customers[0]
		found := false
		byName, err := db.CustomersByName(ctx, cu.FamilyName, 1000)
		for _, c := range byName {
			found = found || c.ID == cu.ID
		}
		if err != nil || !found {
			t.Fatalf("customer not found by name (err %v)", err)
		}
		byAddr, err := db.AccessPointsByAddress(ctx, coupole.AddressQuery{Postcode: ap.Address.Postcode, StreetPrefix: ap.Address.Street, Number: ap.Address.Number, Limit: 100})
		found = false
		for _, a := range byAddr {
			found = found || a.EAN == ap.EAN
		}
		if err != nil || !found {
			t.Fatalf("access point not found by address (err %v)", err)
		}
		rs, err := db.Readings(ctx, ap.EAN, demo.DefaultReference.AddDate(-demo.HistoryYears, 0, 0), demo.DefaultReference)
		if err != nil || len(rs) == 0 {
			t.Fatalf("readings: %d, err %v", len(rs), err)
		}

		// Idempotent: loading the same data again changes no row.
		if _, err := demo.Generate(ctx, cfg, func(b *coupole.Batch) error {
			n, err := db.LoadCounted(ctx, b)
			if err == nil && n != 0 {
				t.Errorf("reloading a batch changed %d rows", n)
			}
			return err
		}); err != nil {
			t.Fatalf("reload: %v", err)
		}
	})
}
