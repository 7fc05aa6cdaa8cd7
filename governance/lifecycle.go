// Package governance is Coupole's staff identity governance (issue 12): the
// one door every role assignment goes through — joiner, mover, leaver —
// whatever its source (SCIM, the HR file, the CLI, the admin screens, the
// identity provider at sign-in), checked against the staff policy (who may
// administer accounts) and the segregation-of-duties policy (which roles go
// together), traced before it happens, and recorded for the yearly figures.
package governance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coupole/coupole"
	sodpolicy "github.com/coupole/coupole/policy/sod"
)

// Store is what the lifecycle needs of the database.
type Store interface {
	coupole.StaffStore
	coupole.GovernanceStore
}

// Lifecycle is the joiner–mover–leaver service (S4, S7). It satisfies the
// SCIM service provider's consumer interface (package scim) and is what the
// CLI, the screens, the identity-provider sign-in and the HR import call.
// It keeps no state of its own: every decision reads the database, so a
// change made on one node holds on every node at once.
type Lifecycle struct {
	Store  Store
	SoD    *sodpolicy.Checker
	Access coupole.StaffAuthorizer // the staff policy: may a staff actor administer accounts?
	Tracer coupole.StaffTracer
	Clock  coupole.Clock
	// ValidationPeriod is how long a granted role waits for the business's
	// validation before it is suspended (S5); DefaultValidationDays when 0.
	// Grants are recorded only when Store keeps them (coupole.ValidationStore).
	ValidationPeriod time.Duration
}

// Actor prefixes of the system actors. A plain staff id is a staff member
// acting from a screen; "cli:<os user> as <staff id>" is a staff member at
// the terminal (the staff id is what the rules check).
const (
	ActorSCIM     = "scim:"
	ActorHRImport = "hr-import:"
	ActorCLI      = "cli:"
	ActorOIDC     = "oidc"
	ActorSweeper  = "sweeper"
)

// actor is who asks, as the rules see them.
type actor struct {
	raw     string
	staffID string        // empty for a system actor
	staff   coupole.Staff // when staffID is set
	source  string        // the default source of what they do
}

// parseActor reads an actor string; a staff actor must be an active
// account.
func (l *Lifecycle) parseActor(ctx context.Context, raw string) (actor, error) {
	a := actor{raw: raw}
	switch {
	case strings.TrimSpace(raw) == "":
		return a, coupole.Errorf(coupole.EINVALID, "actor: who acts must be named")
	case strings.HasPrefix(raw, ActorSCIM):
		a.source = coupole.SourceSCIM
		return a, nil
	case strings.HasPrefix(raw, ActorHRImport):
		// "hr-import:<os user> as <staff id>": the HR file applied by a
		// named staff member, checked like them; without "as", a system
		// actor.
		a.source = coupole.SourceHRCSV
		_, as, ok := strings.Cut(raw, " as ")
		if !ok {
			return a, nil
		}
		if a.staffID = strings.TrimSpace(as); a.staffID == "" {
			return a, coupole.Errorf(coupole.EFORBIDDEN, "actor %q: name the staff member after \"as\"", raw)
		}
	case raw == ActorOIDC:
		a.source = coupole.SourceOIDC
		return a, nil
	case raw == ActorSweeper:
		a.source = coupole.SourceSweeper
		return a, nil
	case strings.HasPrefix(raw, ActorCLI):
		a.source = coupole.SourceCLI
		_, as, ok := strings.Cut(raw, " as ")
		if !ok || strings.TrimSpace(as) == "" {
			return a, coupole.Errorf(coupole.EFORBIDDEN, "actor %q: an administrative command acts as a staff member: give --as STAFF_ID (S7)", raw)
		}
		a.staffID = strings.TrimSpace(as)
	default:
		a.source = coupole.SourceScreen
		a.staffID = raw
	}
	st, err := l.Store.Staff(ctx, a.staffID)
	if coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return a, coupole.Errorf(coupole.EFORBIDDEN, "actor %s: no such staff member", a.staffID)
	} else if err != nil {
		return a, err
	}
	if st.Status != coupole.StaffActive {
		return a, coupole.Errorf(coupole.EFORBIDDEN, "actor %s: the account is revoked", a.staffID)
	}
	a.staff = st
	return a, nil
}

// authorize checks a staff actor against the staff policy; system actors
// are authorized by how they reached Coupole (a SCIM token, the HR file on
// the server). A refusal is traced.
func (l *Lifecycle) authorize(ctx context.Context, a actor, action coupole.StaffAction, target string) error {
	if a.staffID == "" {
		return nil
	}
	return l.authorizeFacts(ctx, a, action, target, coupole.AccessFacts{TargetIsSelf: a.staffID == target})
}

