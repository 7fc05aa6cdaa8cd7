package hrimport

import (
	"context"
	"strconv"
	"time"

	"github.com/coupole/coupole"
)

// Lifecycle is the door every change goes through (governance.Lifecycle):
// the staff policy, segregation of duties and the trace, as for SCIM.
type Lifecycle interface {
	Join(ctx context.Context, actor string, p coupole.StaffProfile, roles []coupole.Role) (coupole.Staff, error)
	UpdateProfile(ctx context.Context, actor, staffID string, p coupole.StaffProfile) error
	SetRoles(ctx context.Context, actor, staffID string, roles []coupole.Role, source string) error
	LeaveOn(ctx context.Context, actor, staffID, reason string, hrDate time.Time) error
	ScheduleLeave(ctx context.Context, actor, staffID string, at time.Time) error
}

// Apply makes the plan's changes through lc, as actor, in the plan's
// order, and returns how many were made. The file was checked whole before
// (Parse, MakePlan); a refusal here (the actor may not administer staff,
// the audit log is down, the account changed meanwhile) stops the import:
// the changes before it are made and traced, the error names the line, and
// applying the same file again makes only what is left (every step compares
// with the accounts first).
func Apply(ctx context.Context, lc Lifecycle, actor string, plan *Plan) (int, error) {
	done := 0
	var pendingManagers []int
	fail := func(c Change, err error) (int, error) {
		where := "employee " + c.EmployeeNumber
		if c.Line > 0 {
			where = "line " + strconv.Itoa(c.Line)
		}
		return done, coupole.Wrap(err, coupole.ErrorCode(err), "HR import stopped at %s (%s) after %d change(s): %s", where, c.Kind, done, coupole.ErrorMessage(err))
	}
	for i := range plan.Changes {
		c := &plan.Changes[i]
		var err error
		switch c.Kind {
		case Leaver:
			reason := "HR file: end date reached"
			if c.Line == 0 {
				reason = "HR file: no longer in the file (--full)"
			}
			err = lc.LeaveOn(ctx, actor, c.StaffID, reason, c.Date)
		case Joiner:
			p := c.profile
			p.Manager = plan.staffOf[c.row.Manager]
			var st coupole.Staff
			if st, err = lc.Join(ctx, actor, p, c.To); err == nil {
				c.StaffID = st.ID
				plan.staffOf[c.EmployeeNumber] = st.ID
				if c.row.Manager != "" && p.Manager == "" {
					pendingManagers = append(pendingManagers, i) // a manager who joins later in the file
				}
			}
		case Mover:
			err = lc.SetRoles(ctx, actor, c.StaffID, c.To, coupole.SourceHRCSV)
		case Profile:
			p := c.profile
			p.Manager = plan.staffOf[c.row.Manager]
			err = lc.UpdateProfile(ctx, actor, c.StaffID, p)
		case Scheduled, Unschedule:
			if c.StaffID == "" {
				c.StaffID = plan.staffOf[c.EmployeeNumber]
			}
			var at time.Time
			if c.Kind == Scheduled {
				at = c.Date
			}
			err = lc.ScheduleLeave(ctx, actor, c.StaffID, at)
		default:
			continue
		}
		if err != nil {
			return fail(*c, err)
		}
		done++
	}
	for _, i := range pendingManagers {
		c := plan.Changes[i]
		p := c.profile
		p.Manager = plan.staffOf[c.row.Manager]
		if err := lc.UpdateProfile(ctx, actor, c.StaffID, p); err != nil {
			return fail(c, err)
		}
	}
	return done, nil
}
