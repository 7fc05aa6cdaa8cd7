package verify

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"
)

// BenchmarkVerify measures bundle verification (T2 figure: ≥ 1,000,000
// events/s on one core; run with -cpu 1) against the baseline of hashing
// alone: the leaf hash and the payload commitment of every event, with no
// parsing, no tree and no signature.
func BenchmarkVerify(b *testing.B) {
	const n = 200_000
	s, v := MustKey(b, "bench/audit")
	bundle := MustBundle(b, s, n, n/10, []uint64{n / 4, n / 2})
	b.Run("bundle", func(b *testing.B) {
		b.SetBytes(int64(len(bundle)))
		start := time.Now()
		for range b.N {
			if _, err := VerifyBundle(bytes.NewReader(bundle), Options{Verifier: v}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "events/s")
	})
	b.Run("hashing-only", func(b *testing.B) {
		rec := make([]byte, 1+LeafSize)
		salt := make([]byte, SaltSize)
		payload, _ := EncodePayload(Event{Actor: "staff-1", Action: "read", Customers: []string{"c12345"}})
		start := time.Now()
		for range b.N {
			for range n {
				sha256.Sum256(rec)
				Commit(salt, payload)
			}
		}
		b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "events/s")
	})
}