// checkSoD asks the SoD set whether target may hold roles, assigned by a. A
// refusal is traced first and recorded for the figures.
func (l *Lifecycle) checkSoD(ctx context.Context, a actor, target string, before, roles []coupole.Role, source string) error {
	refusal := l.SoD.Check(ctx, sodpolicy.ActionAssign, a.staffID, target, roles, a.staff.Language)
	if refusal == nil {
		return nil
	}
	if coupole.ErrorCode(refusal) != coupole.EFORBIDDEN {
		return refusal
	}
	rule := ruleOf(refusal)
	if err := l.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventSoDRefused, Actor: a.raw, Subject: target, Outcome: "refused", Reason: rule,
		Details: map[string]string{"source": source, "roles": joinRoles(roles)}}); err != nil {
		return err
	}
	if err := l.Store.RecordLifecycle(ctx, coupole.LifecycleRecord{ID: newID("lc-"), StaffID: target, Kind: coupole.LifecycleSoDRefused,
		Source: source, Actor: a.raw, RolesBefore: before, RolesAfter: roles, Rule: rule, At: l.Clock.Now()}); err != nil {
		return err
	}
	return refusal
}

func ruleOf(err error) string {
	var r *sodpolicy.Refusal
	if errors.As(err, &r) {
		return r.Rule
	}
	return ""
}

// trace records e before the step it describes; a failure is EUNAVAILABLE:
// the step does not happen.
func (l *Lifecycle) trace(ctx context.Context, e coupole.StaffEvent) error {
	if e.At.IsZero() {
		e.At = l.Clock.Now()
	}
	if err := l.Tracer.TraceStaff(ctx, e); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record this now: %s of %s is not done", e.Type, e.Subject)
	}
	return nil
}

// traceFailure records that a step traced first did not happen (best
// effort: the log has just worked).
func (l *Lifecycle) traceFailure(ctx context.Context, e coupole.StaffEvent, err error) {
	e.Outcome, e.Reason = "failed", coupole.ErrorCode(err)
	l.Tracer.TraceStaff(ctx, e)
}

func (l *Lifecycle) record(ctx context.Context, r coupole.LifecycleRecord) error {
	r.ID = newID("lc-")
	if r.At.IsZero() {
		r.At = l.Clock.Now()
	}
	if err := l.Store.RecordLifecycle(ctx, r); err != nil {
		return coupole.Wrap(err, coupole.ErrorCode(err), "%s of %s is done but its lifecycle record is missing: %v", r.Kind, r.StaffID, err)
	}
	return nil
}

func normalizeRoles(roles []coupole.Role) ([]coupole.Role, error) {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return coupole.ParseRoles(strings.Join(names, ","))
}

// Join creates the account of a new employee (S4 joiner). roles may be
// empty: groups often arrive after the user. The account signs in through
// the identity provider with p.Login as its subject.
func (l *Lifecycle) Join(ctx context.Context, actorID string, p coupole.StaffProfile, roles []coupole.Role) (coupole.Staff, error) {
	a, err := l.parseActor(ctx, actorID)
	if err != nil {
		return coupole.Staff{}, err
	}
	if strings.TrimSpace(p.Login) == "" {
		return coupole.Staff{}, coupole.Errorf(coupole.EINVALID, "join: the login (identity-provider subject or userName) is empty")
	}
	if roles, err = normalizeRoles(roles); err != nil {
		return coupole.Staff{}, err
	}
	st := coupole.Staff{ID: NewStaffID(), Kind: coupole.StaffOIDC, Login: p.Login, DisplayName: p.DisplayName, Language: p.Language,
		Roles: roles, Status: coupole.StaffActive, CreatedAt: l.Clock.Now()}
	if err := st.Validate(); err != nil {
		return coupole.Staff{}, err
	}
	if err := l.checkManager(ctx, st.ID, p.Manager); err != nil {
		return coupole.Staff{}, err
	}
	if err := l.authorize(ctx, a, coupole.ActionSetRoles, st.ID); err != nil {
		return coupole.Staff{}, err
	}
	if err := l.checkSoD(ctx, a, st.ID, nil, roles, a.source); err != nil {
		return coupole.Staff{}, err
	}
	ev := coupole.StaffEvent{Type: coupole.StaffEventCreated, Actor: a.raw, Subject: st.ID, Outcome: "ok",
		Details: map[string]string{"roles": joinRoles(roles), "source": a.source}}
	if err := l.trace(ctx, ev); err != nil {
		return coupole.Staff{}, err
	}
	if err := l.Store.CreateStaff(ctx, st); err != nil {
		l.traceFailure(ctx, ev, err)
		return coupole.Staff{}, err
	}
	// The account exists (the grants refer to it); its roles wait for the
	// business's validation (S5). Without the grants, no roles.
	gs, err := l.openGrants(ctx, a, st.ID, roles, a.source)
	if err != nil {
		l.Store.SetRoles(ctx, st.ID, nil)
		l.traceFailure(ctx, ev, err)
		return coupole.Staff{}, err
	}
	l.traceGrants(ctx, a, gs)
	if err := l.Store.SetStaffProfile(ctx, st.ID, p, st.CreatedAt); err != nil {
		l.traceFailure(ctx, ev, err)
		return st, err
	}
	return st, l.record(ctx, coupole.LifecycleRecord{StaffID: st.ID, Kind: coupole.LifecycleJoiner, Source: a.source, Actor: a.raw, RolesAfter: roles, At: st.CreatedAt})
}

