package main

import (
	"testing"
	"time"

	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/bench/internal/measure"
	"github.com/coupole/coupole/bench/internal/yearlog"
	"github.com/coupole/coupole/report"
)

// BenchmarkTally counts the payloads of 20,000 generated interactions as
// the yearly report does (report.Tally: the payload scanner), beside the
// way it did before (verify.DecodePayload: encoding/json, then encoding
// again to check the form), run one after the other in each iteration.
func BenchmarkTally(b *testing.B) {
	var payloads [][]byte
	for i := range 20_000 {
		for _, e := range yearlog.Flow(i) {
			p, err := verify.EncodePayload(e)
			if err != nil {
				b.Fatal(err)
			}
			payloads = append(payloads, p)
		}
	}
	from, to := yearlog.Year, yearlog.Year.AddDate(1, 0, 0)
	var strict, scan time.Duration
	b.ResetTimer()
	for range b.N {
		c0 := measure.Self()
		t := report.NewTally(from, to)
		for _, p := range payloads {
			ev, err := verify.DecodePayload(p)
			if err != nil {
				b.Fatal(err)
			}
			t.AddEvent(ev)
		}
		c1 := measure.Self()
		t = report.NewTally(from, to)
		for _, p := range payloads {
			if err := t.Add(p); err != nil {
				b.Fatal(err)
			}
		}
		strict, scan = strict+c1-c0, scan+measure.Self()-c1
	}
	n := float64(len(payloads) * b.N)
	b.ReportMetric(float64(strict.Nanoseconds())/n, "strict-cpu-ns/event")
	b.ReportMetric(float64(scan.Nanoseconds())/n, "scan-cpu-ns/event")
}
