package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/genesys"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/web"
)

// TestWebhookIntakeFigure measures the recording intake (issue 13 item 6;
// goal ≥ 2,000 events/s, p99 ≤ 50 ms) for docs/benchmarks.md. Set
// COUPOLE_WEBHOOK_BENCH to the events of one round (e.g. 2000), and
// COUPOLE_WEBHOOK_BENCH_CLIENTS to the concurrent senders (default 32).
//
// A: the intake as served — HMAC and timestamp, the event id taken in the
// database (replay), the recording registered with its audit event (trace
// first), on SQLite in a file. B, the same-run baseline: a bare handler
// that reads the body and checks the HMAC only. Rounds alternate A B A B…
// (5 pairs); each round reports events/s, p50 and p99 latency, and the
// process's CPU time per event (getrusage: the senders' CPU is in both arms,
// so the difference is the intake's own). The load average is printed
// beside. It fails only when an event is not answered as it should be.
func TestWebhookIntakeFigure(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("COUPOLE_WEBHOOK_BENCH"))
	if n <= 0 {
		t.Skip("set COUPOLE_WEBHOOK_BENCH to the events of one round (docs/benchmarks.md)")
	}
	clients, _ := strconv.Atoi(os.Getenv("COUPOLE_WEBHOOK_BENCH_CLIENTS"))
	if clients <= 0 {
		clients = 32
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
	clock := coupole.SystemClock{}
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv := web.NewServer(slog.New(slog.DiscardHandler), db)
	srv.EnableRecordingIntake(&web.RecordingIntake{Secret: webhookSecret, Clock: clock, Replay: db, Logger: slog.New(slog.DiscardHandler),
		Registry: &retention.Service{Store: db, Audit: l, Clock: clock, Config: retention.DefaultConfig()}})
	intake := httptest.NewServer(srv)
	defer intake.Close()
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err == nil {
			err = genesys.Verify(webhookSecret, r.Header.Get(genesys.TimestampHeader), r.Header.Get(genesys.SignatureHeader), body, time.Now())
		}
		if err != nil {
			http.Error(w, "refused", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"outcome":"ignored"}` + "\n"))
	}))
	defer bare.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}

	type result struct {
		perSec, p50, p99, cpuPerEvent float64 // events/s, ms, ms, µs
	}
	round := func(arm string, url string, want int, r int) result {
		lat := make([]time.Duration, n)
		var next sync.Mutex
		i := 0
		var wg sync.WaitGroup
		var failed error
		var failMu sync.Mutex
		cpu0, wall0 := cpuTime(), time.Now()
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					next.Lock()
					k := i
					i++
					next.Unlock()
					if k >= n {
						return
					}
					conv := fmt.Sprintf("%s-%d-%d", arm, r, k)
					body := notification("ev-"+conv, "v2.conversations."+conv+".recordings", conv, "outage")
					req, _ := http.NewRequest("POST", url+web.RecordingEventsPath, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					ts, sig := genesys.Sign(webhookSecret, time.Now(), body)
					req.Header.Set(genesys.TimestampHeader, ts)
					req.Header.Set(genesys.SignatureHeader, sig)
					t0 := time.Now()
					resp, err := client.Do(req)
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != want {
							err = fmt.Errorf("status %d, want %d", resp.StatusCode, want)
						}
					}
					lat[k] = time.Since(t0)
					if err != nil {
						failMu.Lock()
						failed = err
						failMu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		wall, cpu := time.Since(wall0), cpuTime()-cpu0
		if failed != nil {
			t.Fatalf("%s round %d: %v", arm, r, failed)
		}
		slices.Sort(lat)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		return result{perSec: float64(n) / wall.Seconds(), p50: ms(lat[n/2]), p99: ms(lat[n*99/100]), cpuPerEvent: float64(cpu.Microseconds()) / float64(n)}
	}
	load0, _ := os.ReadFile("/proc/loadavg")
	var a, b []result
	for r := range 5 {
		a = append(a, round("A", intake.URL, http.StatusCreated, r))
		b = append(b, round("B", bare.URL, http.StatusOK, r))
	}
	load1, _ := os.ReadFile("/proc/loadavg")
	var registered int
	if err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM retention_items`).Scan(&registered); err != nil || registered != 5*n {
		t.Fatalf("%d recordings registered, want %d (%v)", registered, 5*n, err)
	}
	stats := func(rs []result, f func(result) float64) string {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return fmt.Sprintf("%.1f / %.1f / %.1f", v[0], v[len(v)/2], v[len(v)-1])
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "webhook intake, %d events per round, %d senders, 5 pairs A B (min / median / max)\n", n, clients)
	for _, arm := range []struct {
		name string
		rs   []result
	}{{"A intake (HMAC, replay id, register + trace, SQLite)", a}, {"B bare handler (HMAC only)", b}} {
		fmt.Fprintf(&sb, "%s\n  events/s %s\n  p50 ms %s\n  p99 ms %s\n  CPU µs/event %s\n", arm.name,
			stats(arm.rs, func(r result) float64 { return r.perSec }), stats(arm.rs, func(r result) float64 { return r.p50 }),
			stats(arm.rs, func(r result) float64 { return r.p99 }), stats(arm.rs, func(r result) float64 { return r.cpuPerEvent }))
	}
	fmt.Fprintf(&sb, "load before %s load after %s", strings.TrimSpace(string(load0)), strings.TrimSpace(string(load1)))
	t.Log("\n" + sb.String())
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
