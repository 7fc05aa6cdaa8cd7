// Package importcsv reads the operator's CSV exports (suppliers, CPAS,
// access points and meters, customers, occupancies, supply periods, mandates,
// readings) into one coupole.Batch. Every row is checked; every problem is
// reported as file:line:column with the column's name and a reason that never
// repeats the value (it may be personal data). The formats are defined in
// docs/import.md.
package importcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coupole/coupole"
	"github.com/nyaruka/phonenumbers"
)

// MaxProblems is how many problems an import lists before it only counts.
const MaxProblems = 50

// File is one CSV file to import.
type File struct {
	Kind Kind
	Name string // shown in problems
	R    io.Reader
}

// Problem is one thing wrong in a file. Column is the 1-based position of the
// field in its row (0 when the problem concerns the whole row or file), Field
// the column's name.
type Problem struct {
	File   string
	Line   int
	Column int
	Field  string
	Reason string
}

func (p Problem) String() string {
	s := fmt.Sprintf("%s:%d:%d: ", p.File, p.Line, p.Column)
	if p.Field != "" {
		s += "column " + p.Field + ": "
	}
	return s + p.Reason
}

// Import is the result of reading a set of files.
type Import struct {
	Batch    *coupole.Batch
	Records  int       // rows read, all files together
	Problems []Problem // the first MaxProblems problems
	Dropped  int       // problems found beyond MaxProblems
	origins  map[string][]origin
}

type origin struct {
	file string
	line int
	cols map[string]int
}

// Counts returns the number of records of each kind in the batch (meters:
// the meter installations of the access points), for the import's trace:
// counts, never contents.
func (im *Import) Counts() map[Kind]int {
	b := im.Batch
	meters := 0
	for _, ap := range b.AccessPoints {
		meters += len(ap.Meters)
	}
	return map[Kind]int{
		Suppliers: len(b.Suppliers), CPAS: len(b.CPAS), AccessPoints: len(b.AccessPoints), Meters: meters, Customers: len(b.Customers),
		Occupancies: len(b.Occupancies), SupplyPeriods: len(b.SupplyPeriods), Mandates: len(b.Mandates), Readings: len(b.Readings),
	}
}

// OK reports whether the files had no problem.
func (im *Import) OK() bool { return len(im.Problems) == 0 }

// ProblemCount is the number of problems found.
func (im *Import) ProblemCount() int { return len(im.Problems) + im.Dropped }

func (im *Import) add(p Problem) {
	if len(im.Problems) < MaxProblems {
		im.Problems = append(im.Problems, p)
	} else {
		im.Dropped++
	}
}

// Locate turns an error of GridStore.Load that names a record of the batch
// (a coupole.BatchRecordError, e.g. an occupancy of a customer that is
// neither in the files nor in the database) into a problem at the line that
// record came from.
func (im *Import) Locate(err error) (Problem, bool) {
	var rec *coupole.BatchRecordError
	if !errors.As(err, &rec) {
		return Problem{}, false
	}
	os := im.origins[rec.Kind]
	if rec.Index < 0 || rec.Index >= len(os) {
		return Problem{}, false
	}
	o := os[rec.Index]
	reason := coupole.ErrorMessage(err)
	if _, after, ok := strings.Cut(reason, ": "); ok { // drop "occupancy record 3: "
		reason = after
	}
	return Problem{File: o.file, Line: o.line, Column: o.cols[rec.Field], Field: rec.Field, Reason: reason}, true
}

// Read reads and checks files into one batch. Problems in the data are in
// the Import; the error is only for a file that cannot be read.
func Read(files []File) (*Import, error) {
	im := &Import{Batch: &coupole.Batch{}, origins: map[string][]origin{}}
	sorted := slices.Clone(files)
	slices.SortStableFunc(sorted, func(a, b File) int { return slices.Index(Kinds, a.Kind) - slices.Index(Kinds, b.Kind) })
	st := &state{im: im, seen: map[string]int{}, apIndex: map[coupole.EAN]int{}}
	for _, f := range sorted {
		if _, ok := Columns[f.Kind]; !ok {
			return nil, coupole.Errorf(coupole.EINVALID, "%s: unknown kind of file %q", f.Name, f.Kind)
		}
		if err := st.readFile(f); err != nil {
			return nil, err
		}
	}
	st.finishAccessPoints()
	return im, nil
}