// checkManager: a manager is an existing account, and nobody is their own
// manager (they would review their own access, S7).
func (l *Lifecycle) checkManager(ctx context.Context, staffID, manager string) error {
	if manager == "" {
		return nil
	}
	if manager == staffID {
		return coupole.Errorf(coupole.EINVALID, "manager: nobody is their own manager")
	}
	if _, err := l.Store.Staff(ctx, manager); coupole.ErrorCode(err) == coupole.ENOTFOUND {
		return coupole.Errorf(coupole.EINVALID, "manager: no staff member %s", manager)
	} else if err != nil {
		return err
	}
	return nil
}

// UpdateProfile changes names, language, employee number, department and
// manager — never roles, never the login. The trace names the fields that
// change, not their values.
func (l *Lifecycle) UpdateProfile(ctx context.Context, actorID, staffID string, p coupole.StaffProfile) error {
	a, err := l.parseActor(ctx, actorID)
	if err != nil {
		return err
	}
	before, err := l.Store.StaffProfile(ctx, staffID)
	if err != nil {
		return err
	}
	if p.Language != "" {
		if _, err := coupole.ParseLanguage(string(p.Language)); err != nil {
			return err
		}
	}
	if err := l.checkManager(ctx, staffID, p.Manager); err != nil {
		return err
	}
	if err := l.authorize(ctx, a, coupole.ActionSetRoles, staffID); err != nil {
		return err
	}
	var changed []string
	for _, f := range []struct {
		name     string
		old, new string
	}{
		{"display_name", before.DisplayName, p.DisplayName}, {"language", string(before.Language), string(p.Language)},
		{"employee_number", before.EmployeeNumber, p.EmployeeNumber}, {"department", before.Department, p.Department},
		{"manager", before.Manager, p.Manager},
	} {
		if f.old != f.new {
			changed = append(changed, f.name)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	ev := coupole.StaffEvent{Type: coupole.StaffEventProfileChanged, Actor: a.raw, Subject: staffID, Outcome: "ok",
		Details: map[string]string{"fields": strings.Join(changed, ","), "source": a.source}}
	if err := l.trace(ctx, ev); err != nil {
		return err
	}
	if err := l.Store.SetStaffProfile(ctx, staffID, p, l.Clock.Now()); err != nil {
		l.traceFailure(ctx, ev, err)
		return err
	}
	return nil
}

// SetRoles is a mover: the old roles are removed and the new ones granted in
// one step, checked against segregation of duties (S7). source is one of
// coupole.AssignmentSources.
func (l *Lifecycle) SetRoles(ctx context.Context, actorID, staffID string, roles []coupole.Role, source string) error {
	if !slices.Contains(coupole.AssignmentSources, source) {
		return coupole.Errorf(coupole.EINVALID, "source: unknown source %q (want one of %s)", source, strings.Join(coupole.AssignmentSources, ", "))
	}
	a, err := l.parseActor(ctx, actorID)
	if err != nil {
		return err
	}
	if roles, err = normalizeRoles(roles); err != nil {
		return err
	}
	before, err := l.Store.Staff(ctx, staffID)
	if err != nil {
		return err
	}
	if err := l.authorize(ctx, a, coupole.ActionSetRoles, staffID); err != nil {
		return err
	}
	if err := l.checkSoD(ctx, a, staffID, before.Roles, roles, source); err != nil {
		return err
	}
	if slices.Equal(before.Roles, roles) {
		return nil
	}
	ev := coupole.StaffEvent{Type: coupole.StaffEventRolesChanged, Actor: a.raw, Subject: staffID, Outcome: "ok",
		Details: map[string]string{"from": joinRoles(before.Roles), "to": joinRoles(roles), "source": source}}
	if err := l.trace(ctx, ev); err != nil {
		return err
	}
	// The roles added wait for the business's validation (S5): the grants
	// are recorded before the roles, so that no role is ever held without
	// its grant; if setting the roles fails they are closed.
	gs, err := l.openGrants(ctx, a, staffID, added(before.Roles, roles), source)
	if err != nil {
		l.traceFailure(ctx, ev, err)
		return err
	}
	if err := l.Store.SetRoles(ctx, staffID, roles); err != nil {
		l.closeGrants(ctx, staffID, before.Roles)
		l.traceFailure(ctx, ev, err)
		return err
	}
	l.traceGrants(ctx, a, gs)
	if err := l.closeGrants(ctx, staffID, roles); err != nil {
		return err
	}
	return l.record(ctx, coupole.LifecycleRecord{StaffID: staffID, Kind: coupole.LifecycleMover, Source: source, Actor: a.raw,
		RolesBefore: before.Roles, RolesAfter: roles})
}

// Leave is a leaver: the emergency revocation path — the account disabled,
// its sessions, break-glass grants and open interactions gone, in one
// transaction. Sessions are checked against the database on every request,
// so the leaver is out on every node at their next request. Leaving twice
// changes nothing.
func (l *Lifecycle) Leave(ctx context.Context, actorID, staffID, reason string) error {
	return l.LeaveOn(ctx, actorID, staffID, reason, time.Time{})
}

// LeaveOn is Leave with the HR date of the departure, kept to measure the
// time from the HR leaver to the revocation (G4).
func (l *Lifecycle) LeaveOn(ctx context.Context, actorID, staffID, reason string, hrDate time.Time) error {
	a, err := l.parseActor(ctx, actorID)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(strings.ToValidUTF8(reason, "\uFFFD"))
	if reason == "" {
		return coupole.Errorf(coupole.EINVALID, "leave: a reason is required: say why the access is removed")
	}
	st, err := l.Store.Staff(ctx, staffID)
	if err != nil {
		return err
	}
	if err := l.authorize(ctx, a, coupole.ActionRevokeStaff, staffID); err != nil {
		return err
	}
	if st.Status == coupole.StaffRevoked {
		return nil
	}
	now := l.Clock.Now()
	// The revocation is made even if the audit log is down: refusing to cut
	// access while the log is down would keep a leaver's account working
	// for as long as the log stays down (the same rule as `staff revoke`).
	rv, err := l.Store.Revoke(ctx, staffID, reason, now)
	if coupole.ErrorCode(err) == coupole.ECONFLICT {
		return nil // revoked meanwhile, by another node
	} else if err != nil {
		return err
	}
	details := map[string]string{"sessions": fmt.Sprint(rv.Sessions), "interactions_closed": fmt.Sprint(len(rv.Interactions)), "source": a.source}
	if len(rv.Interactions) > 0 {
		details["closed_interactions"] = strings.Join(rv.Interactions, ",")
		details["close_reason"] = coupole.CloseStaffRevoked
	}
	if err := l.Tracer.TraceStaff(ctx, coupole.StaffEvent{Type: coupole.StaffEventRevoked, At: now, Actor: a.raw, Subject: staffID, Outcome: "ok", Reason: reason, Details: details}); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "staff %s is revoked, but the audit log could not record it: %v", staffID, err)
	}
	if err := l.closeGrants(ctx, staffID, nil); err != nil {
		return err
	}
	if hrDate.IsZero() {
		hrDate = now
	}
	return l.record(ctx, coupole.LifecycleRecord{StaffID: staffID, Kind: coupole.LifecycleLeaver, Source: a.source, Actor: a.raw,
		RolesBefore: st.Roles, At: now, EffectiveAt: hrDate})
}

