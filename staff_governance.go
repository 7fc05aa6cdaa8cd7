package coupole

import (
	"context"
	"time"
)

// Staff actions of identity governance (issue 12). They are appended to
// StaffActions here, in a file of their own, so that the list in
// staff_access.go stays the other issues' to extend.
const (
	// ActionSoDReport is the list of existing segregation-of-duties
	// violations, for the security officer (S7).
	ActionSoDReport StaffAction = "governance.sod_report"
	// ActionRequestPrivileged asks for an elevated role for a while (S3).
	ActionRequestPrivileged StaffAction = "privileged.request"
	// ActionApprovePrivileged approves, rejects or withdraws another staff
	// member's privileged-access request (S3, S7).
	ActionApprovePrivileged StaffAction = "privileged.approve"
)

// GovernanceActions lists the actions of issue 12.
var GovernanceActions = []StaffAction{ActionSoDReport, ActionRequestPrivileged, ActionApprovePrivileged}

func init() { StaffActions = append(StaffActions, GovernanceActions...) }

// PrivilegedStatus is where a privileged-access request stands (S3).
type PrivilegedStatus string

const (
	PrivilegedPending   PrivilegedStatus = "pending"
	PrivilegedApproved  PrivilegedStatus = "approved"
	PrivilegedRejected  PrivilegedStatus = "rejected"
	PrivilegedWithdrawn PrivilegedStatus = "withdrawn" // ended early
	PrivilegedExpired   PrivilegedStatus = "expired"   // ended at its end; recorded by the sweeper
)

// PrivilegedRequest is a request for an elevated role for a while (S3): it
// starts on approval by somebody else and ends by itself.
type PrivilegedRequest struct {
	ID            string
	StaffID       string
	Role          Role
	Justification string
	Duration      time.Duration
	RequestedAt   time.Time
	Status        PrivilegedStatus
	DecidedBy     string
	DecidedAt     time.Time
	EndsAt        time.Time // zero until approved
	EndedAt       time.Time // withdrawn, or expiry recorded
}

// Active reports whether the request's role is held at now.
func (p PrivilegedRequest) Active(now time.Time) bool {
	return p.Status == PrivilegedApproved && now.Before(p.EndsAt)
}

// PrivilegedStore keeps privileged-access requests.
type PrivilegedStore interface {
	CreatePrivilegedRequest(ctx context.Context, r PrivilegedRequest) error
	PrivilegedRequest(ctx context.Context, id string) (PrivilegedRequest, error)
	ListPrivilegedRequests(ctx context.Context) ([]PrivilegedRequest, error)
	// DecidePrivilegedRequest approves (ends_at = at + duration) or rejects
	// a pending request; any other status is ECONFLICT.
	DecidePrivilegedRequest(ctx context.Context, id string, approve bool, by string, at time.Time) (PrivilegedRequest, error)
	// EndPrivilegedRequest ends an approved request: withdrawn (early) or
	// expired (recorded after its end); any other status is ECONFLICT.
	EndPrivilegedRequest(ctx context.Context, id string, status PrivilegedStatus, at time.Time) error
	// ElevatedRoles lists the roles staffID holds at now by approved,
	// unexpired requests.
	ElevatedRoles(ctx context.Context, staffID string, now time.Time) ([]Role, error)
	// DuePrivilegedRequests lists the approved requests whose end is past.
	DuePrivilegedRequests(ctx context.Context, now time.Time) ([]PrivilegedRequest, error)
}

// BreakGlassDecisionStore keeps what break-glass grants gained when they
// joined the privileged-access path (issue 12, item 4): rejection, early
// withdrawal, and the record of the expiry.
type BreakGlassDecisionStore interface {
	// RejectGrant rejects a pending grant; any other state is ECONFLICT.
	RejectGrant(ctx context.Context, id, by string, at time.Time) (BreakGlassGrant, error)
	// EndGrant records "withdrawn" (pending or active) or "expired" (past
	// its end); any other state is ECONFLICT.
	EndGrant(ctx context.Context, id, reason string, at time.Time) error
	// DueGrants lists the approved grants past their end not yet recorded
	// as expired.
	DueGrants(ctx context.Context, now time.Time) ([]BreakGlassGrant, error)
}

// Staff events of break-glass grants added by issue 12 (the request,
// approval and refusal events are in staff.go).
const (
	StaffEventGrantRejected  = "breakglass.rejected"
	StaffEventGrantWithdrawn = "breakglass.withdrawn"
	StaffEventGrantExpired   = "breakglass.expired"
)