type state struct {
	im      *Import
	seen    map[string]int // kind|natural key → line of first occurrence
	apIndex map[coupole.EAN]int
	meters  map[coupole.EAN][]meterRow
}

type meterRow struct {
	m      coupole.MeterInstallation
	origin origin
}

func (st *state) readFile(f File) error {
	data, err := io.ReadAll(f.R)
	if err != nil {
		return coupole.Wrap(err, coupole.EINVALID, "%s: cannot read the file", f.Name)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte-order mark from spreadsheet exports
	problem := func(line, col int, field, format string, args ...any) {
		st.im.add(Problem{File: f.Name, Line: line, Column: col, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalidUTF8(data)], []byte("\n"))
		problem(line, 0, "", "the file is not UTF-8 text (save it as CSV UTF-8)")
		return nil
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		problem(1, 0, "", "the file is empty: a header row is required")
		return nil
	} else if err != nil {
		problem(csvLine(err, 1), 0, "", "%s", csvReason(err))
		return nil
	}
	cols := map[string]int{}
	spec := Columns[f.Kind]
	bad := false
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case strings.Contains(name, ";") || strings.Contains(name, "\t"):
			problem(1, i+1, "", "the separator must be a comma, not a semicolon or a tab")
			return nil
		case !slices.ContainsFunc(spec, func(c Column) bool { return c.Name == name }):
			kind := strings.ReplaceAll(string(f.Kind), "_", " ")
			if columnLike.MatchString(name) {
				problem(1, i+1, name, "unknown column for a %s file (see docs/import.md)", kind)
			} else { // not a column name: maybe a first row of data (an EAN, a name), not repeated
				problem(1, i+1, "", "unknown column for a %s file: the first row must be the header (see docs/import.md)", kind)
			}
			bad = true
		case cols[name] != 0:
			problem(1, i+1, name, "the column appears twice")
			bad = true
		default:
			cols[name] = i + 1
		}
	}
	for _, c := range spec {
		if c.Required && cols[c.Name] == 0 {
			problem(1, 0, c.Name, "required column is missing from the header")
			bad = true
		}
	}
	if bad {
		return nil
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
				problem(csvLine(err, 0), pe.Column, "", "%s", csvReason(err))
				return nil // the rest of the file cannot be trusted
			}
			continue
		}
		line, _ := r.FieldPos(0)
		st.im.Records++
		if len(rec) != len(header) {
			problem(line, 0, "", "the row has %d fields, the header %d", len(rec), len(header))
			continue
		}
		row := &row{file: f.Name, line: line, cols: cols, rec: rec, im: st.im, kind: f.Kind}
		st.readRow(f.Kind, row)
	}
	return nil
}

