package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

var (
	benchGiven  = []string{"Gérard", "Marie", "Éloïse", "Jean-Pierre", "Luc", "Anne", "François", "Nathalie", "Pierre", "Sophie", "Thomas", "Julie"}
	benchFamily = []string{"Dupont", "Lambert", "Van den Berg", "D'Hondt", "Peeters", "Janssens", "Maes", "Dubois", "Lejeune", "Renard", "Simon", "Laurent", "Martin", "Leroy"}
	benchStreet = []string{"Rue de l'Église", "Rue de Fer", "Avenue de la Gare", "Chaussée de Louvain", "Rue du Moulin", "Place Saint-Aubain", "Boulevard d'Avroy"}
)

// benchBatch returns a chunk of a synthetic grid shaped like the seeding
// figure: per access point one meter, two customers (a past and a current
// occupant), one supply period and six annual readings.
func benchBatch(first, n int) *coupole.Batch {
	b := &coupole.Batch{Suppliers: []coupole.Supplier{{ID: "SUP-A", Name: "Alpha"}}}
	start := storetest.Day("2019-01-01")
	for i := first; i < first+n; i++ {
		ean := storetest.EAN(i)
		addr := coupole.Address{Street: benchStreet[i%len(benchStreet)], Number: fmt.Sprint(i%200 + 1), Postcode: fmt.Sprint(1000 + i%9000), Town: "Ville"}
		meter := coupole.MeterNumber(fmt.Sprintf("M%09d", i))
		b.AccessPoints = append(b.AccessPoints, coupole.AccessPoint{EAN: ean, Energy: coupole.Electricity, Regime: coupole.RegimeAnnual, Address: addr,
			Meters: []coupole.MeterInstallation{{Number: meter, From: start}}})
		moved := start.AddDate(0, 0, 300+i%700)
		for k := 0; k < 2; k++ {
			id := fmt.Sprintf("C%d-%d", i, k)
			b.Customers = append(b.Customers, coupole.Customer{ID: id, GivenName: benchGiven[(i+k)%len(benchGiven)], FamilyName: benchFamily[(i/3+k)%len(benchFamily)] + fmt.Sprint(i%1000),
				Language: coupole.French, PostalAddress: addr})
		}
		b.Occupancies = append(b.Occupancies,
			coupole.Occupancy{CustomerID: fmt.Sprintf("C%d-0", i), EAN: ean, MoveIn: start, MoveOut: moved},
			coupole.Occupancy{CustomerID: fmt.Sprintf("C%d-1", i), EAN: ean, MoveIn: moved})
		b.SupplyPeriods = append(b.SupplyPeriods, coupole.SupplyPeriod{EAN: ean, SupplierID: "SUP-A", From: start})
		for y := 0; y < 6; y++ {
			b.Readings = append(b.Readings, coupole.Reading{EAN: ean, Date: start.AddDate(y, 0, i%300), Meter: meter,
				Registers: coupole.Registers{DayKWh: float64(y * 3000), NightKWh: float64(y * 1200)}, Source: coupole.SourceTechnician, Regime: coupole.RegimeAnnual})
		}
	}
	return b
}

func benchBatchRows(b *coupole.Batch) int { return b.Len() + len(b.AccessPoints) } // + meters

