// Command outbound measures the delivery worker (issue 11, item 7) in one
// process, on a fresh SQLite database in a temporary directory, against the
// local SMS gateway on loopback:
//
// The data is the demo's synthetic grid (--access-points, 20,000 by
// default), and the deliveries go round --callers verified interactions,
// each with its own customer and access point: composing a message reads a
// different customer, access point and supplier each time, as in a contact
// center, not one row kept hot in the cache.
//
//   - throughput: N SMS deliveries created by Execute (not timed), then one
//     worker pass sending them all (A), beside the baseline (B): the same N
//     messages posted straight to the gateway by the same provider with the
//     same parallelism, no outbox, no trace. Rounds interleave A B A B.
//   - latency: Execute at a steady rate while the worker runs as in
//     `serve` (polling every --every); the time from the start of Execute to
//     the gateway's acceptance (A), beside Execute's own duration (B).
//
// CPU time is the whole process's (worker, audit log, SQLite and the
// gateway share it), divided by the deliveries.
//
//	go run ./bench/outbound --n 2000 --rounds 3 --rate 100 --seconds 3 --access-points 20000 --callers 2000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/outbound"
	"github.com/coupole/coupole/outbound/sms"
	"github.com/coupole/coupole/policy"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/storetest"
)

var adv = interaction.Actor{StaffID: "s-bench", Client: "127.0.0.1"}

type bench struct {
	db    *sqlstore.DB
	log   *audit.Log
	svc   *interaction.Service
	gw    *sms.LocalGateway
	sms   *sms.Provider
	calls []string // verified interactions, one customer each
	keys  int
}

func main() {
	n := flag.Int("n", 2000, "deliveries per throughput round")
	rounds := flag.Int("rounds", 3, "rounds of each (interleaved A B A B)")
	rate := flag.Int("rate", 100, "deliveries per second in the latency run")
	seconds := flag.Int("seconds", 3, "length of each latency round")
	every := flag.Duration("every", 100*time.Millisecond, "worker polling interval in the latency run")
	aps := flag.Int("access-points", 20000, "access points of the synthetic grid")
	callers := flag.Int("callers", 2000, "verified interactions, one customer each, the deliveries go round")
	flag.Parse()
	if err := run(*n, *rounds, *rate, *seconds, *every, *aps, *callers); err != nil {
		fmt.Fprintln(os.Stderr, "outbound:", err)
		os.Exit(1)
	}
}

func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// caller is a current occupant whose mobile was registered before today,
// with the meter number they give.
type caller struct {
	ean   coupole.EAN
	meter coupole.MeterNumber
}

func setup(ctx context.Context, dir string, aps, callers int) (*bench, error) {
	db, err := sqlstore.Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	clock := coupole.SystemClock{}
	var found []caller
	if _, err := demo.Generate(ctx, demo.Config{AccessPoints: aps, Seed: 1}, func(batch *coupole.Batch) error {
		if err := db.Load(ctx, batch); err != nil {
			return err
		}
		found = append(found, callersOf(batch, clock.Now())...)
		return nil
	}); err != nil {
		return nil, err
	}
	if len(found) > callers {
		found = found[:callers]
	}
	if err := db.CreateStaff(ctx, coupole.Staff{ID: adv.StaffID, Kind: coupole.StaffOIDC, Login: adv.StaffID, Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: clock.Now()}); err != nil {
		return nil, err
	}
	pol, err := policy.OpenDisclosure("")
	if err != nil {
		return nil, err
	}
	b := &bench{db: db}
	if b.log, err = audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock}); err != nil {
		return nil, err
	}
	b.svc = &interaction.Service{Grid: db, Store: db, Policy: pol, Audit: b.log, Clock: clock}
	if b.gw, err = sms.StartLocalGateway(); err != nil {
		return nil, err
	}
	if b.sms, err = sms.New(sms.Config{URL: b.gw.URL}, nil); err != nil {
		return nil, err
	}
	for _, c := range found {
		v, err := b.svc.Open(ctx, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
		if err != nil {
			return nil, err
		}
		if _, err := b.svc.Identify(ctx, adv, v.ID, interaction.IdentifyRequest{EAN: string(c.ean)}); err != nil {
			return nil, err
		}
		// The most recent occupant comes first among the candidates.
		if r, err := b.svc.Verify(ctx, adv, v.ID, interaction.VerifyRequest{Ref: "c1", MeterNumber: string(c.meter)}); err != nil || !r.Verified {
			continue // c1 was not the current occupant: skip this access point
		}
		b.calls = append(b.calls, v.ID)
	}
	if len(b.calls) == 0 {
		return nil, fmt.Errorf("no caller could be verified among %d", len(found))
	}
	return b, nil
}

