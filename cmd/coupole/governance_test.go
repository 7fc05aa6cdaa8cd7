package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// TestStaffRolesCLIActsAsStaff: S7, issue 12 item 3 — `staff roles` needs
// --as, checks the named staff member against the staff policy and the SoD
// policy, and the trace names both the operating-system user and them.
func TestStaffRolesCLIActsAsStaff(t *testing.T) {
	ctx := context.Background()
	environ, db := cliTraceDB(t)
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for id, role := range map[string]coupole.Role{"s-adm": coupole.RoleITAdmin, "s-1": coupole.RoleAuditor, "s-adv": coupole.RoleAdvisor} {
		if err := db.CreateStaff(ctx, coupole.Staff{ID: id, Kind: coupole.StaffOIDC, Login: "emp-" + id, DisplayName: "A", Roles: []coupole.Role{role}, Status: coupole.StaffActive, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no --as", []string{"s-1", "supervisor"}, "--as STAFF_ID is required"},
		{"self-administration", []string{"s-adm", "it_admin,supervisor", "--as", "s-adm"}, "self_administration"},
		{"advisor administers", []string{"s-1", "supervisor", "--as", "s-adv"}, "not_allowed"},
		{"incompatible pair", []string{"s-1", "auditor,it_admin", "--as", "s-adm"}, "incompatible-auditor-it-admin"},
	} {
		r := runCLI(t, environ, "", append([]string{"staff", "roles"}, tc.args...)...)
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: %+v, want a refusal with %q", tc.name, r, tc.want)
		}
	}
	if st, _ := db.Staff(ctx, "s-1"); !slices.Equal(st.Roles, []coupole.Role{coupole.RoleAuditor}) {
		t.Errorf("roles after refusals: %v", st.Roles)
	}
	if r := runCLI(t, environ, "", "staff", "roles", "s-1", "auditor,supervisor", "--as", "s-adm"); r.code != 0 {
		t.Fatalf("allowed change: %+v", r)
	}
	if ev := events(t, db, "cli:ops-anna as s-adm"); len(ev) == 0 {
		t.Error("no event with the actor cli:ops-anna as s-adm")
	}
}

// TestStaffSoDReportCLI: S7 — existing violations (a direct database
// change) are listed with their rule, and the command fails so that a
// scheduled check alerts; with none it succeeds.
func TestStaffSoDReportCLI(t *testing.T) {
	ctx := context.Background()
	environ, db := cliTraceDB(t)
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	if err := db.CreateStaff(ctx, coupole.Staff{ID: "s-ok", Kind: coupole.StaffOIDC, Login: "emp-ok", DisplayName: "A", Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, environ, "", "staff", "sod-report"); r.code != 0 || !strings.Contains(r.stdout, "no segregation-of-duties conflict") {
		t.Errorf("clean report: %+v", r)
	}
	if _, err := db.Writer().Exec(`INSERT INTO staff_roles (staff_id, role) VALUES ('s-ok', 'auditor')`); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, environ, "", "staff", "sod-report", "--lang", "fr")
	if r.code == 0 || !strings.Contains(r.stdout, "s-ok") || !strings.Contains(r.stdout, "incompatible-auditor-advisor") || !strings.Contains(r.stdout, "sont incompatibles") {
		t.Errorf("report with a violation: %+v", r)
	}
}

// TestStaffPrivilegedCLI: S3, S7 — request, self-approval refused, approval
// by another, listing.
func TestStaffPrivilegedCLI(t *testing.T) {
	ctx := context.Background()
	environ, db := cliTraceDB(t)
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for id, role := range map[string]coupole.Role{"s-adv": coupole.RoleAdvisor, "s-po": coupole.RolePrivacyOfficer} {
		if err := db.CreateStaff(ctx, coupole.Staff{ID: id, Kind: coupole.StaffOIDC, Login: "emp-" + id, DisplayName: "A", Roles: []coupole.Role{role}, Status: coupole.StaffActive, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	r := runCLI(t, environ, "", "staff", "privileged", "request", "supervisor", "--minutes", "30", "--why", "covering a shift", "--as", "s-adv")
	if r.code != 0 {
		t.Fatalf("request: %+v", r)
	}
	id := strings.Fields(strings.TrimPrefix(r.stdout, "privileged request "))[0]
	id = strings.TrimSuffix(id, ":")
	if r := runCLI(t, environ, "", "staff", "privileged", "approve", id, "--as", "s-adv"); r.code == 0 {
		t.Errorf("an advisor approves their own request: %+v", r)
	}
	if r := runCLI(t, environ, "", "staff", "privileged", "approve", id, "--as", "s-po"); r.code != 0 || !strings.Contains(r.stdout, "approved") {
		t.Errorf("approve: %+v", r)
	}
	if r := runCLI(t, environ, "", "staff", "privileged", "list"); !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "s-po") {
		t.Errorf("list: %+v", r)
	}
}
