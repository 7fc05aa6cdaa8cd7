package hrimport

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/coupole/coupole"
	sodpolicy "github.com/coupole/coupole/policy/sod"
)

// Kind is what a line of the file means for an account.
type Kind string

const (
	Joiner     Kind = "joiner"      // a new employee: the account is created with the role group's roles
	Mover      Kind = "mover"       // the role group changed: old roles removed, new ones granted in one step
	Profile    Kind = "profile"     // names, department or manager changed; roles unchanged
	Leaver     Kind = "leaver"      // the end date has come (or, with --full, absent from the file): revoked now
	Scheduled  Kind = "scheduled"   // an end date in the future: revoked by itself on that date
	Unschedule Kind = "unscheduled" // the end date was removed from the file
	NotStarted Kind = "not_started" // a start date in the future: created by an import on or after it
	Skipped    Kind = "skipped"     // nothing is done (see Note)
)

// Change is one step of a plan. It carries identifiers and roles, not
// names: the plan is printed on a terminal and kept in logs.
type Change struct {
	Kind           Kind
	Line           int // 0 for a --full leaver (not in the file)
	EmployeeNumber string
	StaffID        string // empty for a joiner until it is applied
	From, To       []coupole.Role
	Date           time.Time // the end date of a leaver or a scheduled leaver; the start date of a joiner
	Note           string

	row     Row
	profile coupole.StaffProfile // the full profile to record (joiners, profile changes)
}

// Plan is what a file implies, in the order it is applied: leavers first
// (removing access never waits), then joiners, movers, profile changes and
// end dates.
type Plan struct {
	Changes []Change

	staffOf map[string]string // employee number → staff id of the accounts
}

// Count returns how many changes are of kind k.
func (p Plan) Count(k Kind) int {
	n := 0
	for _, c := range p.Changes {
		if c.Kind == k {
			n++
		}
	}
	return n
}

// Store is what planning reads.
type Store interface {
	ListStaff(ctx context.Context) ([]coupole.Staff, error)
	StaffProfile(ctx context.Context, id string) (coupole.StaffProfile, error)
	LeaveDates(ctx context.Context) (map[string]time.Time, error)
}

// RoleMap maps role groups of the HR file to roles (setting
// hr-group-roles, the format of oidc-group-roles). Names compare
// case-insensitively.
type RoleMap map[string][]coupole.Role

func (m RoleMap) roles(group string) ([]coupole.Role, bool) {
	if group == "" {
		return nil, true
	}
	for name, rs := range m {
		if strings.EqualFold(strings.TrimSpace(name), group) {
			return sortRoles(rs), true
		}
	}
	return nil, false
}

// sortRoles puts roles in the order of coupole.Roles, without repeats.
func sortRoles(rs []coupole.Role) []coupole.Role {
	var out []coupole.Role
	for _, r := range coupole.Roles {
		if slices.Contains(rs, r) {
			out = append(out, r)
		}
	}
	return out
}

// account is an existing staff account with its HR profile.
type account struct {
	staff   coupole.Staff
	profile coupole.StaffProfile
}

// Options shape a plan.
type Options struct {
	Roles RoleMap
	// Full treats the file as the whole staff: an active account with an
	// employee number that is not in the file is a leaver. Accounts without
	// an employee number (break-glass, accounts made by hand) are never
	// touched.
	Full bool
	// Now is the instant of the plan; dates are compared with its day in
	// Location.
	Now      time.Time
	Location *time.Location
	// SoD, when set, refuses the file if a role group grants roles that
	// segregation of duties forbids together (S7), before anything is
	// applied.
	SoD *sodpolicy.Checker
}