// callersOf lists the access points of batch whose current occupant has a
// mobile registered before now, each with its meter in place.
func callersOf(batch *coupole.Batch, now time.Time) []caller {
	withMobile := map[string]bool{}
	for _, c := range batch.Customers {
		withMobile[c.ID] = c.HasMobileRegisteredBefore(now)
	}
	current := map[coupole.EAN]string{}
	for _, o := range batch.Occupancies {
		if o.MoveOut.IsZero() {
			current[o.EAN] = o.CustomerID
		}
	}
	var out []caller
	for _, ap := range batch.AccessPoints {
		m, ok := ap.MeterOn(coupole.Date(now))
		if id, occupied := current[ap.EAN]; ok && occupied && withMobile[id] {
			out = append(out, caller{ean: ap.EAN, meter: m.Number})
		}
	}
	return out
}

func (b *bench) execute(ctx context.Context) (string, error) {
	b.keys++
	call := b.calls[b.keys%len(b.calls)]
	d, err := b.svc.Execute(ctx, adv, call, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: fmt.Sprintf("k%07d", b.keys)})
	return d.ID, err
}

func (b *bench) worker(p outbound.Provider) *outbound.Worker {
	return &outbound.Worker{Store: b.db, Grid: b.db, Audit: b.log, Clock: coupole.SystemClock{}, Owner: "bench",
		Providers: map[string]outbound.Provider{coupole.DeliverySMS: p}}
}

type stat struct{ perSec, cpuPer []float64 }

func summary(xs []float64) string {
	s := slices.Clone(xs)
	slices.Sort(s)
	return fmt.Sprintf("min %.0f / median %.0f / max %.0f", s[0], s[len(s)/2], s[len(s)-1])
}

func summaryUS(xs []float64) string {
	s := slices.Clone(xs)
	slices.Sort(s)
	return fmt.Sprintf("min %.0f / median %.0f / max %.0f µs", s[0], s[len(s)/2], s[len(s)-1])
}

