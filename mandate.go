package coupole

import (
	"strings"
	"time"
)

// MandateScope says what a mandatary may ask on behalf of the customer.
type MandateScope string

const (
	ScopeAll         MandateScope = "all"         // any question about the customer's access points
	ScopeConsumption MandateScope = "consumption" // consumption and readings only
	ScopeCase        MandateScope = "case"        // the status of the customer's cases only
)

// MandateScopes lists every MandateScope.
var MandateScopes = []MandateScope{ScopeAll, ScopeConsumption, ScopeCase}

// ParseMandateScope validates a mandate scope.
func ParseMandateScope(s string) (MandateScope, error) {
	return parseEnum("mandate scope", s, MandateScopes)
}

// Mandate lets someone act for a customer during [ValidFrom, ValidTo).
// A CPAS holds permanent mandates (ValidTo zero) for its beneficiaries (D6);
// then CPASID is set and MandataryName is the CPAS's name.
type Mandate struct {
	ID            string
	CustomerID    string // the mandator
	MandataryName string
	CPASID        string // set when the mandatary is a CPAS
	Scope         MandateScope
	ValidFrom     time.Time
	ValidTo       time.Time // zero: until revoked
}

// MandateValidity is the "mandate" fact of the disclosure policy.
type MandateValidity string

const (
	MandateNone    MandateValidity = "none"
	MandateValid   MandateValidity = "valid"
	MandateExpired MandateValidity = "expired"
)

// ValidityOn says whether the mandate is valid on day t.
func (m Mandate) ValidityOn(t time.Time) MandateValidity {
	if t.Before(m.ValidFrom) {
		return MandateNone
	}
	if !m.ValidTo.IsZero() && !t.Before(m.ValidTo) {
		return MandateExpired
	}
	return MandateValid
}

// Validate checks the mandate's invariants.
func (m Mandate) Validate() error {
	switch {
	case strings.TrimSpace(m.ID) == "":
		return Errorf(EINVALID, "mandate id is required")
	case m.CustomerID == "":
		return Errorf(EINVALID, "mandate: customer id is required")
	case strings.TrimSpace(m.MandataryName) == "":
		return Errorf(EINVALID, "mandate: mandatary name is required")
	case m.ValidFrom.IsZero():
		return Errorf(EINVALID, "mandate: start date is required")
	case !m.ValidTo.IsZero() && !m.ValidTo.After(m.ValidFrom):
		return Errorf(EINVALID, "mandate: end date must be after start date")
	}
	_, err := ParseMandateScope(string(m.Scope))
	return err
}

// CPAS is a municipal social-welfare centre (Centre public d'action sociale).
// Its dedicated phone line is configuration, not data: it is never stored
// here so that it cannot leak through a screen (D6).
type CPAS struct {
	ID   string
	Name string // "CPAS de Namur"
	Town string
}
