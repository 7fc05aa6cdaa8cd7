package coupole

import (
	"context"
	"strings"
	"time"
)

// Role is what a staff member does at the contact center (S2). What each role
// may do is written in the staff-access policy set (Cedar), not in Go.
type Role string

const (
	RoleAdvisor                Role = "advisor"
	RoleCPASAdvisor            Role = "cpas_advisor"
	RoleBackOffice             Role = "back_office"
	RoleTeamLead               Role = "team_lead"
	RoleSupervisor             Role = "supervisor"
	RolePrivacyOfficer         Role = "privacy_officer"
	RoleAuditor                Role = "auditor"
	RoleITAdmin                Role = "it_admin"
	RoleServiceDeliveryManager Role = "service_delivery_manager"
)

// Roles lists every Role.
var Roles = []Role{
	RoleAdvisor, RoleCPASAdvisor, RoleBackOffice, RoleTeamLead, RoleSupervisor,
	RolePrivacyOfficer, RoleAuditor, RoleITAdmin, RoleServiceDeliveryManager,
}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) { return parseEnum("role", s, Roles) }

// ParseRoles validates a comma-separated list of roles, ignoring blanks and
// duplicates; the result is in the order of Roles.
func ParseRoles(s string) ([]Role, error) {
	seen := map[Role]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		r, err := ParseRole(part)
		if err != nil {
			return nil, err
		}
		seen[r] = true
	}
	var out []Role
	for _, r := range Roles {
		if seen[r] {
			out = append(out, r)
		}
	}
	return out, nil
}

// StaffStatus tells whether a staff member may sign in.
type StaffStatus string

const (
	StaffActive  StaffStatus = "active"
	StaffRevoked StaffStatus = "revoked" // emergency revocation or departure (S6)
)

// StaffKind tells how a staff member signs in.
type StaffKind string

const (
	// StaffOIDC signs in through the operator's identity provider (S8); the
	// normal case.
	StaffOIDC StaffKind = "oidc"
	// StaffLocal is a named break-glass account with a password and a TOTP
	// code, for when the identity provider is down.
	StaffLocal StaffKind = "local"
	// StaffDemo exists only while the server runs with --demo.
	StaffDemo StaffKind = "demo"
)

// Staff is a person who works at, or for, the contact center.
type Staff struct {
	ID          string // Coupole's own identifier, shown by `coupole staff list`
	Kind        StaffKind
	Login       string // OIDC: issuer subject; local and demo: the user name
	DisplayName string
	// Language is the language the staff member picked for the screens;
	// empty until they pick one.
	Language  Language
	Roles     []Role
	Status    StaffStatus
	CreatedAt time.Time
	// RevokedAt and RevokedReason are set when Status is StaffRevoked.
	RevokedAt     time.Time
	RevokedReason string
}

// HasRole reports whether s holds r.
func (s Staff) HasRole(r Role) bool {
	for _, have := range s.Roles {
		if have == r {
			return true
		}
	}
	return false
}

// Validate checks the invariants of a staff record.
func (s Staff) Validate() error {
	if strings.TrimSpace(s.ID) == "" {
		return Errorf(EINVALID, "staff: id is empty")
	}
	if _, err := parseEnum("staff kind", string(s.Kind), []StaffKind{StaffOIDC, StaffLocal, StaffDemo}); err != nil {
		return err
	}
	if strings.TrimSpace(s.Login) == "" {
		return Errorf(EINVALID, "staff %s: login is empty", s.ID)
	}
	// No role is allowed (issue 12): a joiner whose groups arrive after the
	// account, a mover whose groups map to no role; they may do nothing.
	for _, r := range s.Roles {
		if _, err := ParseRole(string(r)); err != nil {
			return err
		}
	}
	if _, err := parseEnum("staff status", string(s.Status), []StaffStatus{StaffActive, StaffRevoked}); err != nil {
		return err
	}
	if s.Language != "" {
		if _, err := ParseLanguage(string(s.Language)); err != nil {
			return err
		}
	}
	return nil
}

