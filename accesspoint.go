package coupole

import (
	"strings"
	"time"
)

// Energy is what flows through an access point.
type Energy string

const (
	Electricity Energy = "electricity"
	Gas         Energy = "gas"
)

// Energies lists every Energy.
var Energies = []Energy{Electricity, Gas}

// ParseEnergy validates an energy name.
func ParseEnergy(s string) (Energy, error) { return parseEnum("energy", s, Energies) }

// ReadingRegime is how an access point's consumption is read; it decides
// where a customer gets their consumption history (D8).
type ReadingRegime string

const (
	RegimeAnnual  ReadingRegime = "annual"  // read once a year
	RegimeMonthly ReadingRegime = "monthly" // read every month
	RegimeRemote  ReadingRegime = "remote"  // remote reading without a smart meter
	RegimeSmart   ReadingRegime = "smart"   // smart (communicating) meter
)

// ReadingRegimes lists every ReadingRegime.
var ReadingRegimes = []ReadingRegime{RegimeAnnual, RegimeMonthly, RegimeRemote, RegimeSmart}

// ParseReadingRegime validates a reading regime name.
func ParseReadingRegime(s string) (ReadingRegime, error) {
	return parseEnum("reading_regime", s, ReadingRegimes)
}

// Address is a Belgian postal address.
type Address struct {
	Street   string
	Number   string
	Box      string // "bte" in French; often empty
	Postcode string // four digits
	Town     string
}

// Validate checks the parts every address needs.
func (a Address) Validate() error {
	switch {
	case strings.TrimSpace(a.Street) == "":
		return Errorf(EINVALID, "address: street is required")
	case strings.TrimSpace(a.Number) == "":
		return Errorf(EINVALID, "address: house number is required")
	case strings.TrimSpace(a.Town) == "":
		return Errorf(EINVALID, "address: town is required")
	}
	return ValidatePostcode(a.Postcode)
}

// ValidatePostcode checks a Belgian postcode: four digits, 1000 to 9999.
func ValidatePostcode(p string) error {
	if len(p) != 4 || p[0] == '0' || strings.Trim(p, "0123456789") != "" {
		return Errorf(EINVALID, "postcode must be four digits between 1000 and 9999")
	}
	return nil
}

// String formats the address the Belgian way: "Rue de la Station 12 bte 3, 5000 Namur".
func (a Address) String() string {
	s := a.Street + " " + a.Number
	if a.Box != "" {
		s += " bte " + a.Box
	}
	return s + ", " + a.Postcode + " " + a.Town
}

// Masked shows only the street and town, enough to tell candidates apart
// without revealing where someone lives (C1).
func (a Address) Masked() string {
	return a.Street + " ••, " + a.Postcode + " " + a.Town
}

// AccessPoint is a point of the grid where energy is delivered, identified by
// its EAN. It has one meter at a time.
type AccessPoint struct {
	EAN     EAN
	Energy  Energy
	Address Address // installation address
	Regime  ReadingRegime
	Meters  []MeterInstallation // oldest first; the last one with To zero is in place
}

// MeterInstallation is a meter in place on an access point during [From, To).
// To is zero while the meter is in place.
type MeterInstallation struct {
	Number MeterNumber
	From   time.Time
	To     time.Time
}

// Validate checks the access point's invariants.
func (ap AccessPoint) Validate() error {
	if _, err := ParseEAN(string(ap.EAN)); err != nil {
		return err
	}
	if _, err := ParseEnergy(string(ap.Energy)); err != nil {
		return err
	}
	if _, err := ParseReadingRegime(string(ap.Regime)); err != nil {
		return err
	}
	if err := ap.Address.Validate(); err != nil {
		return err
	}
	for i, m := range ap.Meters {
		if m.Number == "" {
			return Errorf(EINVALID, "meter %d: number is required", i+1)
		}
		if !m.To.IsZero() && !m.To.After(m.From) {
			return Errorf(EINVALID, "meter %d: removal date must be after installation date", i+1)
		}
		if i > 0 {
			prev := ap.Meters[i-1]
			if prev.To.IsZero() || prev.To.After(m.From) {
				return Errorf(EINVALID, "meter %d: installed before the previous meter was removed", i+1)
			}
		}
	}
	return nil
}

// MeterOn returns the meter in place on day t, if any.
func (ap AccessPoint) MeterOn(t time.Time) (MeterInstallation, bool) {
	for _, m := range ap.Meters {
		if !t.Before(m.From) && (m.To.IsZero() || t.Before(m.To)) {
			return m, true
		}
	}
	return MeterInstallation{}, false
}
