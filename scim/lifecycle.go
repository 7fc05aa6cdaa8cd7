package scim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/coupole/coupole"
)

// Lifecycle is what the SCIM service provider needs of staff governance:
// joiners, movers and leavers (S4). The governance service satisfies it;
// StoreLifecycle is a minimal one over the staff store.
type Lifecycle interface {
	// Join creates the account of a new employee (S4 joiner); roles may be empty (groups often arrive after the user).
	Join(ctx context.Context, actor string, p coupole.StaffProfile, roles []coupole.Role) (coupole.Staff, error)
	// UpdateProfile changes names, language, employee number, department, manager — never roles.
	UpdateProfile(ctx context.Context, actor, staffID string, p coupole.StaffProfile) error
	// SetRoles is a mover: old roles removed and new ones granted in one step, checked against SoD (S7), queued for business validation (S5). source is "scim", "hr_csv", "cli", "screen" or "oidc".
	SetRoles(ctx context.Context, actor, staffID string, roles []coupole.Role, source string) error
	// Leave is a leaver: the emergency revocation path (sessions, grants, open interactions gone).
	Leave(ctx context.Context, actor, staffID, reason string) error
	// Reactivate undoes Leave (SCIM active=true).
	Reactivate(ctx context.Context, actor, staffID string) error
}

// StoreLifecycle is a minimal Lifecycle over the staff store, until the
// governance service (segregation of duties, validation) replaces it: it
// creates, re-roles, revokes and reinstates accounts and traces each change.
// The profile beyond the language (employee number, department, manager)
// lives only in the SCIM representation here.
type StoreLifecycle struct {
	Store  coupole.StaffStore
	Tracer coupole.StaffTracer
	Clock  coupole.Clock
}

var _ Lifecycle = (*StoreLifecycle)(nil)

func newStaffID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return "stf-" + hex.EncodeToString(b)
}

// trace writes e before the change it records: a change that cannot be
// traced does not happen.
func (l *StoreLifecycle) trace(ctx context.Context, e coupole.StaffEvent) error {
	if l.Tracer == nil {
		return nil
	}
	e.At = l.Clock.Now()
	if err := l.Tracer.TraceStaff(ctx, e); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "the audit log cannot record the change: nothing was changed")
	}
	return nil
}

func roleNames(roles []coupole.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// Join creates an OIDC account whose login is the SCIM userName.
func (l *StoreLifecycle) Join(ctx context.Context, actor string, p coupole.StaffProfile, roles []coupole.Role) (coupole.Staff, error) {
	s := coupole.Staff{ID: newStaffID(), Kind: coupole.StaffOIDC, Login: p.Login, DisplayName: p.DisplayName, Language: p.Language,
		Roles: roles, Status: coupole.StaffActive, CreatedAt: l.Clock.Now()}
	if err := s.Validate(); err != nil {
		return coupole.Staff{}, err
	}
	if err := l.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventCreated, Actor: actor, Subject: s.ID, Outcome: "ok",
		Details: map[string]string{"source": "scim", "roles": roleNames(roles)}}); err != nil {
		return coupole.Staff{}, err
	}
	if err := l.Store.CreateStaff(ctx, s); err != nil {
		return coupole.Staff{}, err
	}
	return s, nil
}

// UpdateProfile records the language; the staff store keeps nothing else
// of the profile yet.
func (l *StoreLifecycle) UpdateProfile(ctx context.Context, actor, staffID string, p coupole.StaffProfile) error {
	s, err := l.Store.Staff(ctx, staffID)
	if err != nil {
		return err
	}
	if p.Language == "" || p.Language == s.Language {
		return nil
	}
	if err := l.trace(ctx, coupole.StaffEvent{Type: "staff.profile_changed", Actor: actor, Subject: staffID, Outcome: "ok",
		Details: map[string]string{"source": "scim", "language": string(p.Language)}}); err != nil {
		return err
	}
	return l.Store.SetLanguage(ctx, staffID, p.Language)
}

// SetRoles replaces the roles in one step.
func (l *StoreLifecycle) SetRoles(ctx context.Context, actor, staffID string, roles []coupole.Role, source string) error {
	s, err := l.Store.Staff(ctx, staffID)
	if err != nil {
		return err
	}
	if slices.Equal(s.Roles, roles) {
		return nil
	}
	if err := l.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventRolesChanged, Actor: actor, Subject: staffID, Outcome: "ok",
		Details: map[string]string{"source": source, "old": roleNames(s.Roles), "new": roleNames(roles)}}); err != nil {
		return err
	}
	return l.Store.SetRoles(ctx, staffID, roles)
}

// Leave revokes the account: its sessions, grants and open interactions
// end in the store's one transaction. Like web.RevokeStaff, the revocation
// happens before its trace on purpose: removing access must not wait for
// the audit log.
func (l *StoreLifecycle) Leave(ctx context.Context, actor, staffID, reason string) error {
	now := l.Clock.Now()
	rv, err := l.Store.Revoke(ctx, staffID, reason, now)
	if err != nil {
		return err
	}
	if l.Tracer == nil {
		return nil
	}
	if err := l.Tracer.TraceStaff(ctx, coupole.StaffEvent{Type: coupole.StaffEventRevoked, At: now, Actor: actor, Subject: staffID, Outcome: "ok", Reason: reason,
		Details: map[string]string{"source": "scim", "sessions": itoa(rv.Sessions), "interactions_closed": itoa(len(rv.Interactions))}}); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "staff %s is revoked, but the audit log could not record it", staffID)
	}
	return nil
}

// Reactivate reinstates a revoked account.
func (l *StoreLifecycle) Reactivate(ctx context.Context, actor, staffID string) error {
	if err := l.trace(ctx, coupole.StaffEvent{Type: coupole.StaffEventReinstated, Actor: actor, Subject: staffID, Outcome: "ok",
		Details: map[string]string{"source": "scim"}}); err != nil {
		return err
	}
	return l.Store.Reinstate(ctx, staffID)
}

func itoa(n int) string { return strconv.Itoa(n) }