// MakePlan compares rows with the accounts. A role group that is not
// mapped, or a manager who is neither in the file nor an account, refuses
// the file (*FileError) like a malformed line.
func MakePlan(ctx context.Context, store Store, rows []Row, o Options) (Plan, error) {
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	y, m, d := o.Now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	list, err := store.ListStaff(ctx)
	if err != nil {
		return Plan{}, err
	}
	byEmployee := map[string]account{}
	for _, st := range list {
		p, err := store.StaffProfile(ctx, st.ID)
		if err != nil {
			return Plan{}, err
		}
		if p.EmployeeNumber == "" {
			continue
		}
		// A number reused after a departure: the active account wins.
		if prev, ok := byEmployee[p.EmployeeNumber]; ok && prev.staff.Status == coupole.StaffActive {
			continue
		}
		byEmployee[p.EmployeeNumber] = account{staff: st, profile: p}
	}
	leaves, err := store.LeaveDates(ctx)
	if err != nil {
		return Plan{}, err
	}
	inFile := map[string]bool{}
	for _, r := range rows {
		inFile[r.EmployeeNumber] = true
	}
	var problems []Problem
	var leavers, joiners, movers, profiles, dates, others []Change
	for _, r := range rows {
		roles, ok := o.Roles.roles(r.RoleGroup)
		if !ok {
			problems = append(problems, r.problem(ColRoleGroup, "role group not mapped to roles (setting hr-group-roles)"))
			continue
		}
		if o.SoD != nil && len(roles) > 1 {
			rules, err := o.SoD.Conflicts(ctx, roles)
			if err != nil {
				return Plan{}, err
			}
			if len(rules) > 0 {
				problems = append(problems, r.problem(ColRoleGroup, "the role group grants roles segregation of duties forbids together (rule "+rules[0].Rule+")"))
				continue
			}
		}
		if r.Manager != "" {
			if _, known := byEmployee[r.Manager]; !known && !inFile[r.Manager] {
				problems = append(problems, r.problem(ColManager, "no employee with this number in the file or among the accounts"))
				continue
			}
		}
		ended := !r.End.IsZero() && !r.End.After(today)
		c := Change{Line: r.Line, EmployeeNumber: r.EmployeeNumber, row: r, To: roles}
		acc, exists := byEmployee[r.EmployeeNumber]
		switch {
		case !exists && ended:
			c.Kind, c.Note = Skipped, "left before any account was made"
			others = append(others, c)
		case !exists && r.Start.After(today):
			c.Kind, c.Date = NotStarted, r.Start
			others = append(others, c)
		case !exists:
			c.Kind, c.Date = Joiner, r.Start
			c.profile = coupole.StaffProfile{Login: r.Login, DisplayName: r.DisplayName(), Language: r.Language,
				EmployeeNumber: r.EmployeeNumber, Department: r.Department}
			joiners = append(joiners, c)
			if !r.End.IsZero() {
				dates = append(dates, Change{Kind: Scheduled, Line: r.Line, EmployeeNumber: r.EmployeeNumber, Date: r.End, row: r})
			}
		case acc.staff.Status != coupole.StaffActive:
			c.Kind, c.StaffID, c.Note = Skipped, acc.staff.ID, "the account is revoked: reinstate it explicitly if this is a return"
			others = append(others, c)
		case ended:
			c.Kind, c.StaffID, c.Date, c.From, c.To = Leaver, acc.staff.ID, r.End, acc.staff.Roles, nil
			leavers = append(leavers, c)
		default:
			c.StaffID, c.From = acc.staff.ID, acc.staff.Roles
			if !slices.Equal(sortRoles(acc.staff.Roles), roles) {
				mc := c
				mc.Kind = Mover
				movers = append(movers, mc)
			}
			p := acc.profile
			p.DisplayName, p.Department = r.DisplayName(), r.Department
			if r.Language != "" {
				p.Language = r.Language
			}
			if p.DisplayName != acc.profile.DisplayName || p.Department != acc.profile.Department || p.Language != acc.profile.Language ||
				r.Manager != employeeOf(byEmployee, acc.profile.Manager) {
				pc := c
				pc.Kind, pc.profile = Profile, p
				profiles = append(profiles, pc)
			}
			switch cur := leaves[acc.staff.ID]; {
			case !r.End.IsZero() && !cur.Equal(r.End):
				dates = append(dates, Change{Kind: Scheduled, Line: r.Line, EmployeeNumber: r.EmployeeNumber, StaffID: acc.staff.ID, Date: r.End, row: r})
			case r.End.IsZero() && !cur.IsZero():
				dates = append(dates, Change{Kind: Unschedule, Line: r.Line, EmployeeNumber: r.EmployeeNumber, StaffID: acc.staff.ID, row: r})
			}
		}
	}
	if len(problems) > 0 {
		return Plan{}, fileError(problems)
	}
	if o.Full {
		var gone []string
		for emp, acc := range byEmployee {
			if !inFile[emp] && acc.staff.Status == coupole.StaffActive {
				gone = append(gone, emp)
			}
		}
		sort.Strings(gone)
		for _, emp := range gone {
			acc := byEmployee[emp]
			leavers = append(leavers, Change{Kind: Leaver, EmployeeNumber: emp, StaffID: acc.staff.ID, From: acc.staff.Roles, Date: o.Now,
				Note: "not in the file (--full)"})
		}
	}
	out := Plan{staffOf: map[string]string{}}
	for emp, acc := range byEmployee {
		out.staffOf[emp] = acc.staff.ID
	}
	for _, part := range [][]Change{leavers, joiners, movers, profiles, dates, others} {
		out.Changes = append(out.Changes, part...)
	}
	return out, nil
}

// employeeOf returns the employee number of the account staffID among
// accounts, "" if none.
func employeeOf(accounts map[string]account, staffID string) string {
	if staffID == "" {
		return ""
	}
	for emp, a := range accounts {
		if a.staff.ID == staffID {
			return emp
		}
	}
	return ""
}
