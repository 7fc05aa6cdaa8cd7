package governance

import (
	"context"
	"time"

	"github.com/coupole/coupole"
)

// StaffEventLeaveScheduled records an HR end date in the future: the
// account is revoked by itself on that date (S4).
const StaffEventLeaveScheduled = "staff.leave_scheduled"

// ScheduleLeave records the HR end date of a staff member: on that date
// the sweeper revokes the account through the emergency path (LeaveDue). A
// zero date cancels the schedule. It is checked and traced like Leave.
func (l *Lifecycle) ScheduleLeave(ctx context.Context, actorID, staffID string, at time.Time) error {
	a, err := l.parseActor(ctx, actorID)
	if err != nil {
		return err
	}
	if _, err := l.Store.Staff(ctx, staffID); err != nil {
		return err
	}
	if err := l.authorize(ctx, a, coupole.ActionRevokeStaff, staffID); err != nil {
		return err
	}
	date := "none"
	if !at.IsZero() {
		date = at.UTC().Format(time.RFC3339)
	}
	ev := coupole.StaffEvent{Type: StaffEventLeaveScheduled, Actor: a.raw, Subject: staffID, Outcome: "ok",
		Details: map[string]string{"leaves_at": date, "source": a.source}}
	if err := l.trace(ctx, ev); err != nil {
		return err
	}
	if err := l.Store.SetLeaveDate(ctx, staffID, at); err != nil {
		l.traceFailure(ctx, ev, err)
		return err
	}
	return nil
}

// LeaveDue revokes the active accounts whose HR end date has come, as
// leavers whose HR date is that end date (the figures measure the time
// from it to the revocation). It returns how many left. Each goes through
// Leave: sessions, grants and open interactions end in one transaction.
func (l *Lifecycle) LeaveDue(ctx context.Context) (int, error) {
	due, err := l.Store.DueLeavers(ctx, l.Clock.Now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		if err := l.LeaveOn(ctx, ActorSweeper, d.StaffID, "HR end date reached", d.At); err != nil {
			return n, err
		}
		if err := l.Store.SetLeaveDate(ctx, d.StaffID, time.Time{}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
