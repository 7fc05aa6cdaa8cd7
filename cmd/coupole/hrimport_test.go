package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	sodpolicy "github.com/coupole/coupole/policy/sod"
	staffpolicy "github.com/coupole/coupole/policy/staff"
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

// TestGovernanceSweeperRevokesHRLeaversOnTheirDate: S4, issue 12 item 2 —
// serve's sweeper revokes, by itself, an account whose HR end date has
// come, as a leaver by "sweeper", and its session stops working.
func TestGovernanceSweeperRevokesHRLeaversOnTheirDate(t *testing.T) {
	ctx := context.Background()
	_, db := cliTraceDB(t)
	clock := &coupole.FixedClock{T: time.Date(2026, 12, 10, 0, 0, 5, 0, time.UTC)}
	for _, id := range []string{"s-due", "s-later"} {
		if err := db.CreateStaff(ctx, coupole.Staff{ID: id, Kind: coupole.StaffOIDC, Login: id, DisplayName: "A", Roles: []coupole.Role{coupole.RoleAdvisor},
			Status: coupole.StaffActive, CreatedAt: clock.T.Add(-24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetLeaveDate(ctx, "s-due", time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := db.SetLeaveDate(ctx, "s-later", time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	now := clock.T
	if err := db.CreateSession(ctx, coupole.Session{IDHash: "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd", StaffID: "s-due", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tracer := &sweepTracer{}
	lc := &governance.Lifecycle{Store: db, SoD: sodpolicy.MustEmbedded(), Access: staffpolicy.MustEmbedded(), Tracer: tracer, Clock: clock}
	p := &governance.Privileged{Store: db, SoD: lc.SoD, Access: lc.Access, Tracer: tracer, Clock: clock}
	// Serve's own job list, reviews never started by themselves.
	jobs := governanceJobs(p, &governance.Validation{Lifecycle: lc, Store: db}, lc, reviewSchedule{&governance.Reviews{Lifecycle: lc, Store: db}, 0, 14 * 24 * time.Hour})
	stop := startGovernanceSweeper(ctx, jobs, 10*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer stop()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, _ := db.Staff(ctx, "s-due")
		if st.Status == coupole.StaffRevoked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sweeper did not revoke the leaver whose date has come")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, _, err := db.ActiveSession(ctx, "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"); err == nil {
		t.Error("the leaver's session still works")
	}
	if st, _ := db.Staff(ctx, "s-later"); st.Status != coupole.StaffActive {
		t.Errorf("a leaver whose date has not come is %s", st.Status)
	}
	recs, _ := db.LifecycleRecords(ctx, "s-due")
	if len(recs) != 1 || recs[0].Kind != coupole.LifecycleLeaver || recs[0].Actor != governance.ActorSweeper {
		t.Errorf("lifecycle records %+v", recs)
	}
}

type sweepTracer struct {
	mu     sync.Mutex
	events []coupole.StaffEvent
}

func (s *sweepTracer) TraceStaff(ctx context.Context, e coupole.StaffEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
	return nil
}
