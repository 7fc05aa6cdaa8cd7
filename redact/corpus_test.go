package redact_test

import (
	"os"
	"testing"

	"github.com/coupole/coupole/redact"
)

// MustCorpus reads the labelled corpus.
func MustCorpus(tb testing.TB) []redact.Sentence {
	tb.Helper()
	f, err := os.Open("testdata/corpus.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	c, err := redact.ReadCorpus(f)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestCorpusMeetsItsGoals (G5, issue 16 item 3): on the labelled corpus of
// at least 200 sentences in the four languages, recall is at least 0.99 on
// structured identifiers and 0.95 on names. The figures are those of
// docs/benchmarks.md.
func TestCorpusMeetsItsGoals(t *testing.T) {
	c := MustCorpus(t)
	langs := map[string]int{}
	for _, s := range c {
		langs[s.Lang]++
	}
	if len(c) < 200 || len(langs) != 4 {
		t.Fatalf("corpus: %d sentences in %v; want at least 200 in fr, nl, de and en", len(c), langs)
	}
	sc := redact.Evaluate(c)
	t.Logf("%d sentences %v\n%s", len(c), langs, sc.Table())
	for _, m := range sc.Misses {
		t.Logf("missed %s", m)
	}
	for _, w := range sc.Wrong {
		t.Logf("false alarm %s", w)
	}
	if r := sc.Structured.Recall(); r < 0.99 {
		t.Errorf("structured recall %.3f; want at least 0.99", r)
	}
	if r := sc.Names.Recall(); r < 0.95 {
		t.Errorf("name recall %.3f; want at least 0.95", r)
	}
	// Precision has no goal in the issue; hold it where it is.
	if p := sc.Structured.Precision(); p < 0.95 {
		t.Errorf("structured precision %.3f; want at least 0.95", p)
	}
	if p := sc.Names.Precision(); p < 0.9 {
		t.Errorf("name precision %.3f; want at least 0.9", p)
	}
}

// BenchmarkCorpus redacts the whole corpus once per iteration
// (docs/benchmarks.md reports the time per sentence).
func BenchmarkCorpus(b *testing.B) {
	c := MustCorpus(b)
	b.ResetTimer()
	for b.Loop() {
		for _, s := range c {
			redact.Find(s.Text, redact.Options{Names: s.Names})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(c)), "µs/sentence")
}
