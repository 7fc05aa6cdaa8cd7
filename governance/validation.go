package governance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Business validation (issue 12, item 5: S5): every role granted through
// the lifecycle — SCIM, the HR file, the CLI, the screens, the identity
// provider — waits for the service delivery manager. A grant not validated
// within the validation period gives nothing from its due time (the
// session subtracts overdue roles with the clock, on every node) and is
// then suspended by the sweeper, which removes the role. The validator is
// allowed by the staff policy and is neither the grantee nor who granted
// (the SoD set's self-rules).

// Staff events of business validation.
const (
	EventGrantOpened    = "access.grant_pending" // a role granted, waiting for validation
	EventGrantValidated = "access.validated"
	EventGrantRejected  = "access.rejected"
	EventGrantSuspended = "access.suspended"
)

// ValidationStore is what business validation needs of the database.
type ValidationStore interface {
	Store
	coupole.ValidationStore
}

// validationPeriod is how long a grant may wait.
func (l *Lifecycle) validationPeriod() time.Duration {
	if l.ValidationPeriod > 0 {
		return l.ValidationPeriod
	}
	return coupole.DefaultValidationDays * 24 * time.Hour
}

// openGrants records the roles just granted to staffID as pending
// validation, before they are set: if setting them fails the grants close;
// if recording fails nothing is granted. System sweeps grant nothing.
func (l *Lifecycle) openGrants(ctx context.Context, a actor, staffID string, added []coupole.Role, source string) ([]coupole.RoleGrant, error) {
	vs, ok := l.Store.(coupole.ValidationStore)
	if !ok || len(added) == 0 || source == coupole.SourceSweeper {
		return nil, nil
	}
	now := l.Clock.Now()
	gs := make([]coupole.RoleGrant, len(added))
	for i, r := range added {
		gs[i] = coupole.RoleGrant{ID: newID("rg-"), StaffID: staffID, Role: r, Source: source, GrantedBy: a.raw, GranterID: a.staffID,
			GrantedAt: now, DueAt: now.Add(l.validationPeriod()), Status: coupole.GrantPending}
	}
	if err := vs.CreateRoleGrants(ctx, gs); err != nil {
		return nil, err
	}
	return gs, nil
}

// closeGrants closes the pending grants of roles staffID no longer holds.
func (l *Lifecycle) closeGrants(ctx context.Context, staffID string, keep []coupole.Role) error {
	vs, ok := l.Store.(coupole.ValidationStore)
	if !ok {
		return nil
	}
	return vs.CloseRoleGrants(ctx, staffID, keep, l.Clock.Now())
}

// added lists the roles in after that are not in before.
func added(before, after []coupole.Role) []coupole.Role {
	var out []coupole.Role
	for _, r := range after {
		if !slices.Contains(before, r) {
			out = append(out, r)
		}
	}
	return out
}

// traceGrants traces the grants opened (best effort: the role change was
// traced first and names the roles).
func (l *Lifecycle) traceGrants(ctx context.Context, a actor, gs []coupole.RoleGrant) {
	for _, g := range gs {
		l.Tracer.TraceStaff(ctx, coupole.StaffEvent{Type: EventGrantOpened, At: g.GrantedAt, Actor: a.raw, Subject: g.StaffID, Outcome: "ok",
			Details: map[string]string{"grant": g.ID, "role": string(g.Role), "source": g.Source, "due_at": g.DueAt.UTC().Format(time.RFC3339)}})
	}
}

// Validation is the service delivery manager's validation queue.
type Validation struct {
	Lifecycle *Lifecycle
	Store     ValidationStore
}

// Queue lists the grants waiting for validation, oldest first.
func (v *Validation) Queue(ctx context.Context) ([]coupole.RoleGrant, error) {
	return v.Store.ListRoleGrants(ctx, coupole.GrantPending)
}

// checkValidator: the actor may validate (staff policy) and is neither the
// grantee nor who granted (SoD). Refusals are traced.
func (v *Validation) checkValidator(ctx context.Context, a actor, g coupole.RoleGrant, action coupole.StaffAction, facts coupole.AccessFacts) error {
	l := v.Lifecycle
	if a.staffID == "" {
		return coupole.Errorf(coupole.EFORBIDDEN, "validation is a person's decision: act as a staff member (--as)")
	}
	if err := l.authorizeFacts(ctx, a, action, g.StaffID, facts); err != nil {
		return err
	}
	return l.checkValidationSoD(ctx, a, g.StaffID, g.GranterID, g.Role)
}

// checkValidationSoD asks the SoD set whether a may validate or review the
// access of target granted by granter; a refusal is traced and recorded.
func (l *Lifecycle) checkValidationSoD(ctx context.Context, a actor, target, granter string, role coupole.Role) error {
	refusal := l.SoD.CheckValidation(ctx, a.staffID, target, granter, []coupole.Role{role}, a.staff.Language)
	if refusal == nil {
		return nil
	}
	if coupole.ErrorCode(refusal) != coupole.EFORBIDDEN {
		return refusal
	}
	rule := ruleOf(refusal)
	if err := l.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventSoDRefused, Actor: a.raw, Subject: target, Outcome: "refused", Reason: rule,
		Details: map[string]string{"action": "access.validate", "role": string(role)}}); err != nil {
		return err
	}
	if err := l.Store.RecordLifecycle(ctx, coupole.LifecycleRecord{ID: newID("lc-"), StaffID: target, Kind: coupole.LifecycleSoDRefused,
		Source: a.source, Actor: a.raw, RolesAfter: []coupole.Role{role}, Rule: rule, At: l.Clock.Now()}); err != nil {
		return err
	}
	return refusal
}

