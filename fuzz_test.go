package coupole_test

// Fuzz targets of the domain's parsers (issue 10, item 9; docs/fuzzing.md).
// Each checks a property, not only the absence of a panic: what a parser
// accepts is in its canonical form and parses again to itself, and what a
// masking helper shows never reveals more than the allowed characters.

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// FuzzParseEAN: an accepted EAN is 18 digits, Belgian, with a right GS1
// check digit; it parses again to itself from its digits and its groups; its
// masked form shows only the prefix and the last four digits; an error never
// repeats five digits of the input.
func FuzzParseEAN(f *testing.F) {
	for _, s := range []string{
		"541448820000123456", validEAN("54144882000012345"), "5414 4882 0000 1234 56", "5414.488200-00123456",
		"5414\u00a04882\u00a00000\u00a0123456", "541448820000123457", "54144882000012345", "123", "", "٥٤١٤",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := coupole.ParseEAN(s)
		if err != nil {
			if coupole.ErrorCode(err) != coupole.EINVALID {
				t.Fatalf("error code %s, want EINVALID", coupole.ErrorCode(err))
			}
			if run, ok := repeatsDigits(coupole.ErrorMessage(err), s); ok {
				t.Fatalf("error message repeats the digits %s of the input: %q", run, coupole.ErrorMessage(err))
			}
			return
		}
		d := string(e)
		if len(d) != 18 || strings.Trim(d, "0123456789") != "" || !strings.HasPrefix(d, coupole.BelgianEANPrefix) || d[17] != coupole.GS1CheckDigit(d[:17]) {
			t.Fatalf("accepted %q as %q, not 18 digits of a Belgian GSRN", s, d)
		}
		for _, form := range []string{e.String(), e.Grouped()} {
			if again, err := coupole.ParseEAN(form); err != nil || again != e {
				t.Fatalf("ParseEAN(%q) = %q, %v; want %q", form, again, err, e)
			}
		}
		if got, want := digitsOf(e.Masked()), d[:4]+d[14:]; got != want {
			t.Fatalf("Masked() shows digits %q, want only %q", got, want)
		}
	})
}

// FuzzParseMeterNumber: an accepted meter number is 1 to 20 ASCII digits or
// capital letters, made only of what was typed before the first dash (less
// its spaces, upper-cased): no other character is turned into a letter. It
// parses again to itself; its masked form shows at most its last three.
func FuzzParseMeterNumber(f *testing.F) {
	for _, s := range []string{"9876543a", "0012345-01", " G 555 ", "ABCDEFGHIJ0123456789", "ABCDEFGHIJ01234567890", "", "-", "é1", "ı1", "ſ1", "12.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := coupole.ParseMeterNumber(s)
		if err != nil {
			if coupole.ErrorCode(err) != coupole.EINVALID {
				t.Fatalf("error code %s, want EINVALID", coupole.ErrorCode(err))
			}
			return
		}
		typed, _, _ := strings.Cut(s, "-")
		var want strings.Builder
		for _, r := range typed {
			switch {
			case r >= 'a' && r <= 'z':
				want.WriteRune(r - 'a' + 'A')
			case r >= '0' && r <= '9' || r >= 'A' && r <= 'Z':
				want.WriteRune(r)
			}
		}
		if string(m) != want.String() || len(m) == 0 || len(m) > 20 {
			t.Fatalf("ParseMeterNumber(%q) = %q; the ASCII letters and digits typed are %q", s, m, want.String())
		}
		if again, err := coupole.ParseMeterNumber(string(m)); err != nil || again != m {
			t.Fatalf("ParseMeterNumber(%q) = %q, %v; want itself", m, again, err)
		}
		masked := m.Masked()
		shown := strings.TrimLeft(masked, "•")
		if len(shown) > 3 || !strings.HasSuffix(string(m), shown) || (len(m) <= 3 && shown != "") {
			t.Fatalf("Masked(%q) = %q shows more than the last three characters", m, masked)
		}
	})
}

