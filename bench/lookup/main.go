// Command lookup times the advisor lookups (C2: by EAN, meter number,
// customer name and address) on a seeded Coupole database (issues 2 and
// 17). Fairness:
//
//   - every key is drawn from the database (--seed) before any timing, so
//     every lookup finds something and drawing costs nothing timed;
//   - the name searches are split by how common the family name is: rare
//     (at most --rare keys start with it) and common (at least --common);
//   - --readers goroutines look up at once, as advisors do, on the same
//     pool;
//   - rounds of every kind, the primary-key baseline among them, alternate
//     (--rounds), and each figure is min / median / max over the rounds,
//     beside the CPU time of the process per lookup (getrusage).
//
// Results are written as a Markdown table for docs/benchmarks.md.
//
//	go run ./bench/lookup --db /tmp/coupole-2m.db --n 2000 --readers 4
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/bench/internal/measure"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/textfold"
)

type sample struct {
	ean     coupole.EAN
	meter   coupole.MeterNumber
	name    string // family name and the first letters of the given name
	keys    int    // name keys that start with the family name
	address coupole.AddressQuery
}

type config struct {
	dsn                string
	n, readers, rounds int
	rare, common       int
	seed               uint64
	only, cpuprofile   string
}

func main() {
	var c config
	flag.StringVar(&c.dsn, "db", "", "seeded database: SQLite file or postgres:// URL")
	flag.IntVar(&c.n, "n", 2000, "lookups of each kind per round")
	flag.IntVar(&c.readers, "readers", 4, "concurrent readers")
	flag.IntVar(&c.rounds, "rounds", 5, "interleaved rounds of every kind")
	flag.IntVar(&c.rare, "rare", 20, "a family name is rare when at most this many name keys start with it")
	flag.IntVar(&c.common, "common", 200, "a family name is common when at least this many name keys start with it")
	flag.Uint64Var(&c.seed, "seed", 1, "seed for drawing the keys")
	flag.StringVar(&c.only, "only", "", "time only the lookups whose name holds this text (and the baseline)")
	flag.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the timed rounds to this file")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "lookup:", err)
		os.Exit(1)
	}
}

type kind struct {
	name string
	keys []sample
	fn   func(s sample) (int, error)
	p99  []float64 // ms, per round
	p50  []float64
	cpu  []float64 // µs per lookup, per round
}

