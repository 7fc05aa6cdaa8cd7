package measure

import (
	"fmt"
	"slices"
	"time"
)

// Spread is the minimum, median and maximum of repeated measurements of
// one figure: interleaved rounds give one value each, and the spread says
// how far the machine's load moved them.
type Spread struct{ Min, Median, Max float64 }

// SpreadOf returns the spread of xs (zero for none).
func SpreadOf(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Spread{s[0], med, s[len(s)-1]}
}

// Format prints the spread with format f for each value: "min / median / max".
func (s Spread) Format(f string) string {
	return fmt.Sprintf(f+" / "+f+" / "+f, s.Min, s.Median, s.Max)
}

// Percentile returns the p-quantile (0 ≤ p ≤ 1) of ds, sorting ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}
