package interaction

import (
	"math"
	"slices"

	"github.com/coupole/coupole"
)

// ConsumptionView is what was consumed between two consecutive index
// readings of the same meter (issue 15, item 4): the difference of each
// register, over the days from one reading to the next. Index readings are
// cumulative; a consumption is always such a difference, never a reading.
type ConsumptionView struct {
	From              string  `json:"from"` // the earlier reading's day
	To                string  `json:"to"`   // the later reading's day
	Days              int     `json:"days"`
	DayKWh            float64 `json:"day_kwh,omitempty"`
	NightKWh          float64 `json:"night_kwh,omitempty"`
	ExclusiveNightKWh float64 `json:"exclusive_night_kwh,omitempty"`
	TotalKWh          float64 `json:"total_kwh,omitempty"`
	GasM3             float64 `json:"gas_m3,omitempty"`
}

// consumption turns index readings into consumption per period, within
// the requester's occupancy periods only (D1, D8): two consecutive readings
// count only when both lie in the same occupancy period, so no period spans
// somebody else's occupancy, and the readings are those of the last three
// years the caller already clipped. Readings of different meters (a meter
// was replaced) or with a register that went down (an index reset) are not
// paired: their difference is no consumption. Oldest first.
func consumption(rs []coupole.Reading, periods []period, e coupole.Energy) []ConsumptionView {
	rs = slices.Clone(rs)
	slices.SortStableFunc(rs, func(a, b coupole.Reading) int { return a.Date.Compare(b.Date) })
	out := []ConsumptionView{}
	for i := 1; i < len(rs); i++ {
		a, b := rs[i-1], rs[i]
		if a.Meter != b.Meter || !b.Date.After(a.Date) || !samePeriod(periods, a, b) {
			continue
		}
		d := ConsumptionView{From: day(a.Date), To: day(b.Date), Days: int(math.Round(b.Date.Sub(a.Date).Hours() / 24))}
		ra, rb := a.Registers, b.Registers
		diffs := []float64{rb.DayKWh - ra.DayKWh, rb.NightKWh - ra.NightKWh, rb.ExclusiveNightKWh - ra.ExclusiveNightKWh, rb.GasM3 - ra.GasM3}
		if slices.ContainsFunc(diffs, func(x float64) bool { return x < 0 }) {
			continue
		}
		if e == coupole.Gas {
			d.GasM3 = round1(diffs[3])
		} else {
			d.DayKWh, d.NightKWh, d.ExclusiveNightKWh = round1(diffs[0]), round1(diffs[1]), round1(diffs[2])
			d.TotalKWh = round1(diffs[0] + diffs[1] + diffs[2])
		}
		out = append(out, d)
	}
	return out
}

// samePeriod reports whether both readings lie in one of the periods.
func samePeriod(ps []period, a, b coupole.Reading) bool {
	for _, p := range ps {
		if p.contains(a.Date) && p.contains(b.Date) {
			return true
		}
	}
	return false
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
