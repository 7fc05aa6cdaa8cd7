// Command lookup times the advisor lookups (C2: by EAN, meter number,
// customer name and address) on a seeded Coupole database, with a primary-key
// SELECT on the same connection pool as the baseline. Keys are drawn from
// the database deterministically (--seed) before any timing starts, so every
// lookup finds something. Results are written as a Markdown table for
// docs/benchmarks.md.
//
//	go run ./bench/lookup --db /tmp/coupole-2m.db --n 10000
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
)

type sample struct {
	ean     coupole.EAN
	meter   coupole.MeterNumber
	name    string // family name and the first letters of the given name
	address coupole.AddressQuery
}

func main() {
	dsn := flag.String("db", "", "seeded database: SQLite file or postgres:// URL")
	n := flag.Int("n", 10000, "lookups of each kind")
	seed := flag.Uint64("seed", 1, "seed for drawing the keys")
	flag.Parse()
	if err := run(context.Background(), *dsn, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "lookup:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn string, n int, seed uint64) error {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	var count int
	if err := db.Reader().QueryRowContext(ctx, "SELECT count(*) FROM access_points").Scan(&count); err != nil {
		return err
	}
	t0 := time.Now()
	samples, err := draw(ctx, db, n, seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "drew %d keys in %s\n", n, time.Since(t0).Round(time.Millisecond))

	kinds := []struct {
		name string
		fn   func(s sample) (int, error)
	}{
		{"baseline: `SELECT 1 … WHERE ean = ?` (primary key, same pool)", func(s sample) (int, error) {
			var one int
			err := db.Reader().QueryRowContext(ctx, "SELECT 1 FROM access_points WHERE ean = $1", string(s.ean)).Scan(&one)
			return one, err
		}},
		{"AccessPoint (by EAN, with meters)", func(s sample) (int, error) {
			_, err := db.AccessPoint(ctx, s.ean)
			return 1, err
		}},
		{"AccessPointsByMeter", func(s sample) (int, error) {
			aps, err := db.AccessPointsByMeter(ctx, s.meter)
			return len(aps), err
		}},
		{"CustomersByName (family name + 2 letters of given name, limit 20)", func(s sample) (int, error) {
			cs, err := db.CustomersByName(ctx, s.name, 20)
			return len(cs), err
		}},
		{"AccessPointsByAddress (postcode, street, number)", func(s sample) (int, error) {
			aps, err := db.AccessPointsByAddress(ctx, s.address)
			return len(aps), err
		}},
	}
	fmt.Printf("Database: %s, %d access points. %d lookups of each kind, one at a time, keys drawn with seed %d; %d cores, %s.\n\n",
		db.Describe(), count, n, seed, runtime.NumCPU(), runtime.Version())
	fmt.Println("| lookup | p50 | p95 | p99 | max | mean results |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, k := range kinds {
		for _, s := range samples[:min(200, len(samples))] { // warm the cache and the pool
			if _, err := k.fn(s); err != nil {
				return fmt.Errorf("%s: %w", k.name, err)
			}
		}
		lat := make([]time.Duration, len(samples))
		results := 0
		for i, s := range samples {
			start := time.Now()
			r, err := k.fn(s)
			lat[i] = time.Since(start)
			if err != nil {
				return fmt.Errorf("%s: %w", k.name, err)
			}
			if r == 0 {
				return fmt.Errorf("%s: a key drawn from the database found nothing", k.name)
			}
			results += r
		}
		slices.Sort(lat)
		q := func(p float64) string { return ms(lat[min(len(lat)-1, int(p*float64(len(lat))))]) }
		fmt.Printf("| %s | %s | %s | %s | %s | %.1f |\n", k.name, q(0.50), q(0.95), q(0.99), ms(lat[len(lat)-1]), float64(results)/float64(len(samples)))
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }

// draw picks n existing access points: a random EAN-shaped value between the
// smallest and largest EAN, then the first EAN at or after it; their
// current meter, one of their occupants' name and their address.
func draw(ctx context.Context, db *sqlstore.DB, n int, seed uint64) ([]sample, error) {
	r := rand.New(rand.NewPCG(seed, 0x10c4))
	rd := db.Reader()
	var lo, hi string
	if err := rd.QueryRowContext(ctx, "SELECT min(ean), max(ean) FROM access_points").Scan(&lo, &hi); err != nil {
		return nil, err
	}
	// 17 digits (without the check digit) fit in a uint64.
	a, err1 := strconv.ParseUint(lo[:17], 10, 64)
	b, err2 := strconv.ParseUint(hi[:17], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("EANs are not digits")
	}
	out := make([]sample, 0, n)
	for len(out) < n {
		start := fmt.Sprintf("%017d", a+r.Uint64N(b-a+1))
		var s sample
		var ean string
		err := rd.QueryRowContext(ctx, "SELECT ean, postcode, street, house_number FROM access_points WHERE ean >= $1 ORDER BY ean LIMIT 1", start).
			Scan(&ean, &s.address.Postcode, &s.address.StreetPrefix, &s.address.Number)
		if err != nil {
			return nil, fmt.Errorf("draw an access point: %w", err)
		}
		s.ean = coupole.EAN(ean)
		s.address.Limit = 20
		var meter string
		if err := rd.QueryRowContext(ctx, "SELECT number FROM meters WHERE ean = $1 ORDER BY installed_on DESC LIMIT 1", ean).Scan(&meter); err != nil {
			return nil, fmt.Errorf("draw a meter: %w", err)
		}
		s.meter = coupole.MeterNumber(meter)
		var given, family string
		if err := rd.QueryRowContext(ctx, `SELECT c.given_name, c.family_name FROM occupancies o JOIN customers c ON c.id = o.customer_id
			WHERE o.ean = $1 ORDER BY o.move_in DESC LIMIT 1`, ean).Scan(&given, &family); err != nil {
			return nil, fmt.Errorf("draw a customer: %w", err)
		}
		s.name = family
		if g := []rune(given); len(g) >= 2 {
			s.name += " " + string(g[:2])
		}
		s.name = strings.TrimSpace(s.name)
		out = append(out, s)
	}
	return out, nil
}
