package opa

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/coupole/coupole/policy"
)

// TestInterleaved puts Cedar and OPA side by side fairly (issue 17):
// blocks of the same decisions alternate, Cedar then OPA, for
// COUPOLE_INTERLEAVE pairs (skipped when unset), so that a change of the
// machine's load weighs on both — `go test -bench -count N` runs one
// engine N times, then the other. Each block reports wall time and CPU
// time (getrusage) per decision; the ratio is taken within each pair.
//
//	cd bench/opa && COUPOLE_INTERLEAVE=7 go test -run Interleaved -v
func TestInterleaved(t *testing.T) {
	pairs, _ := strconv.Atoi(os.Getenv("COUPOLE_INTERLEAVE"))
	if pairs <= 0 {
		t.Skip("COUPOLE_INTERLEAVE=N runs N interleaved pairs")
	}
	d, err := policy.OpenDisclosure("")
	if err != nil {
		t.Fatal(err)
	}
	pq := mustPrepare(t)
	reqs := mustRequests(t)
	ctx := context.Background()
	const block = 20000
	cedar := func() error {
		for i := range block {
			if _, err := d.Decide(ctx, reqs[i%len(reqs)]); err != nil {
				return err
			}
		}
		return nil
	}
	opa := func() error {
		for i := range block / 10 { // a tenth as many: OPA is about ten times slower
			if _, err := regoDecide(ctx, pq, reqs[i%len(reqs)]); err != nil {
				return err
			}
		}
		return nil
	}
	timed := func(n int, fn func() error) (wall, cpu float64) {
		c0, t0 := cpuTime(), time.Now()
		if err := fn(); err != nil {
			t.Fatal(err)
		}
		return float64(time.Since(t0).Nanoseconds()) / float64(n) / 1000, float64((cpuTime() - c0).Nanoseconds()) / float64(n) / 1000
	}
	timed(block, cedar) // warm both
	timed(block/10, opa)
	var cw, cc, ow, oc, rw, rc []float64
	for range pairs {
		w, c := timed(block, cedar)
		cw, cc = append(cw, w), append(cc, c)
		w2, c2 := timed(block/10, opa)
		ow, oc = append(ow, w2), append(oc, c2)
		rw, rc = append(rw, w2/w), append(rc, c2/c)
	}
	sp := func(xs []float64) string {
		s := slices.Clone(xs)
		slices.Sort(s)
		return fmt.Sprintf("%.2f / %.2f / %.2f", s[0], s[len(s)/2], s[len(s)-1])
	}
	t.Logf("%d interleaved pairs (min / median / max):", pairs)
	t.Logf("| | wall per decision (µs) | CPU per decision (µs) |")
	t.Logf("|---|---|---|")
	t.Logf("| Cedar (policy.Disclosure.Decide) | %s | %s |", sp(cw), sp(cc))
	t.Logf("| OPA (rego.PreparedEvalQuery.Eval) | %s | %s |", sp(ow), sp(oc))
	t.Logf("| ratio OPA / Cedar, within each pair | %s | %s |", sp(rw), sp(rc))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
