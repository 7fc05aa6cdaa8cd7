package importcsv

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/nyaruka/phonenumbers"
)

// row reads the fields of one CSV row, recording a problem per bad field.
type row struct {
	file string
	line int
	kind Kind
	cols map[string]int
	rec  []string
	im   *Import
	bad  bool
}

func (r *row) origin() origin { return origin{file: r.file, line: r.line, cols: r.cols} }

func (r *row) fail(name, format string, args ...any) {
	r.bad = true
	r.im.add(Problem{File: r.file, Line: r.line, Column: r.cols[name], Field: name, Reason: fmt.Sprintf(format, args...)})
}

// str is the trimmed field, "" when the column is absent.
func (r *row) str(name string) string {
	if i := r.cols[name]; i > 0 {
		return strings.TrimSpace(r.rec[i-1])
	}
	return ""
}

// req is str for a required field.
func (r *row) req(name string) string {
	s := r.str(name)
	if s == "" {
		r.fail(name, "a value is required")
	}
	return s
}

func (r *row) ean(name string) coupole.EAN {
	s := r.req(name)
	if s == "" {
		return ""
	}
	e, err := coupole.ParseEAN(s)
	if err != nil {
		r.fail(name, "%s", strings.TrimPrefix(coupole.ErrorMessage(err), "EAN "))
	}
	return e
}

func (r *row) date(name string, required bool) time.Time {
	s := r.str(name)
	if s == "" {
		if required {
			r.fail(name, "a date is required (YYYY-MM-DD)")
		}
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		r.fail(name, "not a date in the form YYYY-MM-DD")
	}
	return t
}

func (r *row) index(name string) float64 {
	s := r.str(name)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	// ParseFloat also reads "NaN", "Inf", hexadecimal and underscores: an
	// index is written in decimal digits only.
	case err != nil || strings.Trim(s, "0123456789.eE+-") != "":
		r.fail(name, "not a number (use a dot for decimals, no thousands separator)")
	case v < 0:
		r.fail(name, "an index cannot be negative")
	}
	return v
}

// enum checks the field against the accepted values. The message lists
// them but does not repeat the value: in a shifted column it may be a name.
func enum[T ~string](r *row, name string, allowed []T) T {
	s := r.req(name)
	if s == "" {
		return ""
	}
	if slices.Contains(allowed, T(s)) {
		return T(s)
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	r.fail(name, "unknown value (expected one of %s)", strings.Join(names, ", "))
	return T(s)
}

func (r *row) meter(name string, required bool) coupole.MeterNumber {
	s := r.str(name)
	if s == "" {
		if required {
			r.fail(name, "a value is required")
		}
		return ""
	}
	m, err := coupole.ParseMeterNumber(s)
	if err != nil {
		r.fail(name, "%s", coupole.ErrorMessage(err))
	}
	return m
}

func (r *row) postcode(name string) string {
	s := r.req(name)
	if s != "" {
		if err := coupole.ValidatePostcode(s); err != nil {
			r.fail(name, "%s", coupole.ErrorMessage(err))
		}
	}
	return s
}

// mobile normalises a mobile number to E.164, Belgian unless it starts with
// + or 00 (D4: an SMS can only go to a mobile).
func (r *row) mobile(name string) string {
	s := r.str(name)
	if s == "" {
		return ""
	}
	n, err := phonenumbers.Parse(s, "BE")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		r.fail(name, "not a valid phone number")
		return ""
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		r.fail(name, "not a mobile number (an SMS cannot be sent to it)")
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}

// check reports a domain invariant broken by the row as a whole.
func (r *row) check(err error) {
	if err != nil && !r.bad {
		r.fail(crossField[r.kind], "%s", coupole.ErrorMessage(err))
	}
}