// Reactivate undoes Leave (SCIM active=true): the account is active again
// with the roles it had; its old sessions and grants stay gone.
func (l *Lifecycle) Reactivate(ctx context.Context, actorID, staffID string) error {
	a, err := l.parseActor(ctx, actorID)
	if err != nil {
		return err
	}
	st, err := l.Store.Staff(ctx, staffID)
	if err != nil {
		return err
	}
	if err := l.authorize(ctx, a, coupole.ActionRevokeStaff, staffID); err != nil {
		return err
	}
	if st.Status == coupole.StaffActive {
		return nil
	}
	if err := l.checkSoD(ctx, a, staffID, st.Roles, st.Roles, a.source); err != nil {
		return err
	}
	ev := coupole.StaffEvent{Type: coupole.StaffEventReinstated, Actor: a.raw, Subject: staffID, Outcome: "ok", Details: map[string]string{"source": a.source}}
	if err := l.trace(ctx, ev); err != nil {
		return err
	}
	if err := l.Store.Reinstate(ctx, staffID); err != nil {
		l.traceFailure(ctx, ev, err)
		return err
	}
	return l.record(ctx, coupole.LifecycleRecord{StaffID: staffID, Kind: coupole.LifecycleReactivated, Source: a.source, Actor: a.raw, RolesAfter: st.Roles})
}

// NewStaffID returns an identifier such as "s-3f9a0c1b2d4e".
func NewStaffID() string { return newID("s-") }

func newID(prefix string) string {
	var b [6]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func joinRoles(rs []coupole.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}
