// Package retention keeps the registry of recorded communications and of
// Coupole's own records, their retention classes (R2, R3), legal holds
// (R3), and the purge that deletes what is due and leaves evidence (R4).
// See docs/retention.md.
package retention

import (
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// A Class is a retention rule: how long an item is kept from its
// communication, and on what basis. Classes are configuration, not code.
type Class struct {
	Name       string `json:"name"`
	Months     int    `json:"months"`
	Days       int    `json:"days"`
	LegalBasis string `json:"legal_basis"`
	// CallReasons chooses this class at wrap-up for interactions with one
	// of these call-reason codes (interaction/reasons.go).
	CallReasons []string `json:"call_reasons,omitempty"`
}

// Due returns the end of retention of something communicated at start.
func (c Class) Due(start time.Time) time.Time {
	return start.UTC().AddDate(0, c.Months, c.Days)
}

// Config is the retention configuration: the classes, which one is the
// default (R2), and the classes of Coupole's own records.
type Config struct {
	Default string  `json:"default"`
	Classes []Class `json:"classes"`
	// Own maps a kind of Coupole's own record (interaction, delivery,
	// session, trace) to its class.
	Own map[string]string `json:"own"`
}

// DefaultConfig is used when no file is configured. The legal class's
// duration is a placeholder the privacy officer must confirm against the
// obligation that applies (docs/retention.md).
func DefaultConfig() Config {
	return Config{
		Default: "default",
		Classes: []Class{
			{Name: "default", Months: 1, LegalBasis: "R2: one month from the communication"},
			{Name: "legal_emergency", Months: 60, LegalBasis: "R3: emergency calls (gas odour, electrical danger) kept as evidence of the intervention",
				CallReasons: []string{"emergency_gas_odour", "emergency_electrical"}},
			{Name: "own_interaction", Months: 13, LegalBasis: "closed interactions: one year and a month, for complaints"},
			{Name: "own_delivery", Months: 13, LegalBasis: "deliveries: one year and a month, for complaints"},
			{Name: "own_session", Days: 90, LegalBasis: "sign-in sessions: 90 days, for security investigations"},
			{Name: "own_trace", Months: 24, LegalBasis: "trace payloads: two years (T2); leaves and proofs are kept"},
		},
		Own: map[string]string{KindInteraction: "own_interaction", KindDelivery: "own_delivery", KindSession: "own_session", KindTrace: "own_trace"},
	}
}

// LoadConfig reads a configuration file (JSON, shaped as Config).
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, coupole.Errorf(coupole.EINVALID, "retention classes: cannot read %s", path)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return Config{}, coupole.Errorf(coupole.EINVALID, "retention classes: %s: %v", path, err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, coupole.Errorf(coupole.EINVALID, "retention classes: %s: %s", path, coupole.ErrorMessage(err))
	}
	return c, nil
}

// Validate checks that names are unique words, durations positive, every
// class has a legal basis, the default exists, and no call reason or own
// kind points to two classes or to none.
func (c Config) Validate() error {
	seen := map[string]bool{}
	reasons := map[string]string{}
	for i, k := range c.Classes {
		if k.Name == "" || strings.Trim(k.Name, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return coupole.Errorf(coupole.EINVALID, "class %d: name %q must be lower-case letters, digits and underscores", i+1, k.Name)
		}
		if seen[k.Name] {
			return coupole.Errorf(coupole.EINVALID, "class %q appears twice", k.Name)
		}
		seen[k.Name] = true
		if k.Months < 0 || k.Days < 0 || k.Months+k.Days == 0 {
			return coupole.Errorf(coupole.EINVALID, "class %q: months and days must not be negative and not both zero", k.Name)
		}
		if strings.TrimSpace(k.LegalBasis) == "" {
			return coupole.Errorf(coupole.EINVALID, "class %q: legal_basis is required", k.Name)
		}
		for _, r := range k.CallReasons {
			if other, ok := reasons[r]; ok {
				return coupole.Errorf(coupole.EINVALID, "call reason %q is in classes %q and %q", r, other, k.Name)
			}
			reasons[r] = k.Name
		}
	}
	if !seen[c.Default] {
		return coupole.Errorf(coupole.EINVALID, "default class %q is not defined", c.Default)
	}
	for _, kind := range []string{KindInteraction, KindDelivery, KindSession, KindTrace} {
		if !seen[c.Own[kind]] {
			return coupole.Errorf(coupole.EINVALID, "own records of kind %q: class %q is not defined", kind, c.Own[kind])
		}
	}
	for kind := range c.Own {
		if !ownKind(kind) {
			return coupole.Errorf(coupole.EINVALID, "own: %q is not a kind of Coupole's own records", kind)
		}
	}
	return nil
}

// Class returns the class named name.
func (c Config) Class(name string) (Class, bool) {
	for _, k := range c.Classes {
		if k.Name == name {
			return k, true
		}
	}
	return Class{}, false
}

// ForCallReason returns the class chosen at wrap-up for a call reason: the
// class that lists it, or the default.
func (c Config) ForCallReason(reason string) Class {
	for _, k := range c.Classes {
		for _, r := range k.CallReasons {
			if r == reason {
				return k
			}
		}
	}
	k, _ := c.Class(c.Default)
	return k
}

// ForOwn returns the class of one kind of Coupole's own records.
func (c Config) ForOwn(kind string) Class {
	k, _ := c.Class(c.Own[kind])
	return k
}

// ForCallReasons returns the class of an interaction closed with several
// call reasons: of the classes they choose, the one that keeps longest
// (an e-mail about an outage that turned out to be a gas odour keeps the
// gas odour's class), and the reason that chose it; the default and ""
// when none chooses a class.
func (c Config) ForCallReasons(reasons []string) (Class, string) {
	best, why := Class{}, ""
	ref := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range reasons {
		k := c.ForCallReason(r)
		if k.Name == c.Default {
			continue
		}
		if why == "" || k.Due(ref).After(best.Due(ref)) {
			best, why = k, r
		}
	}
	if why == "" {
		best, _ = c.Class(c.Default)
	}
	return best, why
}
