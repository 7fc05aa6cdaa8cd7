package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/coupole/coupole/audit/verify"
	"github.com/coupole/coupole/bench/internal/measure"
	"github.com/coupole/coupole/bench/internal/yearlog"
)

var generated struct {
	once   sync.Once
	bundle []byte
	events uint64
	v      note.Verifier
	err    error
}

// bundle returns an export bundle of 20,000 generated interactions (about
// 200,000 events in the interaction service's shapes, checkpoints every
// 500 events as a busy log signs them).
func bundle(tb testing.TB) ([]byte, uint64, note.Verifier) {
	g := &generated
	g.once.Do(func() {
		skey, vkey, err := note.GenerateKey(rand.Reader, "bench.coupole/audit")
		if err != nil {
			g.err = err
			return
		}
		s, _ := note.NewSigner(skey)
		g.v, _ = note.NewVerifier(vkey)
		var buf bytes.Buffer
		g.events, g.err = yearlog.WriteBundle(&buf, s, 20_000, 500)
		g.bundle = buf.Bytes()
	})
	if g.err != nil {
		tb.Fatal(g.err)
	}
	return g.bundle, g.events, g.v
}

// BenchmarkVerifyGenerated verifies the bundle in memory (issue 17, item
// 3: ≥ 1,000,000 events/s on one core, so run with -cpu 1); for profiles
// (-cpuprofile). bench/verify puts it beside sha256sum in the same run.
func BenchmarkVerifyGenerated(b *testing.B) {
	data, events, v := bundle(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	c0 := measure.Self()
	for range b.N {
		if _, err := verify.VerifyBundle(bytes.NewReader(data), verify.Options{Verifier: v}); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time beside the wall clock: on a shared machine the wall clock
	// measures the other processes.
	b.ReportMetric(float64((measure.Self()-c0).Nanoseconds())/float64(events*uint64(b.N)), "cpu-ns/event")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events*uint64(b.N)), "ns/event")
}

// BenchmarkSHA256Generated is the floor: Go's SHA-256 over the same bytes.
func BenchmarkSHA256Generated(b *testing.B) {
	data, events, _ := bundle(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	c0 := measure.Self()
	for range b.N {
		sha256.Sum256(data)
	}
	b.ReportMetric(float64((measure.Self()-c0).Nanoseconds())/float64(events*uint64(b.N)), "cpu-ns/event")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events*uint64(b.N)), "ns/event")
}