func run(ctx context.Context, c config) error {
	db, err := sqlstore.Open(ctx, c.dsn)
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
	all, rare, common, err := draw(ctx, db, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "drew %d keys (%d rare names, %d common) in %s\n", len(all), len(rare), len(common), time.Since(t0).Round(time.Millisecond))

	byName := func(s sample) (int, error) {
		cs, err := db.CustomersByName(ctx, s.name, 20)
		return len(cs), err
	}
	kinds := []*kind{
		{name: "baseline: `SELECT 1 … WHERE ean = ?` (primary key, same pool)", keys: all, fn: func(s sample) (int, error) {
			var one int
			err := db.Reader().QueryRowContext(ctx, "SELECT 1 FROM access_points WHERE ean = $1", string(s.ean)).Scan(&one)
			return one, err
		}},
		{name: "AccessPoint (by EAN, with meters)", keys: all, fn: func(s sample) (int, error) {
			_, err := db.AccessPoint(ctx, s.ean)
			return 1, err
		}},
		{name: "AccessPointsByMeter", keys: all, fn: func(s sample) (int, error) {
			aps, err := db.AccessPointsByMeter(ctx, s.meter)
			return len(aps), err
		}},
		{name: "CustomersByName, any name (family name + 2 letters, limit 20)", keys: all, fn: byName},
		{name: fmt.Sprintf("CustomersByName, rare family name (≤ %d keys)", c.rare), keys: rare, fn: byName},
		{name: fmt.Sprintf("CustomersByName, common family name (≥ %d keys)", c.common), keys: common, fn: byName},
		{name: "AccessPointsByAddress (postcode, street, number)", keys: all, fn: func(s sample) (int, error) {
			aps, err := db.AccessPointsByAddress(ctx, s.address)
			return len(aps), err
		}},
	}
	fmt.Printf("Database: %s, %d access points. %d lookups of each kind per round, %d concurrent readers, %d interleaved rounds, keys drawn with seed %d; %d cores, %s; load average %s.\n\n",
		db.Describe(), count, c.n, c.readers, c.rounds, c.seed, runtime.NumCPU(), runtime.Version(), measure.LoadAverage())
	for _, k := range kinds { // warm the pool
		for _, s := range k.keys[:min(100, len(k.keys))] {
			if _, err := k.fn(s); err != nil {
				return fmt.Errorf("%s: %w", k.name, err)
			}
		}
	}
	if c.only != "" {
		kinds = slices.DeleteFunc(kinds, func(k *kind) bool { return !strings.HasPrefix(k.name, "baseline") && !strings.Contains(k.name, c.only) })
	}
	if c.cpuprofile != "" {
		f, err := os.Create(c.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	for r := range c.rounds {
		for _, k := range kinds {
			if len(k.keys) == 0 {
				continue
			}
			if err := k.round(c, r); err != nil {
				return err
			}
		}
	}
	fmt.Println("| lookup | p50 (ms) | p99 (ms) | CPU per lookup (µs) |")
	fmt.Println("|---|---|---|---|")
	for _, k := range kinds {
		if len(k.keys) == 0 {
			fmt.Printf("| %s | no such key drawn | | |\n", k.name)
			continue
		}
		fmt.Printf("| %s | %s | %s | %s |\n", k.name, measure.SpreadOf(k.p50).Format("%.3f"), measure.SpreadOf(k.p99).Format("%.3f"), measure.SpreadOf(k.cpu).Format("%.0f"))
	}
	fmt.Printf("\n(min / median / max over the rounds; load average at the end %s)\n", measure.LoadAverage())
	return nil
}

// round runs c.n lookups of k from c.readers goroutines, keys taken in
// turn from a different offset each round.
func (k *kind) round(c config, r int) error {
	lat := make([]time.Duration, c.n)
	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	cpu0 := measure.Self()
	var wg sync.WaitGroup
	for range c.readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= c.n {
					return
				}
				s := k.keys[(i+r*c.n)%len(k.keys)]
				start := time.Now()
				got, err := k.fn(s)
				lat[i] = time.Since(start)
				if err == nil && got == 0 {
					err = fmt.Errorf("a key drawn from the database found nothing")
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("%s: %w", k.name, err)
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	cpu := measure.Self() - cpu0
	k.cpu = append(k.cpu, float64(cpu.Microseconds())/float64(c.n))
	k.p50 = append(k.p50, ms(measure.Percentile(lat, 0.5)))
	k.p99 = append(k.p99, ms(measure.Percentile(lat, 0.99)))
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// draw picks c.n existing access points: a random EAN-shaped value between
// the smallest and largest EAN, then the first EAN at or after it; their
// current meter, one of their occupants' name and their address. It goes
// on (up to 50 × c.n draws) until it also has c.n rare and c.n common
// family names, or as many as it met.
func draw(ctx context.Context, db *sqlstore.DB, c config) (all, rare, common []sample, err error) {
	r := rand.New(rand.NewPCG(c.seed, 0x10c4))
	rd := db.Reader()
	var lo, hi string
	if err := rd.QueryRowContext(ctx, "SELECT min(ean), max(ean) FROM access_points").Scan(&lo, &hi); err != nil {
		return nil, nil, nil, err
	}
	// 17 digits (without the check digit) fit in a uint64.
	a, err1 := strconv.ParseUint(lo[:17], 10, 64)
	b, err2 := strconv.ParseUint(hi[:17], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, nil, nil, fmt.Errorf("EANs are not digits")
	}
	for tries := 0; tries < 50*c.n && (len(all) < c.n || len(rare) < c.n || len(common) < c.n); tries++ {
		start := fmt.Sprintf("%017d", a+r.Uint64N(b-a+1))
		var s sample
		var ean string
		err := rd.QueryRowContext(ctx, "SELECT ean, postcode, street, house_number FROM access_points WHERE ean >= $1 ORDER BY ean LIMIT 1", start).
			Scan(&ean, &s.address.Postcode, &s.address.StreetPrefix, &s.address.Number)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("draw an access point: %w", err)
		}
		s.ean = coupole.EAN(ean)
		s.address.Limit = 20
		var meter string
		if err := rd.QueryRowContext(ctx, "SELECT number FROM meters WHERE ean = $1 ORDER BY installed_on DESC LIMIT 1", ean).Scan(&meter); err != nil {
			return nil, nil, nil, fmt.Errorf("draw a meter: %w", err)
		}
		s.meter = coupole.MeterNumber(meter)
		var given, family string
		if err := rd.QueryRowContext(ctx, `SELECT c.given_name, c.family_name FROM occupancies o JOIN customers c ON c.id = o.customer_id
			WHERE o.ean = $1 ORDER BY o.move_in DESC LIMIT 1`, ean).Scan(&given, &family); err != nil {
			return nil, nil, nil, fmt.Errorf("draw a customer: %w", err)
		}
		s.name = family
		if g := []rune(given); len(g) >= 2 {
			s.name += " " + string(g[:2])
		}
		s.name = strings.TrimSpace(s.name)
		f := textfold.Fold(family)
		if err := rd.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM customer_name_keys WHERE name_key >= $1 AND name_key < $2 LIMIT $3) k`,
			f, f+"\U0010FFFF", c.common).Scan(&s.keys); err != nil {
			return nil, nil, nil, fmt.Errorf("count name keys: %w", err)
		}
		if len(all) < c.n {
			all = append(all, s)
		}
		if s.keys <= c.rare && len(rare) < c.n {
			rare = append(rare, s)
		}
		if s.keys >= c.common && len(common) < c.n {
			common = append(common, s)
		}
	}
	return all, rare, common, nil
}
