package interaction

import (
	"context"
	"strconv"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
)

// maxPerDay is the most a meter plausibly records in a day, by energy and
// reading regime (monthly reading is for businesses). Above it the index is
// refused as a probable typing error (C3).
func maxPerDay(e coupole.Energy, r coupole.ReadingRegime) float64 {
	business := r == coupole.RegimeMonthly
	switch {
	case e == coupole.Gas && business:
		return 3000 // m³
	case e == coupole.Gas:
		return 60 // m³: a large house in a cold spell
	case business:
		return 8000 // kWh
	default:
		return 150 // kWh: a household with storage heating and an EV
	}
}

// SubmitReading takes a meter index given by the caller (C3) for the
// current access point, once the meter number is verified: it must not be
// lower than an earlier reading of the same meter (a decrease needs a meter
// change), and the consumption per day since then must be plausible for the
// energy and the reading regime. It is stored with source contact_center
// and traced first.
func (s *Service) SubmitReading(ctx context.Context, a Actor, id string, r ReadingRequest) (ReadingResult, error) {
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return ReadingResult{}, err
	}
	sj, err := s.subject(ctx, in)
	if err != nil {
		return ReadingResult{}, err
	}
	if in.CurrentEAN == "" || !sj.point.Verified {
		return ReadingResult{}, coupole.Errorf(coupole.ECONFLICT, "verify the meter number before taking an index")
	}
	today := coupole.Date(s.Clock.Now())
	date := today
	if r.Date != "" {
		if date, err = time.Parse(time.DateOnly, r.Date); err != nil {
			return ReadingResult{}, coupole.Errorf(coupole.EINVALID, "date: must be YYYY-MM-DD")
		}
	}
	if date.After(today) {
		return ReadingResult{}, coupole.Errorf(coupole.EINVALID, "date: an index cannot be dated in the future")
	}
	if today.Sub(date) > 31*24*time.Hour {
		return ReadingResult{}, coupole.Errorf(coupole.EINVALID, "date: an index given by phone must be at most 31 days old")
	}
	regs := coupole.Registers{DayKWh: r.DayKWh, NightKWh: r.NightKWh, ExclusiveNightKWh: r.ExclusiveNightKWh, GasM3: r.GasM3}
	if (sj.ap.Energy == coupole.Gas) != (regs.GasM3 > 0) || (sj.ap.Energy == coupole.Gas && regs.DayKWh+regs.NightKWh+regs.ExclusiveNightKWh > 0) {
		return ReadingResult{}, coupole.Errorf(coupole.EINVALID, "registers: a gas meter has one register (gas_m3), an electricity meter day, night and exclusive night registers (kWh)")
	}
	meter, ok := sj.ap.MeterOn(date)
	if !ok {
		return ReadingResult{}, coupole.Errorf(coupole.EINVALID, "date: no meter was in place on that day")
	}
	reading := coupole.Reading{EAN: sj.ap.EAN, Date: date, Meter: meter.Number, Registers: regs, Source: coupole.SourceContactCenter, Regime: sj.ap.Regime}
	if err := reading.Validate(); err != nil {
		return ReadingResult{}, err
	}
	earlier, err := s.Grid.Readings(ctx, sj.ap.EAN, meter.From, date.AddDate(0, 0, 1))
	if err != nil {
		return ReadingResult{}, err
	}
	// The baseline is the last reading of this meter; a new meter starts at
	// zero on its installation day.
	prev := coupole.Reading{Date: meter.From}
	for _, e := range earlier {
		if e.Meter != meter.Number {
			continue
		}
		if e.Date.Equal(date) {
			return ReadingResult{}, coupole.Errorf(coupole.ECONFLICT, "date: this meter already has a reading on %s", day(date))
		}
		prev = e
	}
	p, n := prev.Registers, regs
	if n.DayKWh < p.DayKWh || n.NightKWh < p.NightKWh || n.ExclusiveNightKWh < p.ExclusiveNightKWh || n.GasM3 < p.GasM3 {
		return ReadingResult{}, coupole.Errorf(coupole.EINVALID, "index: lower than the reading of %s on the same meter; an index only decreases after a meter change", day(prev.Date))
	}
	days := max(1, date.Sub(prev.Date).Hours()/24)
	perDay := (n.Total() - p.Total()) / days
	if limit := maxPerDay(sj.ap.Energy, sj.ap.Regime); perDay > limit {
		return ReadingResult{}, coupole.Errorf(coupole.EINVALID, "index: %.0f per day since %s is implausible for this meter (at most %.0f): check the figures with the caller", perDay, day(prev.Date), limit)
	}
	ev := audit.Event{Action: "interaction.reading", AccessPoints: []string{string(sj.ap.EAN)}, Customers: []string{in.CurrentCustomer},
		Data: []string{"reading_date=" + day(date), "source=contact_center", "per_day=" + strconv.FormatFloat(perDay, 'f', 1, 64)}}
	if _, err := s.trace(ctx, a, in, ev); err != nil {
		return ReadingResult{}, err
	}
	if err := s.Grid.Load(ctx, &coupole.Batch{Readings: []coupole.Reading{reading}}); err != nil {
		return ReadingResult{}, err
	}
	res := ReadingResult{Date: day(date), Source: string(coupole.SourceContactCenter), PerDay: perDay}
	if prev.Meter != "" {
		res.Previous = day(prev.Date)
	}
	return res, nil
}
