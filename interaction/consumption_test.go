package interaction

import (
	"reflect"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// TestConsumptionFromReadings: D1, D8, issue 15 item 4 — consumption is the
// difference of consecutive index readings of one meter, within one
// occupancy period of the requester; never a reading, never across a gap
// in the occupancy, a meter change or an index reset.
func TestConsumptionFromReadings(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	rd := func(date, meter string, day, night, excl float64) coupole.Reading {
		return coupole.Reading{Date: d(date), Meter: coupole.MeterNumber(meter), Registers: coupole.Registers{DayKWh: day, NightKWh: night, ExclusiveNightKWh: excl}}
	}
	gas := func(date string, m3 float64) coupole.Reading {
		return coupole.Reading{Date: d(date), Meter: "G1", Registers: coupole.Registers{GasM3: m3}}
	}
	all := []period{{from: d("2020-01-01")}}
	for _, tc := range []struct {
		name    string
		rs      []coupole.Reading
		periods []period
		energy  coupole.Energy
		want    []ConsumptionView
	}{
		{"two annual readings: one period", []coupole.Reading{rd("2024-01-10", "M1", 69088, 30000, 0), rd("2025-01-10", "M1", 70884, 31000.5, 0)}, all, coupole.Electricity,
			[]ConsumptionView{{From: "2024-01-10", To: "2025-01-10", Days: 366, DayKWh: 1796, NightKWh: 1000.5, TotalKWh: 2796.5}}},
		{"unsorted readings are sorted", []coupole.Reading{rd("2025-01-10", "M1", 200, 0, 50), rd("2024-07-10", "M1", 150, 0, 40), rd("2024-01-10", "M1", 100, 0, 10)}, all, coupole.Electricity,
			[]ConsumptionView{{From: "2024-01-10", To: "2024-07-10", Days: 182, DayKWh: 50, ExclusiveNightKWh: 30, TotalKWh: 80}, {From: "2024-07-10", To: "2025-01-10", Days: 184, DayKWh: 50, ExclusiveNightKWh: 10, TotalKWh: 60}}},
		{"one reading: no consumption", []coupole.Reading{rd("2024-01-10", "M1", 100, 0, 0)}, all, coupole.Electricity, []ConsumptionView{}},
		{"meter replaced: not paired", []coupole.Reading{rd("2024-01-10", "M1", 69088, 0, 0), rd("2024-06-01", "M2", 12, 0, 0), rd("2025-01-10", "M2", 1500, 0, 0)}, all, coupole.Electricity,
			[]ConsumptionView{{From: "2024-06-01", To: "2025-01-10", Days: 223, DayKWh: 1488, TotalKWh: 1488}}},
		{"index went down: not paired", []coupole.Reading{rd("2024-01-10", "M1", 500, 0, 0), rd("2025-01-10", "M1", 100, 0, 0)}, all, coupole.Electricity, []ConsumptionView{}},
		{"across somebody else's occupancy: not paired (D1)", []coupole.Reading{rd("2022-01-10", "M1", 100, 0, 0), rd("2024-01-10", "M1", 900, 0, 0), rd("2025-01-10", "M1", 1300, 0, 0)},
			[]period{{from: d("2021-01-01"), to: d("2023-01-01")}, {from: d("2024-01-01")}}, coupole.Electricity,
			[]ConsumptionView{{From: "2024-01-10", To: "2025-01-10", Days: 366, DayKWh: 400, TotalKWh: 400}}},
		{"no period: nothing", []coupole.Reading{rd("2024-01-10", "M1", 100, 0, 0), rd("2025-01-10", "M1", 200, 0, 0)}, nil, coupole.Electricity, []ConsumptionView{}},
		{"gas in m³", []coupole.Reading{gas("2024-01-10", 1000), gas("2025-01-10", 1850.25)}, all, coupole.Gas,
			[]ConsumptionView{{From: "2024-01-10", To: "2025-01-10", Days: 366, GasM3: 850.3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := consumption(tc.rs, tc.periods, tc.energy); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("consumption = %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
