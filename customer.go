package coupole

import (
	"strings"
	"time"
)

// Language is the language a customer or staff member is served in.
type Language string

const (
	French  Language = "fr"
	Dutch   Language = "nl"
	German  Language = "de"
	English Language = "en"
)

// Languages lists every Language, French first: it is the default.
var Languages = []Language{French, Dutch, German, English}

// ParseLanguage validates a language code.
func ParseLanguage(s string) (Language, error) { return parseEnum("language", s, Languages) }

// Customer is a grid user: a person or organisation that occupies, or has
// occupied, one or more access points.
type Customer struct {
	ID         string // the operator's customer reference
	GivenName  string
	FamilyName string
	Language   Language
	// Mobile is the registered mobile number in E.164 (+32470123456), empty when
	// none. An SMS goes only to a number registered before the interaction (D4).
	Mobile             string
	MobileRegisteredAt time.Time
	Email              string
	PostalAddress      Address
	// Protection flags a customer who is a staff member or a protected
	// person (ProtectionStaff, ProtectionProtected): every view of them
	// raises an alert (issue 16, T1). An import sets it; it never clears it.
	Protection string
}

// Name returns the customer's full name as printed on a letter.
func (c Customer) Name() string {
	return strings.TrimSpace(c.GivenName + " " + c.FamilyName)
}

// MaskedName shows the initial of the given name and of the family name only:
// enough for an advisor to choose between candidates (C1).
func (c Customer) MaskedName() string {
	return maskWord(c.GivenName) + " " + maskWord(c.FamilyName)
}

func maskWord(s string) string {
	for _, r := range s {
		return string(r) + "•••"
	}
	return "•"
}

// HasMobileRegisteredBefore reports whether a mobile number was registered
// strictly before t; only such a number may receive an SMS (D4).
func (c Customer) HasMobileRegisteredBefore(t time.Time) bool {
	return c.Mobile != "" && !c.MobileRegisteredAt.IsZero() && c.MobileRegisteredAt.Before(t)
}

// Validate checks the customer's invariants.
func (c Customer) Validate() error {
	switch {
	case strings.TrimSpace(c.ID) == "":
		return Errorf(EINVALID, "customer id is required")
	case strings.TrimSpace(c.FamilyName) == "":
		return Errorf(EINVALID, "customer family name is required")
	}
	if _, err := ParseLanguage(string(c.Language)); err != nil {
		return err
	}
	if c.Mobile != "" {
		if err := ValidateE164(c.Mobile); err != nil {
			return err
		}
		if c.MobileRegisteredAt.IsZero() {
			return Errorf(EINVALID, "mobile registration time is required with a mobile number")
		}
	}
	if c.Email != "" && !strings.Contains(c.Email, "@") {
		return Errorf(EINVALID, "e-mail address is not valid")
	}
	return c.PostalAddress.Validate()
}

// ValidateE164 checks the shape of a normalised phone number: a plus sign and
// 8 to 15 digits. Normalising what a person typed is the job of an adapter
// that knows numbering plans.
func ValidateE164(s string) error {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || strings.Trim(s[1:], "0123456789") != "" {
		return Errorf(EINVALID, "phone number must be in international format (+32…)")
	}
	return nil
}

// MaskPhone keeps the last two digits: "+32470123412" → "+32 ••• •• •• 12".
func MaskPhone(e164 string) string {
	if len(e164) < 5 {
		return "••"
	}
	return e164[:3] + " ••• •• •• " + e164[len(e164)-2:]
}
