package policy_test

import (
	"context"
	"testing"

	"github.com/coupole/coupole/policy"
)

// MustScenarioRequests returns the requests of the own scenario suite, the
// workload of the benchmarks: every rule and its edges.
func MustScenarioRequests(tb testing.TB) []policy.Request {
	tb.Helper()
	cases, err := policy.LoadScenarios("scenarios")
	if err != nil {
		tb.Fatal(err)
	}
	reqs := make([]policy.Request, len(cases))
	for i, c := range cases {
		if reqs[i], err = policy.ParseRequest(c.Request); err != nil {
			tb.Fatalf("%s: %v", c.Name, err)
		}
	}
	return reqs
}

// BenchmarkDecide measures one decision over the full disclosure set, cycling
// through the scenario requests (target: ≤ 10 µs, docs/benchmarks.md).
func BenchmarkDecide(b *testing.B) {
	d := MustDisclosure(b)
	reqs := MustScenarioRequests(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := d.Decide(ctx, reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkDecideParallel is the same under concurrent callers.
func BenchmarkDecideParallel(b *testing.B) {
	d := MustDisclosure(b)
	reqs := MustScenarioRequests(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := d.Decide(ctx, reqs[i%len(reqs)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkParseRequestBaseline decodes the same requests from their JSON
// form without deciding: the baseline that puts Decide's cost in proportion
// (what the CLI and the API already pay per request).
func BenchmarkParseRequestBaseline(b *testing.B) {
	cases, err := policy.LoadScenarios("scenarios")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := policy.ParseRequest(cases[i%len(cases)].Request); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
