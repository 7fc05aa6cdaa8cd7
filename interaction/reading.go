package interaction

import (
	"context"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
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
// current access point. Who may give one is the disclosure policy's
// decision on item meter_reading, with facts derived from the data: the
// verified current occupant, their mandatary or a CPAS on its line whose
// valid mandate covers consumption (D1, D6). A refusal is traced with its
// target and nothing is read or stored.
//
// An index taken must not be lower than the last reading of the same meter
// (a decrease needs a meter change), and the consumption per day since then
// must be plausible for the energy and the reading regime. It is stored
// with source contact_center, traced first. The answer carries the previous
// reading's date and the consumption per day only to a caller the policy
// lets hear the consumption history (D8), and only when that reading lies
// in the caller's own occupancy (D1); the trace never carries the figure.
func (s *Service) SubmitReading(ctx context.Context, a Actor, id string, r ReadingRequest) (ReadingResult, error) {
	in, err := s.own(ctx, a, id, true)
	if err != nil {
		return ReadingResult{}, err
	}
	dv, sj, err := s.decide(ctx, a, in, string(policy.ItemMeterReading))
	if err != nil {
		return ReadingResult{}, err
	}
	if dv.Outcome != string(policy.OutcomeOral) || in.CurrentEAN == "" {
		if _, err := s.trace(ctx, a, in, s.decisionEvent("interaction.reading_refused", dv)); err != nil {
			return ReadingResult{}, err
		}
		// A refusal of the policy, like Execute's: the request does not
		// fit this call (409), not a role denied (403).
		return ReadingResult{}, coupole.Errorf(coupole.ECONFLICT, "index not taken: the disclosure policy refuses it (%s)", dv.Reason)
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
	periods, _ := s.scope(sj)
	if !inPeriods(periods, date) {
		return ReadingResult{}, coupole.Errorf(coupole.EINVALID, "date: an index must be dated within the occupancy of the customer it is taken for")
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
	// May the caller hear the consumption (D8), and is the baseline theirs
	// (D1)? Asked before any reading is read, so that every message below
	// is worded for this caller.
	told, err := s.maySeeConsumption(ctx, dv)
	if err != nil {
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
			return ReadingResult{}, coupole.Errorf(coupole.ECONFLICT, "date: this meter already has a reading on the day given")
		}
		prev = e
	}
	told = told && inPeriods(periods, prev.Date)
	ev := s.decisionEvent("interaction.reading", dv)
	ev.Data = append(ev.Data, "reading_date="+day(date), "source=contact_center")
	p, n := prev.Registers, regs
	days := max(1, date.Sub(prev.Date).Hours()/24)
	perDay := (n.Total() - p.Total()) / days
	var rejected error
	switch limit := maxPerDay(sj.ap.Energy, sj.ap.Regime); {
	case n.DayKWh < p.DayKWh || n.NightKWh < p.NightKWh || n.ExclusiveNightKWh < p.ExclusiveNightKWh || n.GasM3 < p.GasM3:
		ev.Data = append(ev.Data, "rejected=lower_than_previous")
		rejected = coupole.Errorf(coupole.EINVALID, "index: lower than the previous reading of the same meter; an index only decreases after a meter change")
		if told {
			rejected = coupole.Errorf(coupole.EINVALID, "index: lower than the reading of %s on the same meter; an index only decreases after a meter change", day(prev.Date))
		}
	case perDay > limit:
		ev.Data = append(ev.Data, "rejected=implausible")
		rejected = coupole.Errorf(coupole.EINVALID, "index: the consumption since the previous reading is implausible for this meter: check the figures with the caller")
		if told {
			rejected = coupole.Errorf(coupole.EINVALID, "index: %.0f per day since %s is implausible for this meter (at most %.0f): check the figures with the caller", perDay, day(prev.Date), limit)
		}
	case told:
		ev.Data = append(ev.Data, "disclosed=consumption_per_day")
	}
	if rejected != nil {
		// A rejection tells something about the earlier readings: traced
		// too, as an attempt, without any figure.
		ev.Action = "interaction.reading_rejected"
		if _, err := s.trace(ctx, a, in, ev); err != nil {
			return ReadingResult{}, err
		}
		return ReadingResult{}, rejected
	}
	// Stored in the event's own transaction: two identical indexes given at
	// once are stored and acknowledged once; the other is refused (409),
	// its event left as an attempt.
	if _, err := s.traceThen(ctx, a, in, ev, func(ctx context.Context, _ uint64) error {
		return s.Grid.AddReading(ctx, reading)
	}); err != nil {
		return ReadingResult{}, err
	}
	res := ReadingResult{Date: day(date), Source: string(coupole.SourceContactCenter)}
	if told {
		res.PerDay = &perDay
		if prev.Meter != "" {
			res.Previous = day(prev.Date)
		}
	}
	return res, nil
}

// maySeeConsumption says whether the caller of a meter_reading decision may
// be told the consumption history in the conversation: the policy's own
// answer for consumption_history on the same facts (D8), never a rule of
// its own here.
func (s *Service) maySeeConsumption(ctx context.Context, dv DecisionView) (bool, error) {
	req := dv.request
	req.Item = policy.ItemConsumptionHistory
	if req.Facts.ReadingRegime == "" {
		return false, nil
	}
	d, err := s.Policy.Decide(ctx, req)
	if err != nil {
		return false, err
	}
	return d.Outcome == policy.OutcomeOral, nil
}