// StaffProfile is what the employer's HR knows of a staff member (S4). It
// arrives through SCIM or the HR file and is kept beside the account: the
// manager is who reviews the member's access (S5).
type StaffProfile struct {
	Login          string // the sign-in name: OIDC subject, or the SCIM userName
	DisplayName    string
	Language       Language
	EmployeeNumber string
	Department     string
	Manager        string // the manager's staff id, empty when unknown
}

// LifecycleKind is a step of a staff member's life at the contact center (S4).
type LifecycleKind string

const (
	LifecycleJoiner      LifecycleKind = "joiner"
	LifecycleMover       LifecycleKind = "mover"
	LifecycleLeaver      LifecycleKind = "leaver"
	LifecycleReactivated LifecycleKind = "reactivated"
	LifecycleSoDRefused  LifecycleKind = "sod_refused" // a refused assignment (S7)
)

// Sources of role assignments: every assignment names where it came from.
const (
	SourceSCIM    = "scim"
	SourceHRCSV   = "hr_csv"
	SourceCLI     = "cli"
	SourceScreen  = "screen"
	SourceOIDC    = "oidc"
	SourceSweeper = "sweeper" // a future-dated HR leaver reaching its date
)

// AssignmentSources lists the sources a role assignment may come from.
var AssignmentSources = []string{SourceSCIM, SourceHRCSV, SourceCLI, SourceScreen, SourceOIDC, SourceSweeper}

// LifecycleRecord is one lifecycle step as kept for the figures of the
// yearly report (G4): no personal data, identifiers and roles only.
type LifecycleRecord struct {
	ID          string
	StaffID     string
	Kind        LifecycleKind
	Source      string
	Actor       string
	RolesBefore []Role
	RolesAfter  []Role
	Rule        string    // the SoD rule of a refusal
	At          time.Time // when Coupole made or refused the change
	EffectiveAt time.Time // the HR date of a leaver, when known
}

// GovernanceStore keeps what identity governance adds beside the staff
// accounts (issue 12): HR profiles and lifecycle records.
type GovernanceStore interface {
	// StaffProfile returns the HR profile of a staff member: names and
	// language from the account, the rest from the profile (empty fields
	// when none was ever recorded).
	StaffProfile(ctx context.Context, id string) (StaffProfile, error)
	// SetStaffProfile records p for the staff member: display name and
	// language on the account, the rest in the profile, in one transaction.
	SetStaffProfile(ctx context.Context, id string, p StaffProfile, at time.Time) error
	// RecordLifecycle appends a lifecycle record.
	RecordLifecycle(ctx context.Context, r LifecycleRecord) error
	// LifecycleRecords lists the records of a staff member, oldest first.
	LifecycleRecords(ctx context.Context, staffID string) ([]LifecycleRecord, error)
	// SetLeaveDate records the HR end date of a future-dated leaver (zero:
	// none); the account is revoked by itself on that date.
	SetLeaveDate(ctx context.Context, staffID string, at time.Time) error
	// LeaveDates lists the recorded end dates by staff id.
	LeaveDates(ctx context.Context) (map[string]time.Time, error)
	// DueLeavers lists the active accounts whose end date is at or before now.
	DueLeavers(ctx context.Context, now time.Time) ([]ScheduledLeave, error)
}

// ScheduledLeave is a future-dated leaver from the HR file (S4).
type ScheduledLeave struct {
	StaffID string
	At      time.Time
}

// Session is a signed-in browser. The store keeps only a hash of the
// session's secret id: a copy of the database does not let anyone sign in.
type Session struct {
	IDHash     string // hex SHA-256 of the secret id carried by the cookie
	StaffID    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute end of the session, whatever its activity.
	ExpiresAt time.Time
}

// SessionLimits are the idle and absolute timeouts of sessions.
type SessionLimits struct {
	Idle     time.Duration
	Absolute time.Duration
}

// Live reports whether the session may still be used at now.
func (s Session) Live(now time.Time, lim SessionLimits) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(lim.Idle))
}

// LocalCredential is the secret material of a break-glass account: an
// argon2id password hash (PHC string) and a TOTP secret, with the last TOTP
// time step accepted so that no code is accepted twice.
type LocalCredential struct {
	StaffID      string
	PasswordHash string
	TOTPSecret   string
	LastTOTPStep int64
}