// columnLike is what a mistyped column name looks like; only such a name is
// repeated in a problem, so that a file without a header row never has its
// first row of data (an EAN, a phone number) printed back.
var columnLike = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func csvLine(err error, def int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return def
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return "a quote is misplaced: a field with quotes must be fully enclosed in double quotes, and inner quotes doubled"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

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

// unique reports a natural key seen before in files of the same kind.
func (st *state) unique(r *row, key, field string) bool {
	k := string(r.kind) + "|" + key
	if first, dup := st.seen[k]; dup {
		r.fail(field, "the same record is on line %d", first)
		return false
	}
	st.seen[k] = r.line
	return true
}

func (st *state) record(r *row) {
	f := batchField[r.kind]
	st.im.origins[f] = append(st.im.origins[f], r.origin())
}

func (st *state) readRow(k Kind, r *row) {
	b := st.im.Batch
	switch k {
	case Suppliers:
		s := coupole.Supplier{ID: r.req("id"), Name: r.req("name")}
		if !r.bad && st.unique(r, s.ID, "id") {
			b.Suppliers = append(b.Suppliers, s)
			st.record(r)
		}
	case CPAS:
		c := coupole.CPAS{ID: r.req("id"), Name: r.req("name"), Town: r.str("town")}
		if !r.bad && st.unique(r, c.ID, "id") {
			b.CPAS = append(b.CPAS, c)
			st.record(r)
		}
	case AccessPoints:
		ap := coupole.AccessPoint{
			EAN:    r.ean("ean"),
			Energy: enum(r, "energy", coupole.Energies),
			Regime: enum(r, "regime", coupole.ReadingRegimes),
			Address: coupole.Address{Street: r.req("street"), Number: r.req("number"), Box: r.str("box"),
				Postcode: r.postcode("postcode"), Town: r.req("town")},
		}
		m := coupole.MeterInstallation{Number: r.meter("meter_number", true), From: r.date("meter_installed_on", true)}
		ap.Meters = []coupole.MeterInstallation{m}
		if !r.bad {
			r.check(ap.Validate())
		}
		if !r.bad && st.unique(r, string(ap.EAN), "ean") {
			st.apIndex[ap.EAN] = len(b.AccessPoints)
			b.AccessPoints = append(b.AccessPoints, ap)
			st.record(r)
		}
	case Meters:
		ean := r.ean("ean")
		m := coupole.MeterInstallation{Number: r.meter("meter_number", true), From: r.date("installed_on", true), To: r.date("removed_on", true)}
		if !r.bad && !m.To.After(m.From) {
			r.fail("removed_on", "the removal day must be after the installation day")
		}
		if r.bad {
			return
		}
		if _, ok := st.apIndex[ean]; !ok {
			r.fail("ean", "this access point is not in the access points file of the same import")
			return
		}
		if st.unique(r, string(ean)+"|"+m.From.String(), "installed_on") {
			if st.meters == nil {
				st.meters = map[coupole.EAN][]meterRow{}
			}
			st.meters[ean] = append(st.meters[ean], meterRow{m, r.origin()})
		}
	case Customers:
		c := coupole.Customer{
			ID: r.req("id"), GivenName: r.str("given_name"), FamilyName: r.req("family_name"),
			Language: coupole.French, Mobile: r.mobile("mobile"), Email: r.str("email"),
			PostalAddress: coupole.Address{Street: r.req("street"), Number: r.req("number"), Box: r.str("box"),
				Postcode: r.postcode("postcode"), Town: r.req("town")},
		}
		if s := r.str("language"); s != "" {
			l := coupole.Language(strings.ToLower(s))
			if slices.Contains(coupole.Languages, l) {
				c.Language = l
			} else {
				r.fail("language", "unknown value (expected one of fr, nl, de, en)")
			}
		}
		c.MobileRegisteredAt = r.date("mobile_registered_on", false)
		if c.Mobile != "" && c.MobileRegisteredAt.IsZero() && !r.bad {
			r.fail("mobile_registered_on", "required with a mobile number: an SMS goes only to a number registered before the call (D4)")
		}
		if c.Email != "" && !strings.Contains(c.Email, "@") {
			r.fail("email", "not an e-mail address")
		}
		if p, err := coupole.ParseProtection(strings.ToLower(r.str("protection"))); err != nil {
			r.fail("protection", "unknown value (expected staff, protected or nothing)")
		} else {
			c.Protection = p
		}
		if !r.bad {
			r.check(c.Validate())
		}
		if !r.bad && st.unique(r, c.ID, "id") {
			b.Customers = append(b.Customers, c)
			st.record(r)
		}
	case Occupancies:
		o := coupole.Occupancy{
			CustomerID: r.req("customer_id"), EAN: r.ean("ean"),
			MoveIn: r.date("move_in", true), MoveOut: r.date("move_out", false),
			MoveInIndex: coupole.Registers{DayKWh: r.index("move_in_day_kwh"), NightKWh: r.index("move_in_night_kwh"),
				ExclusiveNightKWh: r.index("move_in_excl_night_kwh"), GasM3: r.index("move_in_gas_m3")},
			MoveOutIndex: coupole.Registers{DayKWh: r.index("move_out_day_kwh"), NightKWh: r.index("move_out_night_kwh"),
				ExclusiveNightKWh: r.index("move_out_excl_night_kwh"), GasM3: r.index("move_out_gas_m3")},
		}
		if o.MoveOut.IsZero() && o.MoveOutIndex.Total() != 0 && !r.bad {
			r.fail("move_out", "a move-out index is given without a move-out day")
		}
		if !r.bad {
			r.check(o.Validate())
		}
		if !r.bad && st.unique(r, string(o.EAN)+"|"+o.CustomerID+"|"+o.MoveIn.String(), "move_in") {
			b.Occupancies = append(b.Occupancies, o)
			st.record(r)
		}
	case SupplyPeriods:
		p := coupole.SupplyPeriod{EAN: r.ean("ean"), SupplierID: r.req("supplier_id"), From: r.date("starts_on", true), To: r.date("ends_on", false)}
		if !r.bad {
			r.check(p.Validate())
		}
		if !r.bad && st.unique(r, string(p.EAN)+"|"+p.From.String(), "starts_on") {
			b.SupplyPeriods = append(b.SupplyPeriods, p)
			st.record(r)
		}
	case Mandates:
		m := coupole.Mandate{
			ID: r.req("id"), CustomerID: r.req("customer_id"), MandataryName: r.req("mandatary_name"), CPASID: r.str("cpas_id"),
			Scope:     enum(r, "scope", coupole.MandateScopes),
			ValidFrom: r.date("valid_from", true), ValidTo: r.date("valid_to", false),
		}
		if !r.bad {
			r.check(m.Validate())
		}
		if !r.bad && st.unique(r, m.ID, "id") {
			b.Mandates = append(b.Mandates, m)
			st.record(r)
		}
	case Readings:
		rd := coupole.Reading{
			EAN: r.ean("ean"), Date: r.date("date", true), Meter: r.meter("meter_number", false),
			Source: enum(r, "source", coupole.ReadingSources),
			Regime: enum(r, "regime", coupole.ReadingRegimes),
			Registers: coupole.Registers{DayKWh: r.index("day_kwh"), NightKWh: r.index("night_kwh"),
				ExclusiveNightKWh: r.index("excl_night_kwh"), GasM3: r.index("gas_m3")},
		}
		if !r.bad {
			r.check(rd.Validate())
		}
		if !r.bad && st.unique(r, string(rd.EAN)+"|"+rd.Date.String()+"|"+string(rd.Meter)+"|"+string(rd.Source), "date") {
			b.Readings = append(b.Readings, rd)
			st.record(r)
		}
	}
}

// finishAccessPoints puts the former meters of the meters file before the
// current meter of each access point, and checks that the history holds
// together (one meter at a time).
func (st *state) finishAccessPoints() {
	eans := make([]coupole.EAN, 0, len(st.meters))
	for ean := range st.meters {
		eans = append(eans, ean)
	}
	slices.SortFunc(eans, func(a, b coupole.EAN) int { return st.apIndex[a] - st.apIndex[b] }) // problems in file order
	for _, ean := range eans {
		ms := st.meters[ean]
		i := st.apIndex[ean]
		ap := &st.im.Batch.AccessPoints[i]
		slices.SortFunc(ms, func(a, b meterRow) int { return a.m.From.Compare(b.m.From) })
		history := make([]coupole.MeterInstallation, 0, len(ms)+1)
		for _, m := range ms {
			history = append(history, m.m)
		}
		history = append(history, ap.Meters...)
		for j := 1; j < len(history); j++ {
			if history[j-1].To.After(history[j].From) {
				o := st.im.origins["AccessPoints"][i]
				if j-1 < len(ms) {
					o = ms[j-1].origin
				}
				field := "removed_on"
				if j-1 >= len(ms) {
					field = "meter_installed_on"
				}
				st.im.add(Problem{File: o.file, Line: o.line, Column: o.cols[field], Field: field,
					Reason: "this meter is removed after the next meter of the access point is installed"})
				break
			}
		}
		ap.Meters = history
	}
}