// Validate confirms a pending grant: the role stays.
func (v *Validation) Validate(ctx context.Context, actorID, grantID string) (coupole.RoleGrant, error) {
	l := v.Lifecycle
	a, err := l.parseActor(ctx, actorID)
	if err != nil {
		return coupole.RoleGrant{}, err
	}
	g, err := v.pendingGrant(ctx, a, grantID)
	if err != nil {
		return g, err
	}
	now := l.Clock.Now()
	ev := coupole.StaffEvent{Type: EventGrantValidated, At: now, Actor: a.raw, Subject: g.StaffID, Outcome: "ok",
		Details: map[string]string{"grant": g.ID, "role": string(g.Role), "granted_by": g.GrantedBy, "on_time": fmt.Sprint(now.Before(g.DueAt))}}
	if err := l.trace(ctx, ev); err != nil {
		return g, err
	}
	out, err := v.Store.ValidateRoleGrant(ctx, g.ID, a.staffID, now)
	if err != nil {
		l.traceFailure(ctx, ev, err)
		return out, err
	}
	return out, nil
}

// pendingGrant loads a grant a may decide: a refusal of a is traced by
// checkValidator; a grant decided already is a conflict.
func (v *Validation) pendingGrant(ctx context.Context, a actor, grantID string) (coupole.RoleGrant, error) {
	g, err := v.Store.RoleGrant(ctx, grantID)
	if err != nil {
		return g, err
	}
	if err := v.checkValidator(ctx, a, g, coupole.ActionValidateAccess, coupole.AccessFacts{TargetIsSelf: a.staffID == g.StaffID}); err != nil {
		return g, err
	}
	if g.Status != coupole.GrantPending {
		return g, coupole.Errorf(coupole.ECONFLICT, "role grant %s is %s, not pending", g.ID, g.Status)
	}
	return g, nil
}

// Reject refuses a pending grant: the role is removed from the account now
// (a mover, recorded for the figures).
func (v *Validation) Reject(ctx context.Context, actorID, grantID, why string) (coupole.RoleGrant, error) {
	l := v.Lifecycle
	a, err := l.parseActor(ctx, actorID)
	if err != nil {
		return coupole.RoleGrant{}, err
	}
	why = strings.TrimSpace(strings.ToValidUTF8(why, "\uFFFD"))
	if why == "" {
		return coupole.RoleGrant{}, coupole.Errorf(coupole.EINVALID, "reject: a reason is required: say why the role is refused")
	}
	g, err := v.pendingGrant(ctx, a, grantID)
	if err != nil {
		return g, err
	}
	return v.end(ctx, a, g, coupole.GrantRejected, EventGrantRejected, why)
}

// end rejects or suspends g: trace first, then the grant and the role in
// one transaction, then the mover record.
func (v *Validation) end(ctx context.Context, a actor, g coupole.RoleGrant, status coupole.GrantStatus, evType, why string) (coupole.RoleGrant, error) {
	l := v.Lifecycle
	now := l.Clock.Now()
	ev := coupole.StaffEvent{Type: evType, At: now, Actor: a.raw, Subject: g.StaffID, Outcome: "ok", Reason: why,
		Details: map[string]string{"grant": g.ID, "role": string(g.Role), "granted_by": g.GrantedBy}}
	if err := l.trace(ctx, ev); err != nil {
		return g, err
	}
	by := a.staffID
	if by == "" {
		by = a.raw
	}
	before, after, err := v.Store.EndRoleGrant(ctx, g.ID, status, by, now)
	if err != nil {
		l.traceFailure(ctx, ev, err)
		return g, err
	}
	g.Status, g.DecidedBy, g.DecidedAt = status, by, now
	if slices.Equal(before, after) {
		return g, nil // the role had gone already
	}
	return g, l.record(ctx, coupole.LifecycleRecord{StaffID: g.StaffID, Kind: coupole.LifecycleMover, Source: a.source, Actor: a.raw,
		RolesBefore: before, RolesAfter: after, At: now})
}

// SuspendDue suspends the pending grants whose due time is past: the
// sweeper's work. The roles gave nothing from their due time already
// (OverdueRoles); this removes them and traces it. It returns how many were
// suspended.
func (v *Validation) SuspendDue(ctx context.Context) (int, error) {
	a := actor{raw: ActorSweeper, source: coupole.SourceSweeper}
	due, err := v.Store.DueRoleGrants(ctx, v.Lifecycle.Clock.Now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, g := range due {
		if _, err := v.end(ctx, a, g, coupole.GrantSuspended, EventGrantSuspended, "not_validated_in_time"); err != nil {
			if coupole.ErrorCode(err) == coupole.ECONFLICT || coupole.ErrorCode(err) == coupole.ENOTFOUND {
				continue // decided meanwhile, on another node
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// authorizeFacts is authorize with the request's facts.
func (l *Lifecycle) authorizeFacts(ctx context.Context, a actor, action coupole.StaffAction, target string, facts coupole.AccessFacts) error {
	d, err := l.Access.AuthorizeStaff(ctx, coupole.AccessRequest{Staff: a.staff, Action: action, ResourceType: "StaffAccount",
		ResourceID: target, Facts: facts})
	if err != nil {
		return err
	}
	if d.Allow {
		return nil
	}
	if err := l.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventAccessDenied, Actor: a.raw, Subject: target, Outcome: "refused", Reason: d.Reason,
		Details: map[string]string{"action": string(action)}}); err != nil {
		return err
	}
	return coupole.Errorf(coupole.EFORBIDDEN, "%s may not %s (%s)", a.staffID, action, d.Reason)
}
