package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// TestStaffImportCLI: S4, issue 12 item 2 — `staff import` shows the plan
// without --apply and changes nothing; a malformed file is refused naming
// the line and column; --apply makes the joiners as the --as staff member,
// traced with the HR file as source.
func TestStaffImportCLI(t *testing.T) {
	ctx := context.Background()
	environ, db := cliTraceDB(t)
	environ["COUPOLE_HR_GROUP_ROLES"] = "Advisors=advisor,Leads=team_lead+advisor"
	if err := db.CreateStaff(ctx, coupole.Staff{ID: "s-adm", Kind: coupole.StaffOIDC, Login: "adm", DisplayName: "A", Roles: []coupole.Role{coupole.RoleITAdmin},
		Status: coupole.StaffActive, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "employee_number,given_name,family_name,department,manager,role_group,start_date,end_date\n"
	good := write("hr.csv", head+"E1,Ann,Peeters,Care,,Leads,2026-01-05,\nE2,Bo,Maes,Care,E1,Advisors,2026-02-01,\n")
	bad := write("bad.csv", head+"E1,Ann,Peeters,Care,,Leads,2026-01-05,\nE2,Bo,Maes,Care,E1,Advisors,tomorrow,\n")

	if r := runCLI(t, environ, "", "staff", "import", good); r.code == 0 || !strings.Contains(r.stderr, "--as STAFF_ID is required") {
		t.Errorf("without --as: %+v", r)
	}
	r := runCLI(t, environ, "", "staff", "import", bad, "--apply", "--as", "s-adm")
	if r.code == 0 || !strings.Contains(r.stderr, "line 3, column 7 (start_date)") || !strings.Contains(r.stderr, "nothing applied") {
		t.Errorf("malformed file: %+v", r)
	}
	r = runCLI(t, environ, "", "staff", "import", good, "--as", "s-adm")
	if r.code != 0 || !strings.Contains(r.stdout, "2 joiner(s)") || !strings.Contains(r.stdout, "dry run: nothing changed") || strings.Contains(r.stdout, "Peeters") {
		t.Errorf("dry run: %+v", r)
	}
	if list, _ := db.ListStaff(ctx); len(list) != 1 {
		t.Fatalf("accounts after a dry run or a refused file: %d", len(list))
	}
	if r = runCLI(t, environ, "", "staff", "import", good, "--apply", "--as", "s-adm"); r.code != 0 || !strings.Contains(r.stdout, "applied: 2 change(s)") {
		t.Fatalf("apply: %+v", r)
	}
	if list, _ := db.ListStaff(ctx); len(list) != 3 {
		t.Errorf("accounts after apply: %d", len(list))
	}
	// Two joiners, each traced; their roles also enter the validation
	// queue (S5), traced under the same actor.
	joiners, pending := 0, 0
	for _, ev := range events(t, db, "hr-import:ops-anna as s-adm") {
		switch ev.Action {
		case "staff.created":
			joiners++
		case "access.grant_pending":
			pending++
		}
	}
	if joiners != 2 || pending != 3 {
		t.Errorf("traced under the import's actor: %d joiners and %d roles awaiting validation, want 2 and 3 (Leads: advisor+team_lead; Advisors: advisor)", joiners, pending)
	}
}
