package coupole

import (
	"math"
	"time"
)

// Registers holds a meter index. Electricity meters have a day register
// (the only one on single-rate meters), a night register on dual-rate meters
// and an exclusive-night register for storage heating; gas meters have one
// register in m³. Registers a meter does not have are zero.
type Registers struct {
	DayKWh            float64
	NightKWh          float64
	ExclusiveNightKWh float64
	GasM3             float64
}

// Total is the sum of all registers, for plausibility checks.
func (r Registers) Total() float64 {
	return r.DayKWh + r.NightKWh + r.ExclusiveNightKWh + r.GasM3
}

// Validate checks that every register is a finite number, not negative.
func (r Registers) Validate() error {
	for _, v := range []float64{r.DayKWh, r.NightKWh, r.ExclusiveNightKWh, r.GasM3} {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return Errorf(EINVALID, "an index must be a finite number")
		case v < 0:
			return Errorf(EINVALID, "an index cannot be negative")
		}
	}
	return nil
}

// ReadingSource says who produced a reading.
type ReadingSource string

const (
	SourceCustomer      ReadingSource = "customer"       // given by the customer (card, web)
	SourceContactCenter ReadingSource = "contact_center" // given by phone to an advisor (C3)
	SourceTechnician    ReadingSource = "technician"     // read on site
	SourceRemote        ReadingSource = "remote"         // remote reading or smart meter
	SourceEstimated     ReadingSource = "estimated"      // estimated by the operator
)

// ReadingSources lists every ReadingSource.
var ReadingSources = []ReadingSource{SourceCustomer, SourceContactCenter, SourceTechnician, SourceRemote, SourceEstimated}

// ParseReadingSource validates a reading source.
func ParseReadingSource(s string) (ReadingSource, error) {
	return parseEnum("reading source", s, ReadingSources)
}

// Reading is a meter index on a day.
type Reading struct {
	EAN       EAN
	Date      time.Time // a day
	Meter     MeterNumber
	Registers Registers
	Source    ReadingSource
	Regime    ReadingRegime // the regime in force when it was read
}

// Validate checks the reading's invariants.
func (r Reading) Validate() error {
	if _, err := ParseEAN(string(r.EAN)); err != nil {
		return err
	}
	if r.Date.IsZero() {
		return Errorf(EINVALID, "reading: date is required")
	}
	if err := r.Registers.Validate(); err != nil {
		return Errorf(EINVALID, "reading: %s", ErrorMessage(err))
	}
	if _, err := ParseReadingSource(string(r.Source)); err != nil {
		return err
	}
	_, err := ParseReadingRegime(string(r.Regime))
	return err
}

// HistoryYears is how far back consumption history goes (D8).
const HistoryYears = 3

// PublicNoticeKind tells planned works from outages.
type PublicNoticeKind string

const (
	PlannedWorks PublicNoticeKind = "planned_works"
	Outage       PublicNoticeKind = "outage"
)

// PublicNotice is public information (D9): planned works or an outage in a
// street during [From, To). It holds no personal data and may be told to
// anyone without verification.
type PublicNotice struct {
	ID          string
	Kind        PublicNoticeKind
	Energy      Energy
	Postcode    string
	Town        string
	Street      string // empty: the whole postcode
	From        time.Time
	To          time.Time
	Description string // in French; the operator's wording
}