func run(n, rounds, rate, seconds int, every time.Duration, aps, callers int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "coupole-bench-outbound-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b, err := setup(ctx, dir, aps, callers)
	if err != nil {
		return err
	}
	defer b.log.Close()
	defer b.gw.Close()
	fmt.Printf("go %s, %d CPUs (GOMAXPROCS %d), %s\n", runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0), time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("data: %d access points; deliveries go round %d verified interactions, one customer each\n", aps, len(b.calls))
	fmt.Printf("throughput: %d deliveries a round, %d rounds each, worker batch %d, parallel %d\n", n, rounds, outbound.DefaultBatch, outbound.DefaultParallel)

	var worker, base stat
	w := b.worker(b.sms)
	for r := range rounds {
		// A: the worker.
		for range n {
			if _, err := b.execute(ctx); err != nil {
				return err
			}
		}
		before := len(b.gw.Received())
		c0, t0 := cpu(), time.Now()
		got, err := w.RunOnce(ctx)
		wall, c := time.Since(t0), cpu()-c0
		if err != nil || got != n || len(b.gw.Received())-before != n {
			return fmt.Errorf("round %d: worker handled %d, %v", r, got, err)
		}
		worker.perSec = append(worker.perSec, float64(n)/wall.Seconds())
		worker.cpuPer = append(worker.cpuPer, float64(c.Microseconds())/float64(n))

		// B: the same messages straight to the gateway.
		c0, t0 = cpu(), time.Now()
		sem := make(chan struct{}, outbound.DefaultParallel)
		var wg sync.WaitGroup
		var failed error
		var mu sync.Mutex
		for i := range n {
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				m := outbound.Message{ID: fmt.Sprintf("base-%d-%d", r, i), Kind: coupole.DeliverySMS, Item: outbound.ItemEAN, Lang: coupole.French,
					Reference: "base", Mobile: "+32470123456", EAN: storetest.EANElecNamur}
				if _, err := b.sms.Send(ctx, m); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		wall, c = time.Since(t0), cpu()-c0
		if failed != nil {
			return failed
		}
		base.perSec = append(base.perSec, float64(n)/wall.Seconds())
		base.cpuPer = append(base.cpuPer, float64(c.Microseconds())/float64(n))
	}
	fmt.Printf("A worker (outbox, 2 traced state changes, gateway): %s deliveries/s; CPU %s per delivery\n", summary(worker.perSec), summaryUS(worker.cpuPer))
	fmt.Printf("B baseline (gateway only, no outbox, no trace):     %s messages/s;   CPU %s per message\n", summary(base.perSec), summaryUS(base.cpuPer))

	// Latency: Execute at rate/s with the worker polling, as in serve.
	fmt.Printf("latency: %d deliveries/s for %d s a round, worker polling every %s, %d rounds\n", rate, seconds, every, rounds)
	var accepted sync.Map // delivery id → time accepted
	rec := recorder{inner: b.sms, at: &accepted}
	var e2eP99, execP99, e2eP50 []float64
	for range rounds {
		wctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); b.worker(rec).Run(wctx, every) }()
		started := map[string]time.Time{}
		var execDur []time.Duration
		tick := time.NewTicker(time.Second / time.Duration(rate))
		for range rate * seconds {
			<-tick.C
			t0 := time.Now()
			id, err := b.execute(ctx)
			if err != nil {
				stop()
				return err
			}
			started[id] = t0
			execDur = append(execDur, time.Since(t0))
		}
		tick.Stop()
		deadline := time.Now().Add(30 * time.Second)
		for {
			all := true
			for id := range started {
				if _, ok := accepted.Load(id); !ok {
					all = false
					break
				}
			}
			if all || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		stop()
		<-done
		var lat []time.Duration
		for id, t0 := range started {
			at, ok := accepted.Load(id)
			if !ok {
				return fmt.Errorf("delivery not accepted within 30 s")
			}
			lat = append(lat, at.(time.Time).Sub(t0))
		}
		slices.Sort(lat)
		slices.Sort(execDur)
		e2eP50 = append(e2eP50, float64(lat[len(lat)/2].Microseconds()))
		e2eP99 = append(e2eP99, float64(lat[len(lat)*99/100].Microseconds()))
		execP99 = append(execP99, float64(execDur[len(execDur)*99/100].Microseconds()))
	}
	fmt.Printf("A execute → gateway accepted: p50 %s; p99 %s\n", summaryUS(e2eP50), summaryUS(e2eP99))
	fmt.Printf("B execute alone:              p99 %s\n", summaryUS(execP99))
	return nil
}

// recorder notes when the gateway accepted each delivery.
type recorder struct {
	inner outbound.Provider
	at    *sync.Map
}

func (r recorder) Send(ctx context.Context, m outbound.Message) (outbound.Receipt, error) {
	rc, err := r.inner.Send(ctx, m)
	if err == nil {
		r.at.LoadOrStore(m.ID, time.Now())
	}
	return rc, err
}