// BreakGlassGrant lets a privacy officer read one customer's data without an
// interaction, for a stated reason and a limited time (S3, C1). It is
// requested by one person and approved by another (S7), and shown to
// auditors.
type BreakGlassGrant struct {
	ID          string
	StaffID     string // who reads
	CustomerID  string // whose data
	Reason      string
	RequestedAt time.Time
	Duration    time.Duration // how long it lasts once approved
	ApprovedBy  string        // empty until approved
	ApprovedAt  time.Time
	ExpiresAt   time.Time // zero until approved
	RevokedAt   time.Time // set when ended early (staff revocation, rejection, withdrawal)
	RejectedBy  string    // who rejected the request (issue 12)
	EndedAt     time.Time // when its end was recorded: rejected, withdrawn or expired
	EndReason   string    // "rejected", "withdrawn", "expired"; empty otherwise
}

// Active reports whether the grant lets its holder read at now.
// ApprovableBy says why approver may not approve g, if they may not (S3,
// S7): nobody approves their own request, nor one already approved or
// revoked.
func (g BreakGlassGrant) ApprovableBy(approver string) error {
	switch {
	case g.StaffID == approver:
		return Errorf(EFORBIDDEN, "nobody approves their own break-glass request")
	case g.ApprovedBy != "":
		return Errorf(ECONFLICT, "break-glass grant is already approved")
	case !g.RevokedAt.IsZero():
		return Errorf(ECONFLICT, "break-glass grant was revoked")
	}
	return nil
}

func (g BreakGlassGrant) Active(now time.Time) bool {
	return g.ApprovedBy != "" && g.RevokedAt.IsZero() && now.Before(g.ExpiresAt)
}

// Revocation is what an emergency revocation ended.
type Revocation struct {
	Sessions     int      // sessions destroyed
	Interactions []string // ids of the open interactions it closed
}

// MaxBreakGlass is the longest a break-glass grant may last.
const MaxBreakGlass = 4 * time.Hour

// StaffStore keeps staff, their sessions, local credentials and break-glass
// grants. Implementations pass one conformance suite on every engine.
type StaffStore interface {
	CreateStaff(ctx context.Context, s Staff) error
	Staff(ctx context.Context, id string) (Staff, error)
	StaffByLogin(ctx context.Context, kind StaffKind, login string) (Staff, error)
	ListStaff(ctx context.Context) ([]Staff, error)
	// SetRoles replaces the roles of a staff member.
	SetRoles(ctx context.Context, id string, roles []Role) error
	// Revoke disables the account and, in the same transaction, deletes all
	// its sessions, ends all its break-glass grants (S6) and closes its open
	// interactions with the system reason CloseStaffRevoked (issue 10: a
	// reinstated member regains no access through them). Revoking a revoked
	// account is a conflict.
	Revoke(ctx context.Context, id, reason string, at time.Time) (Revocation, error)
	// Reinstate makes a revoked account active again.
	Reinstate(ctx context.Context, id string) error
	// SetLanguage records the language a staff member picked (issue 7).
	SetLanguage(ctx context.Context, id string, lang Language) error

	SetLocalCredential(ctx context.Context, c LocalCredential) error
	LocalCredential(ctx context.Context, staffID string) (LocalCredential, error)
	// UseTOTPStep records step as the last TOTP step used, only if it is
	// later than the recorded one; otherwise it returns ECONFLICT (a replayed
	// code).
	UseTOTPStep(ctx context.Context, staffID string, step int64) error

	CreateSession(ctx context.Context, s Session) error
	// ActiveSession returns the session and its staff member, only if the
	// staff member is active. It does not check timeouts.
	ActiveSession(ctx context.Context, idHash string) (Session, Staff, error)
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	// DeleteSessionsOf signs a staff member out everywhere.
	DeleteSessionsOf(ctx context.Context, staffID string) (int, error)

	CreateGrant(ctx context.Context, g BreakGlassGrant) error
	Grant(ctx context.Context, id string) (BreakGlassGrant, error)
	// ApproveGrant approves a pending grant; expiry is at + its duration.
	ApproveGrant(ctx context.Context, id, approver string, at time.Time) (BreakGlassGrant, error)
	ListGrants(ctx context.Context) ([]BreakGlassGrant, error)
	GrantsOf(ctx context.Context, staffID string) ([]BreakGlassGrant, error)
}