// FuzzValidateE164: an accepted number is "+" and 8 to 15 ASCII digits; its
// masked form shows the country prefix and the last two digits only.
func FuzzValidateE164(f *testing.F) {
	for _, s := range []string{"+32470123456", "+3247012345", "+123456789012345", "+1234567890123456", "0470123456", "+32 470", "+٣٢٤٧٠١٢٣٤٥٦", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := coupole.ValidateE164(s); err != nil {
			if _, ok := repeatsDigits(coupole.ErrorMessage(err), s); coupole.ErrorCode(err) != coupole.EINVALID || ok {
				t.Fatalf("error %v: want EINVALID without the number", err)
			}
			return
		}
		if len(s) < 9 || len(s) > 16 || s[0] != '+' || strings.Trim(s[1:], "0123456789") != "" {
			t.Fatalf("accepted %q, not + and 8 to 15 digits", s)
		}
		if got, want := digitsOf(coupole.MaskPhone(s)), s[1:3]+s[len(s)-2:]; got != want {
			t.Fatalf("MaskPhone(%q) shows digits %q, want only %q", s, got, want)
		}
	})
}

// FuzzValidatePostcode: an accepted postcode is four ASCII digits between
// 1000 and 9999.
func FuzzValidatePostcode(f *testing.F) {
	for _, s := range []string{"5000", "1000", "9999", "0999", "500", "50000", "５０００", "+500", "5e03", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if coupole.ValidatePostcode(s) != nil {
			return
		}
		n, err := strconv.Atoi(s)
		if len(s) != 4 || strings.Trim(s, "0123456789") != "" || err != nil || n < 1000 || n > 9999 {
			t.Fatalf("accepted postcode %q", s)
		}
	})
}

// FuzzParseRoles: accepted roles are known roles, without duplicates, in the
// order of coupole.Roles, and their comma-separated names parse again to
// them.
func FuzzParseRoles(f *testing.F) {
	for _, s := range []string{"advisor", "team_lead, advisor,advisor", " , ", "", "root", "advisor,Auditor", "auditor\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		roles, err := coupole.ParseRoles(s)
		if err != nil {
			if coupole.ErrorCode(err) != coupole.EINVALID {
				t.Fatalf("error code %s, want EINVALID", coupole.ErrorCode(err))
			}
			return
		}
		last := -1
		names := make([]string, len(roles))
		for i, r := range roles {
			at := slices.Index(coupole.Roles, r)
			if at <= last {
				t.Fatalf("ParseRoles(%q) = %q: unknown, repeated or out of order", s, roles)
			}
			last = at
			names[i] = string(r)
		}
		again, err := coupole.ParseRoles(strings.Join(names, ","))
		if err != nil || !slices.Equal(again, roles) {
			t.Fatalf("ParseRoles(%q) = %q, %v; want %q", strings.Join(names, ","), again, err, roles)
		}
	})
}

// digitsOf returns the ASCII digits of s, in order.
func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// repeatsDigits reports whether msg contains five consecutive digits of
// the input's digits: enough to leak part of an EAN or a phone number.
func repeatsDigits(msg, input string) (string, bool) {
	d := digitsOf(input)
	for i := 0; i+5 <= len(d); i++ {
		if strings.Contains(msg, d[i:i+5]) {
			return d[i : i+5], true
		}
	}
	return "", false
}

// TestParseMeterNumberRefusesNonASCIILetters is the finding of
// FuzzParseMeterNumber: "ı" and "ſ" were upper-cased into "I" and "S" and
// accepted, so a number nobody typed could be verified.
func TestParseMeterNumberRefusesNonASCIILetters(t *testing.T) {
	for _, s := range []string{"ı1", "ſ1", "12ı", "Ǆ9", "ﬀ1"} {
		if m, err := coupole.ParseMeterNumber(s); err == nil {
			t.Errorf("ParseMeterNumber(%q) = %q, want an error", s, m)
		}
	}
}

// TestIndexMustBeFinite is the finding of FuzzRead: "NaN" and "Inf" were
// accepted as meter indexes (NaN < 0 is false) and a reading or an
// occupancy holding one validated.
func TestIndexMustBeFinite(t *testing.T) {
	ean := coupole.EAN(validEAN("54144882000012345"))
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1} {
		r := coupole.Reading{EAN: ean, Date: day, Registers: coupole.Registers{GasM3: v}, Source: coupole.SourceCustomer, Regime: coupole.RegimeAnnual}
		if err := r.Validate(); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("a reading of %v: %v, want EINVALID", v, err)
		}
		o := coupole.Occupancy{CustomerID: "C-1", EAN: ean, MoveIn: day, MoveInIndex: coupole.Registers{DayKWh: v}}
		if err := o.Validate(); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("an occupancy with the move-in index %v: %v, want EINVALID", v, err)
		}
	}
}
