package coupole

import "strings"

// MeterNumber is the serial number printed on a meter. It is a string, not a
// number: leading zeros matter. Suffixes after a dash (a register or a
// revision on some labels) are not part of it.
type MeterNumber string

// ParseMeterNumber normalises a meter number typed by a person: surrounding
// spaces and any suffix after the first dash are dropped, inner spaces are
// removed, letters are upper-cased, leading zeros are kept.
func ParseMeterNumber(s string) (MeterNumber, error) {
	if i := strings.IndexByte(s, '-'); i >= 0 {
		s = s[:i]
	}
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return "", Errorf(EINVALID, "meter number is empty")
	}
	// Checked before upper-casing: strings.ToUpper turns some non-ASCII
	// letters into ASCII ones ("ı" into "I", "ſ" into "S"), which would
	// accept a number that was never typed.
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			return "", Errorf(EINVALID, "meter number may contain only digits and letters")
		}
	}
	if len(s) > 20 {
		return "", Errorf(EINVALID, "meter number is too long (%d characters, at most 20)", len(s))
	}
	return MeterNumber(strings.ToUpper(s)), nil
}

// String returns the normalised meter number.
func (m MeterNumber) String() string { return string(m) }

// Masked keeps the last three characters.
func (m MeterNumber) Masked() string {
	s := string(m)
	if len(s) <= 3 {
		return "•••"
	}
	return strings.Repeat("•", len(s)-3) + s[len(s)-3:]
}
