package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
)

// TestStaffRevokeCLI: S6 — `coupole staff revoke ID --reason TEXT` disables
// the account, destroys its sessions and traces the revocation.
func TestStaffRevokeCLI(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	environ := map[string]string{"COUPOLE_DB": path, "USER": "it-oncall"}
	if r := runCLI(t, environ, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %+v", r)
	}
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	if err := db.CreateStaff(ctx, coupole.Staff{ID: "s-1", Kind: coupole.StaffOIDC, Login: "emp-1", DisplayName: "A", Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, coupole.Session{IDHash: strings.Repeat("a", 64), StaffID: "s-1", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	if r := runCLI(t, environ, "", "staff", "revoke", "s-1"); r.code != 2 || !strings.Contains(r.stderr, "--reason") {
		t.Errorf("revoke without reason: %+v", r)
	}
	r := runCLI(t, environ, "", "staff", "revoke", "s-1", "--reason", "left the company")
	if r.code != 0 || !strings.Contains(r.stdout, "1 session(s) destroyed") {
		t.Fatalf("revoke: %+v", r)
	}
	if _, _, err := db.ActiveSession(ctx, strings.Repeat("a", 64)); coupole.ErrorCode(err) != coupole.EUNAUTHORIZED {
		t.Errorf("session after CLI revoke: %v", err)
	}
	if r := runCLI(t, environ, "", "staff", "revoke", "s-1", "--reason", "again"); r.code != 1 || !strings.Contains(r.stderr, "already revoked") {
		t.Errorf("second revoke: %+v", r)
	}
	if r := runCLI(t, environ, "", "staff", "list"); r.code != 0 || !strings.Contains(r.stdout, "revoked") {
		t.Errorf("list: %+v", r)
	}
	// The revocation is in the audit log.
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM audit_log`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit entries after the revocation: %d, %v", n, err)
	}
}

func TestStaffBreakGlassCLI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	environ := map[string]string{"COUPOLE_DB": path, "COUPOLE_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	runCLI(t, environ, "", "migrate")
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("a long enough secret phrase\n"), 0o600)
	r := runCLI(t, environ, "", "staff", "breakglass", "bg-admin", "--roles", "it_admin", "--password-file", pw)
	if r.code != 0 || !strings.Contains(r.stdout, "otpauth://totp/Coupole:bg-admin?") {
		t.Fatalf("breakglass: %+v", r)
	}
	if r := runCLI(t, environ, "", "staff", "breakglass", "x", "--roles", "wizard", "--password-file", pw); r.code != 2 || !strings.Contains(r.stderr, "role") {
		t.Errorf("unknown role: %+v", r)
	}
}

// TestPolicyTestStaffSet: the staff scenarios run through `coupole policy
// test --set staff`, as a privacy officer would run them.
func TestPolicyTestStaffSet(t *testing.T) {
	r := runCLI(t, nil, "", "policy", "test", "--set", "staff", "../../policy/staff/scenarios")
	if r.code != 0 || !strings.Contains(r.stdout, "staff policy set sha256:") || !strings.Contains(r.stdout, " passed, 0 failed") {
		t.Errorf("policy test --set staff: %+v", r)
	}
	if r := runCLI(t, nil, "", "policy", "test", "--set", "nope", "x"); r.code != 2 {
		t.Errorf("unknown set: %+v", r)
	}
}
