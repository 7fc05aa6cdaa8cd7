// Package hrimport is the staff lifecycle from an HR file (issue 12, item
// 2, S4) for operators without SCIM: `coupole staff import hr.csv` reads
// the file, compares it with the accounts, shows the joiners, movers and
// leavers it implies, and with --apply makes them through
// governance.Lifecycle — the same door, rules and traces as SCIM, the CLI
// and the screens. A malformed file is refused whole, naming each bad line
// and column; nothing is applied.
package hrimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coupole/coupole"
)

// Columns of the HR file, in any order, names compared case-insensitively
// (spaces and hyphens read as underscores). login and language are
// optional: the login is the identity provider's subject (default: the
// employee number), the language one of fr, nl, de, en.
const (
	ColEmployee   = "employee_number"
	ColGivenName  = "given_name"
	ColFamilyName = "family_name"
	ColDepartment = "department"
	ColManager    = "manager" // the manager's employee number
	ColRoleGroup  = "role_group"
	ColStart      = "start_date"
	ColEnd        = "end_date" // the first day without access; empty: none
	ColLogin      = "login"
	ColLanguage   = "language"
)

// RequiredColumns must all be in the header.
var RequiredColumns = []string{ColEmployee, ColGivenName, ColFamilyName, ColDepartment, ColManager, ColRoleGroup, ColStart, ColEnd}

var optionalColumns = []string{ColLogin, ColLanguage}

// DateLayout is the layout of start_date and end_date.
const DateLayout = "2006-01-02"

// Row is one employee of the HR file.
type Row struct {
	Line           int
	EmployeeNumber string
	GivenName      string
	FamilyName     string
	Department     string
	Manager        string // employee number, empty: none
	RoleGroup      string // empty: no role
	Start          time.Time
	End            time.Time // zero: none
	Login          string
	Language       coupole.Language

	cols map[string]int // the file's column numbers, to name them in problems
}

// problem is a Problem of column c of r.
func (r Row) problem(c, reason string) Problem {
	return Problem{Line: r.Line, Column: r.cols[c], Field: c, Reason: reason}
}

// DisplayName is the name shown on screens.
func (r Row) DisplayName() string {
	return strings.TrimSpace(r.GivenName + " " + r.FamilyName)
}

// Problem is one fault of the file: where it is and what is wrong, never
// the value (it may be personal data).
type Problem struct {
	Line   int
	Column int    // 1-based; 0 when the problem is the whole line
	Field  string // the column's name
	Reason string
}

func (p Problem) String() string {
	if p.Column == 0 {
		return fmt.Sprintf("line %d: %s", p.Line, p.Reason)
	}
	return fmt.Sprintf("line %d, column %d (%s): %s", p.Line, p.Column, p.Field, p.Reason)
}

// FileError lists every problem of a refused file. It wraps an EINVALID
// error whose message names them.
type FileError struct {
	Problems []Problem
	err      error
}

func (e *FileError) Error() string { return e.err.Error() }
func (e *FileError) Unwrap() error { return e.err }

// maxShown bounds the problems named in the message; all are in Problems.
const maxShown = 20

func fileError(ps []Problem) error {
	var b strings.Builder
	fmt.Fprintf(&b, "HR file refused, nothing applied: %d problem(s)", len(ps))
	for i, p := range ps {
		if i == maxShown {
			fmt.Fprintf(&b, "\n  … and %d more", len(ps)-maxShown)
			break
		}
		b.WriteString("\n  " + p.String())
	}
	return &FileError{Problems: ps, err: coupole.Errorf(coupole.EINVALID, "%s", b.String())}
}

func columnKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF")))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(s)
}

