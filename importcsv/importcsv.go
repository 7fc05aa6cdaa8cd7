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
	"strings"
	"unicode/utf8"

	"github.com/coupole/coupole"
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
