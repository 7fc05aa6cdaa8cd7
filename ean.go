package coupole

import (
	"strings"
)

// EAN identifies an access point: a GS1 GSRN of 18 digits whose last digit is
// the GS1 mod-10 check digit. Belgian access points start with 5414.
// The zero value is not a valid EAN.
type EAN string

// BelgianEANPrefix starts every access point the operator serves.
const BelgianEANPrefix = "5414"

// ParseEAN accepts an EAN typed by a person (spaces, dots and dashes between
// digit groups are ignored) and returns it as 18 digits, or an EINVALID error
// that says what is wrong. The error never repeats the input: an EAN is
// personal data.
func ParseEAN(s string) (EAN, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '\u00a0':
		default:
			return "", Errorf(EINVALID, "EAN must contain only digits (found %q)", r)
		}
	}
	digits := b.String()
	if len(digits) != 18 {
		return "", Errorf(EINVALID, "EAN must have 18 digits, not %d", len(digits))
	}
	if !strings.HasPrefix(digits, BelgianEANPrefix) {
		return "", Errorf(EINVALID, "EAN must start with %s (a Belgian access point)", BelgianEANPrefix)
	}
	if want := GS1CheckDigit(digits[:17]); digits[17] != want {
		return "", Errorf(EINVALID, "EAN check digit is wrong")
	}
	return EAN(digits), nil
}

// MustParseEAN is ParseEAN for constants and tests; it panics on error.
func MustParseEAN(s string) EAN {
	e, err := ParseEAN(s)
	if err != nil {
		panic(err)
	}
	return e
}

// GS1CheckDigit computes the GS1 mod-10 check digit of a string of digits
// (the GSRN without its last digit): from the right, digits are weighted 3, 1,
// 3, 1…, and the check digit brings the sum to a multiple of ten.
func GS1CheckDigit(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// String returns the 18 digits.
func (e EAN) String() string { return string(e) }

// Masked shows the EAN as an advisor may see it before disclosure, and as logs
// and error messages must show it: prefix and last four digits, in groups.
// 541448820000123456 → "5414 •••• •••• ••34 56".
func (e EAN) Masked() string {
	s := string(e)
	if len(s) != 18 {
		return "••••"
	}
	return s[:4] + " •••• •••• ••" + s[14:16] + " " + s[16:]
}

// Grouped shows the EAN in groups of four for reading out or printing.
func (e EAN) Grouped() string {
	s := string(e)
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}