// Parse reads an HR file: a header line, then one employee per line,
// separated by commas or semicolons (whichever the header uses), UTF-8.
// Dates are YYYY-MM-DD, read as days in loc. Every problem is collected;
// any problem refuses the whole file (*FileError).
func Parse(r io.Reader, loc *time.Location) ([]Row, error) {
	if loc == nil {
		loc = time.Local
	}
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, coupole.Errorf(coupole.EINVALID, "HR file: cannot read it")
	}
	if !utf8.Valid(data) {
		return nil, fileError([]Problem{{Line: 1, Reason: "the file is not UTF-8 text"}})
	}
	first, _, _ := strings.Cut(string(data), "\n")
	cr := csv.NewReader(strings.NewReader(string(data)))
	if strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fileError([]Problem{{Line: 1, Reason: "no header line"}})
	}
	cols := map[string]int{}
	var problems []Problem
	for i, h := range header {
		k := columnKey(h)
		if _, dup := cols[k]; dup {
			problems = append(problems, Problem{Line: 1, Column: i + 1, Field: k, Reason: "column given twice"})
		}
		cols[k] = i + 1
	}
	for _, c := range RequiredColumns {
		if cols[c] == 0 {
			problems = append(problems, Problem{Line: 1, Reason: "missing column " + c})
		}
	}
	for k, i := range cols {
		known := false
		for _, c := range append(RequiredColumns, optionalColumns...) {
			known = known || c == k
		}
		if !known {
			problems = append(problems, Problem{Line: 1, Column: i, Field: k, Reason: "unknown column (want " + strings.Join(append(RequiredColumns, optionalColumns...), ", ") + ")"})
		}
	}
	if len(problems) > 0 {
		return nil, fileError(problems)
	}
	var rows []Row
	seen := map[string]int{}
	logins := map[string]int{}
	for {
		line, _ := cr.FieldPos(0)
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			problems = append(problems, Problem{Line: pe.Line, Reason: fmt.Sprintf("not valid CSV (%v, at character %d)", pe.Err, pe.Column)})
			break
		} else if err != nil {
			problems = append(problems, Problem{Line: line, Reason: "cannot read the line"})
			break
		}
		line, _ = cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			problems = append(problems, Problem{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		row, ps := readRow(line, rec, cols, loc)
		problems = append(problems, ps...)
		if len(ps) > 0 {
			continue
		}
		if prev, dup := seen[row.EmployeeNumber]; dup {
			problems = append(problems, Problem{Line: line, Column: cols[ColEmployee], Field: ColEmployee, Reason: fmt.Sprintf("the same employee number is on line %d", prev)})
			continue
		}
		seen[row.EmployeeNumber] = line
		if prev, dup := logins[strings.ToLower(row.Login)]; dup {
			problems = append(problems, Problem{Line: line, Column: cols[ColLogin], Field: ColLogin, Reason: fmt.Sprintf("the same login is on line %d", prev)})
			continue
		}
		logins[strings.ToLower(row.Login)] = line
		rows = append(rows, row)
	}
	// A manager is somebody of the file or an existing account; the plan
	// checks the latter. Here: nobody is their own manager.
	for _, row := range rows {
		if row.Manager != "" && row.Manager == row.EmployeeNumber {
			problems = append(problems, Problem{Line: row.Line, Column: cols[ColManager], Field: ColManager, Reason: "nobody is their own manager"})
		}
	}
	if len(problems) > 0 {
		return nil, fileError(problems)
	}
	return rows, nil
}

func readRow(line int, rec []string, cols map[string]int, loc *time.Location) (Row, []Problem) {
	var ps []Problem
	get := func(c string) string {
		if i := cols[c]; i > 0 {
			return strings.TrimSpace(rec[i-1])
		}
		return ""
	}
	bad := func(c, reason string) {
		ps = append(ps, Problem{Line: line, Column: cols[c], Field: c, Reason: reason})
	}
	date := func(c string, required bool) time.Time {
		s := get(c)
		if s == "" {
			if required {
				bad(c, "a date is required (YYYY-MM-DD)")
			}
			return time.Time{}
		}
		t, err := time.ParseInLocation(DateLayout, s, loc)
		if err != nil {
			bad(c, "not a date (want YYYY-MM-DD)")
		}
		return t
	}
	r := Row{cols: cols, Line: line, EmployeeNumber: get(ColEmployee), GivenName: get(ColGivenName), FamilyName: get(ColFamilyName),
		Department: get(ColDepartment), Manager: get(ColManager), RoleGroup: get(ColRoleGroup), Login: get(ColLogin)}
	if r.EmployeeNumber == "" {
		bad(ColEmployee, "an employee number is required")
	} else if strings.ContainsAny(r.EmployeeNumber, " \t,;") || len(r.EmployeeNumber) > 64 {
		bad(ColEmployee, "an employee number has no spaces, commas or semicolons and at most 64 characters")
	}
	if r.GivenName == "" && r.FamilyName == "" {
		bad(ColFamilyName, "a name is required")
	}
	r.Start = date(ColStart, true)
	r.End = date(ColEnd, false)
	if !r.Start.IsZero() && !r.End.IsZero() && !r.End.After(r.Start) {
		bad(ColEnd, "the end date must be after the start date")
	}
	if r.Login == "" {
		r.Login = r.EmployeeNumber
	}
	if s := get(ColLanguage); s != "" {
		l, err := coupole.ParseLanguage(strings.ToLower(s))
		if err != nil {
			bad(ColLanguage, "want fr, nl, de or en")
		}
		r.Language = l
	}
	return r, ps
}
