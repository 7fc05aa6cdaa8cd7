package retention_test

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"golang.org/x/mod/sumdb/note"
)

// TestPurgeFigure measures a purge of COUPOLE_RETENTION_BENCH due items on
// SQLite, with evidence, for docs/benchmarks.md: wall clock, CPU time per
// item (getrusage of this process) and the load average. Set
// COUPOLE_RETENTION_BENCH_WORKERS to change the evidence events in flight.
// The baseline, in the same run, is the same number of plain audit events
// appended with the same concurrency.
func TestPurgeFigure(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("COUPOLE_RETENTION_BENCH"))
	if n <= 0 {
		t.Skip("set COUPOLE_RETENTION_BENCH to the number of items (docs/benchmarks.md)")
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "bench.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	media := t.TempDir()
	mustFillDueItems(t, db, media, n)
	skey, _, _ := note.GenerateKey(rand.Reader, "coupole.test/bench")
	p := killPurger(t, db, media, mustSigner(t, skey))
	p.Workers, _ = strconv.Atoi(os.Getenv("COUPOLE_RETENTION_BENCH_WORKERS"))
	load, _ := os.ReadFile("/proc/loadavg")
	cpu0, wall0 := cpuTime(), time.Now()
	res, err := p.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wall, cpu := time.Since(wall0), cpuTime()-cpu0
	load1, _ := os.ReadFile("/proc/loadavg")
	if res.Purged != n {
		t.Fatalf("purged %d of %d", res.Purged, n)
	}
	mustEvidenceMatches(t, db, n, true)

	// Baseline: the same number of plain audit events, same concurrency,
	// on a fresh database, in this run.
	bdb, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "baseline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if _, err := bdb.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	bl := killPurger(t, bdb, media, mustSigner(t, skey)).Audit
	workers := max(p.Workers, 64)
	bcpu0, bwall0 := cpuTime(), time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				if _, err := bl.Append(ctx, audit.Event{Actor: retention.PurgeActor, Action: "bench", Data: []string{"item:" + strconv.Itoa(i)}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	bwall, bcpu := time.Since(bwall0), cpuTime()-bcpu0
	t.Logf("baseline, %d plain audit events: wall %s (%.0f events/s), CPU %s (%.1f µs/event)",
		n, bwall.Round(time.Millisecond), float64(n)/bwall.Seconds(), bcpu.Round(time.Millisecond), float64(bcpu.Microseconds())/float64(n))
	t.Logf("purge of %d items with evidence: wall %s (%.0f items/s), CPU %s (%.1f µs/item); loadavg before %s, after %s",
		n, wall.Round(time.Millisecond), float64(n)/wall.Seconds(), cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(n),
		strings.TrimSpace(string(load)), strings.TrimSpace(string(load1)))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
