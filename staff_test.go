package coupole

import (
	"testing"
	"time"
)

func TestParseRoles(t *testing.T) {
	rs, err := ParseRoles(" supervisor, advisor,advisor ,")
	if err != nil || len(rs) != 2 || rs[0] != RoleAdvisor || rs[1] != RoleSupervisor {
		t.Errorf("ParseRoles = %v, %v", rs, err)
	}
	if _, err := ParseRoles("advisor,admin"); ErrorCode(err) != EINVALID {
		t.Errorf("unknown role: %v", err)
	}
	if len(Roles) != 9 {
		t.Errorf("%d roles, the requirements name nine", len(Roles))
	}
}

// TestSessionLive: S6 idle and absolute timeouts.
func TestSessionLive(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	lim := SessionLimits{Idle: 30 * time.Minute, Absolute: 8 * time.Hour}
	s := Session{CreatedAt: t0, LastSeenAt: t0.Add(7 * time.Hour), ExpiresAt: t0.Add(8 * time.Hour)}
	tests := []struct {
		at   time.Duration
		want bool
	}{
		{7*time.Hour + 29*time.Minute, true},
		{7*time.Hour + 30*time.Minute, false}, // idle
		{8 * time.Hour, false},                // absolute
	}
	for _, tt := range tests {
		if got := s.Live(t0.Add(tt.at), lim); got != tt.want {
			t.Errorf("Live at +%v = %v", tt.at, got)
		}
	}
}

// TestGrantActive: S3 — only approved, unrevoked, unexpired grants count.
func TestGrantActive(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	g := BreakGlassGrant{ExpiresAt: t0.Add(time.Hour)}
	if g.Active(t0) {
		t.Error("unapproved grant is active")
	}
	g.ApprovedBy = "s-2"
	if !g.Active(t0) || g.Active(t0.Add(time.Hour)) {
		t.Error("approved grant: wrong activity around expiry")
	}
	g.RevokedAt = t0
	if g.Active(t0) {
		t.Error("revoked grant is active")
	}
}

func TestStaffValidate(t *testing.T) {
	ok := Staff{ID: "s-1", Kind: StaffOIDC, Login: "sub", Roles: []Role{RoleAuditor}, Status: StaffActive}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []Staff{
		{Kind: StaffOIDC, Login: "sub", Roles: []Role{RoleAuditor}, Status: StaffActive},
		{ID: "s", Kind: "saml", Login: "sub", Roles: []Role{RoleAuditor}, Status: StaffActive},
		{ID: "s", Kind: StaffLocal, Login: "sub", Status: StaffActive},
		{ID: "s", Kind: StaffOIDC, Login: "sub", Roles: []Role{"root"}, Status: StaffActive},
		{ID: "s", Kind: StaffOIDC, Login: "sub", Roles: []Role{RoleAuditor}, Status: "gone"},
	}
	for i, s := range bad {
		if err := s.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("case %d: %v, want invalid", i, err)
		}
	}
}
