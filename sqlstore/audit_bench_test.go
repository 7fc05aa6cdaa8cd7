package sqlstore_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// BenchmarkAuditAppend measures durable appends with 64 concurrent writers
// through the sequencer (T2 figure: ≥ 10,000 events/s on SQLite, p99 ≤ 15 ms),
// and, as the baseline, the storage floor: the same rows, encoded, salted,
// hashed before the timer starts (issue 17), written by the storage's
// batched inserts of 64 (no sequencer, no tree, one writer). Both report
// the process's CPU time per event (getrusage) beside the rate.
func BenchmarkAuditAppend(b *testing.B) {
	for _, e := range sqltest.Engines() {
		b.Run(e.Name+"/log-64-writers", func(b *testing.B) {
			db := e.Open(b)
			signer, _ := MustAuditKey(b)
			l, err := audit.Open(context.Background(), sqlstore.NewAuditStore(db), audit.Options{
				Clock: coupole.SystemClock{}, Signer: signer, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			const writers = 64
			lat := make([][]time.Duration, writers)
			var next atomic.Int64
			b.ResetTimer()
			cpu0 := processCPU()
			start := time.Now()
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						t0 := time.Now()
						if _, err := l.Append(context.Background(), testEvent(int(i))); err != nil {
							b.Error(err)
							return
						}
						lat[w] = append(lat[w], time.Since(t0))
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			all := slices.Concat(lat...)
			slices.Sort(all)
			if len(all) > 0 {
				b.ReportMetric(float64(len(all))/elapsed.Seconds(), "events/s")
				b.ReportMetric(float64(all[len(all)*50/100].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/1000/float64(len(all)), "cpu-µs/event")
			}
		})
		b.Run(e.Name+"/raw-batched-inserts", func(b *testing.B) {
			db := e.Open(b)
			store := sqlstore.NewAuditStore(db)
			const batch = 64
			// Every row encoded before timing: the floor is the storage's.
			recs := make([]audit.Record, b.N)
			for i := range recs {
				ev := testEvent(i)
				p, _ := verify.EncodePayload(ev)
				salt := make([]byte, 32)
				rand.Read(salt)
				r := audit.Record{Entry: audit.Entry{Index: uint64(i), Time: time.Now(), Commitment: verify.Commit(salt, p), Salt: salt, Payload: p},
					Actor: ev.Actor, Interaction: ev.Interaction, Customers: ev.Customers, AccessPoints: ev.AccessPoints}
				r.LeafHash = r.Leaf().Hash()
				recs[i] = r
			}
			b.ResetTimer()
			cpu0 := processCPU()
			start := time.Now()
			for base := 0; base < b.N; base += batch {
				if err := store.Append(context.Background(), uint64(base), recs[base:min(base+batch, b.N)], nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
			b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/1000/float64(b.N), "cpu-µs/event")
		})
	}
}

// processCPU is the user + system CPU time of this process (getrusage).
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var _ = fmt.Sprint