// BenchmarkLoad loads chunks of 2,000 access points (about 13 rows each)
// into a growing database, as seeding does, on each engine.
func BenchmarkLoad(b *testing.B) {
	for _, e := range sqltest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			db := e.Open(b)
			const chunk = 2000
			batches := make([]*coupole.Batch, b.N)
			for i := range batches {
				batches[i] = benchBatch(i*chunk, chunk)
			}
			b.ResetTimer()
			rows := 0
			for i := 0; i < b.N; i++ {
				if err := db.Load(ctx, batches[i]); err != nil {
					b.Fatal(err)
				}
				rows += benchBatchRows(batches[i])
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// lookupDB is a database of n access points for the lookup benchmarks.
func lookupDB(b *testing.B, e sqltest.Engine, n int) *sqlstore.DB {
	b.Helper()
	ctx := context.Background()
	db := e.Open(b)
	for i := 0; i < n; i += 5000 {
		if err := db.Load(ctx, benchBatch(i, min(5000, n-i))); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.RefreshGridStatistics(ctx); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkLookups times each advisor lookup on a 50,000-access-point
// database of each engine (issue 6; the 2,000,000 figure is measured on the
// demo seed, see docs/benchmarks.md).
func BenchmarkLookups(b *testing.B) {
	for _, e := range sqltest.Engines() {
		b.Run(e.Name, func(b *testing.B) { benchLookups(b, e) })
	}
}

func benchLookups(b *testing.B, e sqltest.Engine) {
	ctx := context.Background()
	const n = 50000
	db := lookupDB(b, e, n)
	lookups := []struct {
		name string
		fn   func(i int) error
	}{
		{"ByEAN", func(i int) error { _, err := db.AccessPoint(ctx, storetest.EAN(i*7919%n)); return err }},
		{"ByMeter", func(i int) error {
			_, err := db.AccessPointsByMeter(ctx, coupole.MeterNumber(fmt.Sprintf("M%09d", i*7919%n)))
			return err
		}},
		{"ByName", func(i int) error {
			_, err := db.CustomersByName(ctx, benchFamily[i%len(benchFamily)]+fmt.Sprint(i%1000)+" "+benchGiven[i%len(benchGiven)][:2], 20)
			return err
		}},
		{"ByNamePrefix", func(i int) error { _, err := db.CustomersByName(ctx, "gér", 20); return err }},
		{"ByAddress", func(i int) error {
			_, err := db.AccessPointsByAddress(ctx, coupole.AddressQuery{Postcode: fmt.Sprint(1000 + i%9000), StreetPrefix: "rue de", Number: fmt.Sprint(i%200 + 1)})
			return err
		}},
		{"OccupanciesOfCustomer", func(i int) error { _, err := db.OccupanciesOfCustomer(ctx, fmt.Sprintf("C%d-1", i%n)); return err }},
		{"Readings", func(i int) error {
			_, err := db.Readings(ctx, storetest.EAN(i%n), storetest.Day("2021-01-01"), time.Time{})
			return err
		}},
	}
	for _, l := range lookups {
		b.Run(l.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := l.fn(i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSeedCurve prints the load rate as a SQLite database grows, when
// COUPOLE_SEED_CURVE is the number of access points to load (a manual
// measurement, not part of the default run).
func TestSeedCurve(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("COUPOLE_SEED_CURVE"))
	if n == 0 {
		t.Skip("set COUPOLE_SEED_CURVE to a number of access points to measure the load rate")
	}
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	for _, p := range strings.Split(os.Getenv("COUPOLE_SEED_PRAGMAS"), ";") {
		if p != "" {
			if _, err := db.Writer().ExecContext(ctx, "PRAGMA "+p); err != nil {
				t.Fatal(err)
			}
		}
	}
	const chunk = 2000
	start, lap, rows := time.Now(), time.Now(), 0
	for i := 0; i < n; i += chunk {
		b := benchBatch(i, chunk)
		if err := db.Load(ctx, b); err != nil {
			t.Fatal(err)
		}
		rows += benchBatchRows(b)
		if (i/chunk)%25 == 24 {
			t.Logf("%8d access points, %9d rows, %6.1fs, last 50,000 at %.0f rows/s", i+chunk, rows, time.Since(start).Seconds(),
				float64(25*benchBatchRows(b))/time.Since(lap).Seconds())
			lap = time.Now()
		}
	}
}

// TestLookupLatency measures each lookup's latency percentiles on an
// existing database (e.g. the 2,000,000-access-point demo seed) named by
// COUPOLE_LOOKUP_DB, with keys sampled from it. A manual measurement for
// docs/benchmarks.md, not part of the default run.
func TestLookupLatency(t *testing.T) {
	dsn := os.Getenv("COUPOLE_LOOKUP_DB")
	if dsn == "" {
		t.Skip("set COUPOLE_LOOKUP_DB to a seeded database to measure lookup latencies")
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const n = 2000
	sample := func(q string) []string { return queryStrings(t, db, q) }
	// Evenly spread over the table.
	eans := sample(`SELECT ean FROM access_points ORDER BY ean`)
	var picked []string
	for i := 0; i < len(eans) && len(picked) < n; i += max(1, len(eans)/n) {
		picked = append(picked, eans[i])
	}
	type addr struct{ postcode, street, number string }
	var addrs []addr
	var meters, names []string
	for _, e := range picked {
		ap, err := db.AccessPoint(ctx, coupole.EAN(e))
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, addr{ap.Address.Postcode, ap.Address.Street, ap.Address.Number})
		if len(ap.Meters) > 0 {
			meters = append(meters, string(ap.Meters[len(ap.Meters)-1].Number))
		}
		occ, _ := db.OccupanciesOfAccessPoint(ctx, coupole.EAN(e))
		if len(occ) > 0 {
			c, err := db.Customer(ctx, occ[len(occ)-1].CustomerID)
			if err == nil {
				names = append(names, c.Name())
			}
		}
	}
	measure := func(name string, count int, fn func(i int) error) {
		lat := make([]time.Duration, count)
		for i := 0; i < count; i++ {
			start := time.Now()
			if err := fn(i); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			lat[i] = time.Since(start)
		}
		slices.Sort(lat)
		t.Logf("%-22s n=%d p50=%v p99=%v max=%v", name, count, lat[count/2], lat[count*99/100], lat[count-1])
	}
	measure("by EAN", len(picked), func(i int) error { _, err := db.AccessPoint(ctx, coupole.EAN(picked[i])); return err })
	measure("by meter", len(meters), func(i int) error { _, err := db.AccessPointsByMeter(ctx, coupole.MeterNumber(meters[i])); return err })
	measure("by name (full)", len(names), func(i int) error { _, err := db.CustomersByName(ctx, names[i], 20); return err })
	measure("by name (family g)", len(names), func(i int) error {
		w := strings.Fields(names[i])
		_, err := db.CustomersByName(ctx, w[len(w)-1]+" "+w[0][:1], 20)
		return err
	})
	measure("by name (3 letters)", len(names), func(i int) error { _, err := db.CustomersByName(ctx, names[i][:3], 20); return err })
	measure("by address", len(addrs), func(i int) error {
		a := addrs[i]
		_, err := db.AccessPointsByAddress(ctx, coupole.AddressQuery{Postcode: a.postcode, StreetPrefix: a.street[:min(len(a.street), 8)], Number: a.number})
		return err
	})
	measure("by address (no number)", len(addrs), func(i int) error {
		a := addrs[i]
		_, err := db.AccessPointsByAddress(ctx, coupole.AddressQuery{Postcode: a.postcode, StreetPrefix: a.street[:min(len(a.street), 8)]})
		return err
	})
}

// BenchmarkLoadReadingsVsBaseline compares Load, on readings (most of the
// seeded rows), with the plainest way to write them: one prepared
// single-row INSERT per reading in one transaction, without upsert, on
// SQLite. The ratio shows what multi-row upserts and anonymous parameters
// buy; the baseline cannot re-import (a second run fails on the keys).
func BenchmarkLoadReadingsVsBaseline(b *testing.B) {
	const aps = 2000
	setup := func(b *testing.B) (*sqlstore.DB, []*coupole.Batch) {
		db := sqltest.MustOpenSQLite(b)
		batches := make([]*coupole.Batch, b.N)
		for i := range batches {
			full := benchBatch(i*aps, aps)
			if err := db.Load(context.Background(), &coupole.Batch{AccessPoints: full.AccessPoints}); err != nil {
				b.Fatal(err)
			}
			batches[i] = &coupole.Batch{Readings: full.Readings}
		}
		b.ResetTimer()
		return db, batches
	}
	b.Run("Load", func(b *testing.B) {
		db, batches := setup(b)
		for i := 0; i < b.N; i++ {
			if err := db.Load(context.Background(), batches[i]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*len(batches[0].Readings))/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("baseline-single-row-insert", func(b *testing.B) {
		ctx := context.Background()
		db, batches := setup(b)
		for i := 0; i < b.N; i++ {
			err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
				st, err := tx.PrepareContext(ctx, `INSERT INTO readings (ean, read_on, meter_number, source, regime, day_kwh, night_kwh, excl_night_kwh, gas_m3) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
				if err != nil {
					return err
				}
				defer st.Close()
				for _, r := range batches[i].Readings {
					g := r.Registers
					if _, err := st.ExecContext(ctx, string(r.EAN), r.Date.Format(time.DateOnly), string(r.Meter), string(r.Source), string(r.Regime), g.DayKWh, g.NightKWh, g.ExclusiveNightKWh, g.GasM3); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*len(batches[0].Readings))/b.Elapsed().Seconds(), "rows/s")
	})
}
