package oversight_test

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/coupole/coupole/oversight"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestDetectionFigures measures the detector for docs/benchmarks.md: a
// month of generated traffic per seed (20 advisors), with and without the
// injected misbehaviour — detection rate, false alerts per 100
// advisor-days, slowest alert, CPU time. It runs when
// COUPOLE_OVERSIGHT_FIGURES is set (it takes minutes on a busy machine).
func TestDetectionFigures(t *testing.T) {
	if os.Getenv("COUPOLE_OVERSIGHT_FIGURES") == "" {
		t.Skip("set COUPOLE_OVERSIGHT_FIGURES=1 to measure the detector (docs/benchmarks.md)")
	}
	var injected, caught, falseAlerts, advisorDays, events int
	var worst time.Duration
	start, cpu0 := time.Now(), cpuTime()
	for _, seed := range []uint64{11, 12, 13} {
		for _, inject := range []bool{true, false} {
			db := sqltest.MustOpenSQLite(t)
			tr, out := MustReplay(t, db, oversight.TrafficOptions{Seed: seed, Start: simStart, Days: 30, Advisors: 20, Location: simStart.Location(), Inject: inject})
			injected += len(tr.Injected)
			caught += out.Caught
			falseAlerts += len(out.False)
			advisorDays += tr.AdvisorDays
			events += len(tr.Events)
			for k, l := range out.Latency {
				if k != "views_above_baseline" {
					worst = max(worst, l)
				}
			}
			for _, f := range out.False {
				t.Logf("seed %d: false alert %s %s: %s", seed, f.Kind, f.StaffID, f.Reason)
			}
			for _, m := range out.Missed {
				t.Logf("seed %d: missed %+v", seed, m)
			}
		}
	}
	wall, cpu := time.Since(start), cpuTime()-cpu0
	b, _ := os.ReadFile("/proc/loadavg")
	t.Logf("injected %d, caught %d (%.1f%%); false alerts %d over %d advisor-days (%.2f per 100); slowest alert %s after its case; %d events; wall %s, CPU %s (%.1f µs CPU per event); loadavg %s",
		injected, caught, 100*float64(caught)/float64(injected), falseAlerts, advisorDays, 100*float64(falseAlerts)/float64(advisorDays), worst, events,
		wall.Round(time.Second), cpu.Round(time.Millisecond), float64(cpu.Microseconds())/float64(events), string(b))
	if caught != injected || 100*float64(falseAlerts)/float64(advisorDays) > 1 {
		t.Errorf("goal missed: every injected case caught, at most 1 false alert per 100 advisor-days")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