// HandledInteraction is what the server knows of an open interaction that a
// staff member handles: the customers and access points identified in it.
// It is a fact the server derives, never one a client sends (C1).
type HandledInteraction struct {
	ID          string
	CustomerIDs []string
	EANs        []EAN
}

// InteractionMeta is what a supervisor sees of an interaction: no customer
// data.
type InteractionMeta struct {
	ID       string
	StaffID  string
	Channel  string
	OpenedAt time.Time
}

// InteractionFacts provides the facts need-to-know depends on. Interactions
// come with their own issue; until then a minimal implementation serves.
type InteractionFacts interface {
	// HandledInteractions lists the open interactions staffID handles.
	HandledInteractions(ctx context.Context, staffID string) ([]HandledInteraction, error)
	// OpenInteractions lists the metadata of every open interaction.
	OpenInteractions(ctx context.Context) ([]InteractionMeta, error)
}

// StaffEvent is a security event of staff access: a sign-in, a failure, a
// revocation, a role change, a break-glass grant (issue 5, T1). Fields carry
// identifiers, never personal data of customers.
type StaffEvent struct {
	Type    string // e.g. "staff.signin", see the StaffEvent* constants
	At      time.Time
	Actor   string // staff id of who acted, "cli" or "" when unknown
	Subject string // staff id acted upon, or the login tried for failures
	Outcome string // "ok", "refused"
	Reason  string // free text given by the actor, or a refusal code
	Details map[string]string
}

// Staff event types.
const (
	StaffEventSignIn          = "staff.signin"
	StaffEventSignInFailed    = "staff.signin_failed"
	StaffEventSignOut         = "staff.signout"
	StaffEventRevoked         = "staff.revoked"
	StaffEventReinstated      = "staff.reinstated"
	StaffEventRolesChanged    = "staff.roles_changed"
	StaffEventCreated         = "staff.created"
	StaffEventGrantRequested  = "breakglass.requested"
	StaffEventGrantApproved   = "breakglass.approved"
	StaffEventGrantRefused    = "breakglass.refused"
	StaffEventAccessDenied    = "access.denied"
	StaffEventCustomerAccess  = "customer.read"
	StaffEventCredentialsSet  = "staff.credentials_set"
	StaffEventSessionsDeleted = "staff.signed_out_everywhere"
)

// Staff event types of issue 12: identity governance.
const (
	// StaffEventProfileChanged is a change of HR data (names, language,
	// employee number, department, manager); details name the fields, never
	// their values.
	StaffEventProfileChanged = "staff.profile_changed"
	// StaffEventSoDRefused is an assignment or approval refused by
	// segregation of duties; the reason is the rule's id.
	StaffEventSoDRefused = "staff.sod_refused"
)

// Staff event types of issue 10 (item 5): refusals and auditors' searches.
const (
	// StaffEventAnonymousRefusals counts, over a window, the refusals of
	// requests that carry no principal (not signed in, outside the allowed
	// networks, cross-origin, a throttled sign-in): one event per window,
	// never one per request, so that a flood cannot fill the log.
	StaffEventAnonymousRefusals = "access.refused_anonymous"
	// StaffEventAuditSearch is an auditor's search of the traces.
	StaffEventAuditSearch = "audit.search"
	// StaffEventImport is an import of grid data (coupole import).
	StaffEventImport = "grid.import"
	// StaffEventAuditExport and StaffEventAuditErase are the export of the
	// audit log for an auditor and the erasure of old payloads.
	StaffEventAuditExport = "audit.export"
	StaffEventAuditErase  = "audit.erase"
)

// StaffTracer records staff events in the audit log. A failure to trace is
// an error: an event that cannot be traced must not be acknowledged.
type StaffTracer interface {
	TraceStaff(ctx context.Context, e StaffEvent) error
}
