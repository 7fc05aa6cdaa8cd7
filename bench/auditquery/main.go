// Command auditquery builds an audit log of many events in a SQLite file
// (10 million by default, through the real sequencer) and measures the
// paged queries an auditor runs: by customer, EAN, staff member,
// interaction and period (issue 4 figure: ≤ 200 ms over 10,000,000 events).
//
//	go run ./bench/auditquery -db /tmp/audit10m.db -n 10000000
//
// It reuses an existing file of the right size, so the queries can be
// measured again without rebuilding.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/sqlstore"
)

// clock spreads the events over a year: one tick per event.
type clock struct{ n atomic.Int64 }

var start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func (c *clock) Now() time.Time { return start.Add(time.Duration(c.n.Load()) * 3 * time.Second) }

func event(i int) audit.Event {
	return audit.Event{
		Actor:        fmt.Sprintf("staff-%d", i%250),
		Action:       "read",
		Interaction:  fmt.Sprintf("call-%d", i/4),
		CallReason:   "invoice",
		AccessPoints: []string{fmt.Sprintf("5414%014d", (i*7919)%200_000)},
		Customers:    []string{fmt.Sprintf("cust-%d", (i*104729)%150_000)},
		Data:         []string{"consumption_history"},
		Decision:     &audit.Decision{Outcome: "oral", Reason: "own_data", Policies: []string{"consumption-own"}, PolicySet: "b1946ac9"},
		Client:       "10.1.2.3",
	}
}

func main() {
	path := flag.String("db", "audit-bench.db", "SQLite file")
	n := flag.Int("n", 10_000_000, "events")
	flag.Parse()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, *path)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	store := sqlstore.NewAuditStore(db)
	size, err := store.Size(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if int(size) < *n {
		c := &clock{}
		c.n.Store(int64(size))
		l, err := audit.Open(ctx, store, audit.Options{Clock: c, MaxBatch: 5000, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			log.Fatal(err)
		}
		t0 := time.Now()
		var next atomic.Int64
		next.Store(int64(size))
		var wg sync.WaitGroup
		for range 2048 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1) - 1
					if i >= int64(*n) {
						return
					}
					c.n.Store(i)
					if _, err := l.Append(ctx, event(int(i))); err != nil {
						log.Fatal(err)
					}
					if i%500_000 == 0 {
						fmt.Fprintf(os.Stderr, "%d events, %.0f/s\n", i, float64(i-int64(size))/time.Since(t0).Seconds())
					}
				}
			}()
		}
		wg.Wait()
		l.Close()
		fmt.Printf("built %d events in %s\n", *n-int(size), time.Since(t0).Round(time.Second))
	}
	size, _ = store.Size(ctx)
	r := audit.NewReader(store)
	mid := start.Add(time.Duration(size/2) * 3 * time.Second)
	// Each run k asks for a different key, so no run is answered from the
	// page cache warmed by the previous one.
	day := func(k int) time.Time { return coupole.Date(mid).AddDate(0, 0, k-10) }
	queries := []struct {
		name string
		q    func(k int) audit.Query
	}{
		{"customer", func(k int) audit.Query { return audit.Query{Customer: fmt.Sprintf("cust-%d", 4242+k*977)} }},
		{"ean", func(k int) audit.Query { return audit.Query{AccessPoint: fmt.Sprintf("5414%014d", 4242+k*977)} }},
		{"staff", func(k int) audit.Query { return audit.Query{Actor: fmt.Sprintf("staff-%d", 42+k)} }},
		{"interaction", func(k int) audit.Query {
			return audit.Query{Interaction: fmt.Sprintf("call-%d", int(size)/8+k*9973)}
		}},
		{"period (one day)", func(k int) audit.Query { return audit.Query{From: day(k), To: day(k).AddDate(0, 0, 1)} }},
		{"staff + period (one day)", func(k int) audit.Query {
			return audit.Query{Actor: fmt.Sprintf("staff-%d", 42+k), From: day(k), To: day(k).AddDate(0, 0, 1)}
		}},
		{"customer, page 3", func(k int) audit.Query { return audit.Query{Customer: fmt.Sprintf("cust-%d", 4242+k*977)} }},
	}
	fmt.Printf("%d events in %s\n%-26s %6s %10s %10s\n", size, *path, "query (page of 100)", "rows", "median", "max")
	baseline(ctx, db)
	for _, q := range queries {
		var ds []time.Duration
		var rows int
		for k := range 21 {
			qq := q.q(k)
			qq.After, qq.Limit = -1, 100
			if q.name == "customer, page 3" {
				qq.Limit = 10
				for range 2 {
					page, _ := r.Query(ctx, qq)
					if len(page) > 0 {
						qq.After = int64(page[len(page)-1].Index)
					}
				}
			}
			t0 := time.Now()
			page, err := r.Query(ctx, qq)
			if err != nil {
				log.Fatal(err)
			}
			ds = append(ds, time.Since(t0))
			rows = len(page)
		}
		slices.Sort(ds)
		fmt.Printf("%-26s %6d %10s %10s\n", q.name, rows, ds[len(ds)/2].Round(time.Microsecond), ds[len(ds)-1].Round(time.Microsecond))
	}
}

// baseline times a round trip that reads nothing, on the same pool, so the
// query times can be read as multiples of the driver's own overhead.
func baseline(ctx context.Context, db *sqlstore.DB) {
	var ds []time.Duration
	for range 21 {
		t0 := time.Now()
		var one int
		if err := db.Reader().QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			log.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	slices.Sort(ds)
	fmt.Printf("%-26s %6d %10s %10s\n", "baseline: SELECT 1", 1, ds[len(ds)/2].Round(time.Microsecond), ds[len(ds)-1].Round(time.Microsecond))
}
