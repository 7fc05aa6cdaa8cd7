package letter_test

import "testing"

// BenchmarkRender is one letter rendered; bench/letters compares it with a
// baseline in the same run (docs/benchmarks.md).
func BenchmarkRender(b *testing.B) {
	m := message("bench")
	for b.Loop() {
		MustRender(b, m)
	}
}
