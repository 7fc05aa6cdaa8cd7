package scim

import (
	"context"

	"github.com/coupole/coupole"
)

// Lifecycle is what the SCIM service provider needs of staff governance:
// joiners, movers and leavers (S4). governance.Lifecycle satisfies it: every
// change goes through the same rules as the CLI, the HR file and the screens.
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
