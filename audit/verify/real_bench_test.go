package verify

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// BenchmarkVerifyRealBundle verifies the export bundle named by
// COUPOLE_BENCH_BUNDLE with the verifier key in COUPOLE_BENCH_KEY (a key
// or a file holding one): the events of a real run (bench/flows), not
// synthetic ones (issue 17, item 3). bench/verify puts the figure beside
// sha256sum's; this benchmark is for profiles (-cpuprofile).
func BenchmarkVerifyRealBundle(b *testing.B) {
	path, key := os.Getenv("COUPOLE_BENCH_BUNDLE"), os.Getenv("COUPOLE_BENCH_KEY")
	if path == "" || key == "" {
		b.Skip("COUPOLE_BENCH_BUNDLE and COUPOLE_BENCH_KEY name a real bundle and its key")
	}
	if k, err := os.ReadFile(key); err == nil {
		key = strings.TrimSpace(string(k))
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	var events uint64
	for range b.N {
		rep, err := VerifyBundle(bytes.NewReader(data), Options{Verifier: v})
		if err != nil {
			b.Fatal(err)
		}
		events += rep.Leaves
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}
