package hrimport_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/hrimport"
	sodpolicy "github.com/coupole/coupole/policy/sod"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

var brussels = mustLoc("Europe/Brussels")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return l
}

const header = "employee_number,given_name,family_name,department,manager,role_group,start_date,end_date\n"

// TestParseRefusesMalformedFiles checks that a malformed file is refused
// whole with the line and column of each fault, never its value (issue
// 12 item 2, S4).
func TestParseRefusesMalformedFiles(t *testing.T) {
	cases := []struct {
		name, file string
		want       []string // Problem.String() of each problem, in order
	}{
		{"missing column", "employee_number,given_name,family_name,department,manager,role_group,start_date\n",
			[]string{"line 1: missing column end_date"}},
		{"unknown column", strings.TrimSuffix(header, "\n") + ",salary\nE1,A,B,D,,Advisors,2026-01-01,,1\n",
			[]string{"line 1, column 9 (salary): unknown column"}},
		{"bad date", header + "E1,Ann,Peeters,Care,,Advisors,2026-01-01,\nE2,Bo,Maes,Care,,Advisors,01/02/2026,\n",
			[]string{"line 3, column 7 (start_date): not a date (want YYYY-MM-DD)"}},
		{"end before start", header + "E1,Ann,Peeters,Care,,Advisors,2026-03-01,2026-02-01\n",
			[]string{"line 2, column 8 (end_date): the end date must be after the start date"}},
		{"missing employee number and name", header + ",,,Care,,Advisors,2026-01-01,\n",
			[]string{"line 2, column 1 (employee_number): an employee number is required", "line 2, column 3 (family_name): a name is required"}},
		{"wrong field count", header + "E1,Ann,Peeters,Care,,Advisors,2026-01-01\n",
			[]string{"line 2: 7 fields, the header has 8"}},
		{"duplicate employee", header + "E1,Ann,Peeters,Care,,Advisors,2026-01-01,\nE1,Bo,Maes,Care,,Advisors,2026-01-01,\n",
			[]string{"line 3, column 1 (employee_number): the same employee number is on line 2"}},
		{"own manager", header + "E1,Ann,Peeters,Care,E1,Advisors,2026-01-01,\n",
			[]string{"line 2, column 5 (manager): nobody is their own manager"}},
		{"bad quote", header + "E1,\"Ann,Peeters,Care,,Advisors,2026-01-01,\n",
			[]string{"line 2: not valid CSV"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := hrimport.Parse(strings.NewReader(c.file), brussels)
			var fe *hrimport.FileError
			if !errors.As(err, &fe) || rows != nil {
				t.Fatalf("got rows %v, err %v; want a FileError", rows, err)
			}
			if coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(err.Error(), "nothing applied") {
				t.Errorf("error %q (%s)", err, coupole.ErrorCode(err))
			}
			if len(fe.Problems) != len(c.want) {
				t.Fatalf("problems %v, want %v", fe.Problems, c.want)
			}
			for i, p := range fe.Problems {
				if !strings.HasPrefix(p.String(), c.want[i]) {
					t.Errorf("problem %q, want %q", p, c.want[i])
				}
			}
			for _, name := range []string{"Peeters", "Maes", "01/02/2026"} {
				if strings.Contains(err.Error(), name) {
					t.Errorf("the error repeats a value of the file (%s): %s", name, err)
				}
			}
		})
	}
	// Semicolons (a spreadsheet's CSV in Belgium), a BOM, header names in
	// any case and spacing, optional columns.
	rows, err := hrimport.Parse(strings.NewReader("\uFEFFEmployee Number;Given Name;Family-Name;department;MANAGER;role_group;start_date;end_date;login;language\n"+
		"E1;Ann;Peeters;Care;;Advisors;2026-01-01;2027-01-31;ann@example.test;NL\n"), brussels)
	if err != nil || len(rows) != 1 {
		t.Fatalf("semicolon file: %v %v", rows, err)
	}
	if r := rows[0]; r.Login != "ann@example.test" || r.Language != coupole.Dutch || r.DisplayName() != "Ann Peeters" ||
		!r.End.Equal(time.Date(2027, 1, 31, 0, 0, 0, 0, brussels)) || r.Line != 2 {
		t.Errorf("row %+v", r)
	}
}

type recorder struct {
	mu     sync.Mutex
	events []coupole.StaffEvent
}

func (r *recorder) TraceStaff(ctx context.Context, e coupole.StaffEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) count(typ string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

var roleMap = hrimport.RoleMap{
	"Advisors": {coupole.RoleAdvisor},
	"Leads":    {coupole.RoleTeamLead, coupole.RoleAdvisor},
	"Audit":    {coupole.RoleAuditor},
	"Broken":   {coupole.RoleAuditor, coupole.RoleITAdmin},
}

type hrRig struct {
	t     *testing.T
	db    *sqlstore.DB
	lc    *governance.Lifecycle
	clock *coupole.FixedClock
	rec   *recorder
}

const actor = "hr-import:hrteam as s-admin"

// run imports file as of the clock; apply false is the dry run.
func (h *hrRig) run(file string, apply, full bool) hrimport.Plan {
	h.t.Helper()
	rows, err := hrimport.Parse(strings.NewReader(file), brussels)
	if err != nil {
		h.t.Fatal(err)
	}
	plan, err := hrimport.MakePlan(context.Background(), h.db, rows, hrimport.Options{Roles: roleMap, Full: full, Now: h.clock.Now(), Location: brussels, SoD: h.lc.SoD})
	if err != nil {
		h.t.Fatal(err)
	}
	if apply {
		if _, err := hrimport.Apply(context.Background(), h.lc, actor, &plan); err != nil {
			h.t.Fatal(err)
		}
	}
	return plan
}

func (h *hrRig) byEmployee(emp string) coupole.Staff {
	h.t.Helper()
	list, err := h.db.ListStaff(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	for _, st := range list {
		p, err := h.db.StaffProfile(context.Background(), st.ID)
		if err != nil {
			h.t.Fatal(err)
		}
		if p.EmployeeNumber == emp {
			return st
		}
	}
	h.t.Fatalf("no account for employee %s", emp)
	return coupole.Staff{}
}

// session opens a live session for st and returns its hash.
func (h *hrRig) session(st coupole.Staff) string {
	h.t.Helper()
	sum := sha256.Sum256([]byte("secret-of-" + st.ID))
	hash := hex.EncodeToString(sum[:])
	now := h.clock.Now()
	if err := h.db.CreateSession(context.Background(), coupole.Session{IDHash: hash, StaffID: st.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(8 * time.Hour)}); err != nil {
		h.t.Fatal(err)
	}
	if _, _, err := h.db.ActiveSession(context.Background(), hash); err != nil {
		h.t.Fatalf("session not live: %v", err)
	}
	return hash
}

func (h *hrRig) mustBeDead(hash string, since time.Time) {
	h.t.Helper()
	if _, _, err := h.db.ActiveSession(context.Background(), hash); err == nil {
		h.t.Fatal("the leaver's session still works")
	}
	if d := time.Since(since); d > time.Second {
		h.t.Errorf("revocation took %v, want under one second", d)
	}
}

func kinds(p hrimport.Plan) string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, string(c.Kind)+":"+c.EmployeeNumber)
	}
	return strings.Join(out, ",")
}

// TestJoinerMoverLeaverFromCSV runs an employee's life through HR files
// (issue 12 item 2, S4): the dry run changes nothing; joiners get the role
// group's roles; a role group change is a mover; an end date that has come
// is a leaver whose session dies at once; a future end date takes effect by
// itself on its date (the sweeper's LeaveDue); --full removes who is no
// longer in the file. Every step goes through governance.Lifecycle, traced,
// with the HR file as source.
func TestJoinerMoverLeaverFromCSV(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := &coupole.FixedClock{T: time.Date(2026, 12, 7, 9, 0, 0, 0, brussels)}
		rec := &recorder{}
		h := &hrRig{t: t, db: db, clock: clock, rec: rec,
			lc: &governance.Lifecycle{Store: db, SoD: sodpolicy.MustEmbedded(), Access: staffpolicy.MustEmbedded(), Tracer: rec, Clock: clock}}
		if err := db.CreateStaff(ctx, coupole.Staff{ID: "s-admin", Kind: coupole.StaffOIDC, Login: "admin", DisplayName: "IT admin",
			Roles: []coupole.Role{coupole.RoleITAdmin}, Status: coupole.StaffActive, CreatedAt: clock.Now()}); err != nil {
			t.Fatal(err)
		}

		day1 := header +
			"E100,Ann,Peeters,Care,,Leads,2026-01-05,\n" +
			"E200,Bo,Maes,Care,E100,Advisors,2026-12-01,\n" +
			"E300,Cas,Janssens,Care,E100,Advisors,2027-01-04,\n" + // starts later
			"E400,Dee,Claes,Billing,E100,Advisors,2025-06-01,2026-11-30\n" + // left before any account
			"E500,Eva,Wouters,Billing,E200,Advisors,2026-02-01,\n"
		dry := h.run(day1, false, false)
		if got := kinds(dry); got != "joiner:E100,joiner:E200,joiner:E500,not_started:E300,skipped:E400" {
			t.Fatalf("dry-run plan %s", got)
		}
		if list, _ := db.ListStaff(ctx); len(list) != 1 {
			t.Fatalf("the dry run created accounts: %d", len(list))
		}
		h.run(day1, true, false)
		ann, bo, eva := h.byEmployee("E100"), h.byEmployee("E200"), h.byEmployee("E500")
		if !slices.Equal(ann.Roles, []coupole.Role{coupole.RoleAdvisor, coupole.RoleTeamLead}) || !slices.Equal(bo.Roles, []coupole.Role{coupole.RoleAdvisor}) {
			t.Fatalf("joiners' roles: %v %v", ann.Roles, bo.Roles)
		}
		if p, _ := db.StaffProfile(ctx, eva.ID); p.Manager != bo.ID || p.Department != "Billing" || p.Login != "E500" {
			t.Errorf("joiner profile %+v (manager want %s)", p, bo.ID)
		}
		// The same file again changes nothing.
		if again := h.run(day1, false, false); again.Count(hrimport.Joiner)+again.Count(hrimport.Mover)+again.Count(hrimport.Profile) != 0 {
			t.Errorf("second import of the same file plans %s", kinds(again))
		}

		// Day 2: Bo moves to the leads, Eva changes department and gets an
		// end date in the future; a role group forbidden by SoD refuses the
		// whole file before anything is applied.
		clock.T = clock.T.Add(24 * time.Hour)
		boSession := h.session(bo)
		rows, _ := hrimport.Parse(strings.NewReader(header+"E100,Ann,Peeters,Care,,Broken,2026-01-05,\nE200,Bo,Maes,Care,E100,Leads,2026-12-01,\n"), brussels)
		if _, err := hrimport.MakePlan(ctx, db, rows, hrimport.Options{Roles: roleMap, Now: clock.Now(), Location: brussels, SoD: h.lc.SoD}); err == nil ||
			!strings.Contains(err.Error(), "line 2, column 6 (role_group)") {
			t.Errorf("SoD-forbidden role group: %v", err)
		}
		rows, _ = hrimport.Parse(strings.NewReader(header+"E100,Ann,Peeters,Care,,Cooks,2026-01-05,\n"), brussels)
		if _, err := hrimport.MakePlan(ctx, db, rows, hrimport.Options{Roles: roleMap, Now: clock.Now(), Location: brussels}); err == nil ||
			!strings.Contains(err.Error(), "line 2, column 6 (role_group): role group not mapped") {
			t.Errorf("unmapped role group: %v", err)
		}
		day2 := header +
			"E100,Ann,Peeters,Care,,Leads,2026-01-05,\n" +
			"E200,Bo,Maes,Care,E100,Leads,2026-12-01,\n" +
			"E500,Eva,Wouters,Care,E100,Advisors,2026-02-01,2026-12-10\n"
		if got := kinds(h.run(day2, true, false)); got != "mover:E200,profile:E500,scheduled:E500" {
			t.Fatalf("day 2 plan %s", got)
		}
		bo = h.byEmployee("E200")
		if !slices.Equal(bo.Roles, []coupole.Role{coupole.RoleAdvisor, coupole.RoleTeamLead}) {
			t.Fatalf("mover's roles %v", bo.Roles)
		}
		if _, st, err := db.ActiveSession(ctx, boSession); err != nil || !st.HasRole(coupole.RoleTeamLead) {
			t.Errorf("the mover's live session does not carry the new role: %v %v", st.Roles, err)
		}
		if p, _ := db.StaffProfile(ctx, eva.ID); p.Department != "Care" || p.Manager != ann.ID {
			t.Errorf("profile after day 2: %+v", p)
		}

		// Day 3: Bo's end date is today: a leaver at once, session dead.
		clock.T = clock.T.Add(24 * time.Hour)
		day3 := strings.Replace(day2, "E100,Leads,2026-12-01,", "E100,Leads,2026-12-01,2026-12-09", 1)
		start := time.Now()
		if got := kinds(h.run(day3, true, false)); got != "leaver:E200" {
			t.Fatalf("day 3 plan %s", got)
		}
		h.mustBeDead(boSession, start)
		if st := h.byEmployee("E200"); st.Status != coupole.StaffRevoked {
			t.Fatalf("leaver status %s", st.Status)
		}

		// Eva's date comes: the sweeper's LeaveDue revokes her by itself.
		evaSession := h.session(eva)
		if n, err := h.lc.LeaveDue(ctx); err != nil || n != 0 {
			t.Fatalf("LeaveDue before the date: %d %v", n, err)
		}
		clock.T = time.Date(2026, 12, 10, 0, 0, 1, 0, brussels)
		start = time.Now()
		if n, err := h.lc.LeaveDue(ctx); err != nil || n != 1 {
			t.Fatalf("LeaveDue on the date: %d %v", n, err)
		}
		h.mustBeDead(evaSession, start)
		recs, _ := db.LifecycleRecords(ctx, eva.ID)
		last := recs[len(recs)-1]
		if last.Kind != coupole.LifecycleLeaver || last.Source != coupole.SourceSweeper || !last.EffectiveAt.Equal(time.Date(2026, 12, 10, 0, 0, 0, 0, brussels)) {
			t.Errorf("sweeper's leaver record %+v", last)
		}
		if n, _ := h.lc.LeaveDue(ctx); n != 0 {
			t.Errorf("LeaveDue twice revoked %d again", n)
		}

		// --full: Ann is the only one left in the file; nobody else active
		// with an employee number remains; the admin (no number) is kept.
		full := h.run(header+"E100,Ann,Peeters,Care,,Leads,2026-01-05,\n", true, true)
		if got := kinds(full); got != "" {
			t.Errorf("--full with nobody missing plans %s", got)
		}
		clock.T = clock.T.Add(time.Hour)
		h.run(header+"E300,Cas,Janssens,Care,,Advisors,2026-12-01,\n", true, true)
		if st := h.byEmployee("E100"); st.Status != coupole.StaffRevoked {
			t.Errorf("--full left E100 %s", st.Status)
		}
		if st := h.byEmployee("E300"); st.Status != coupole.StaffActive {
			t.Errorf("E300 joined late: %s", st.Status)
		}
		if admin, _ := db.Staff(ctx, "s-admin"); admin.Status != coupole.StaffActive {
			t.Error("--full revoked an account without an employee number")
		}

		// Traced, through the lifecycle, with the HR file as source.
		for typ, want := range map[string]int{coupole.StaffEventCreated: 4, coupole.StaffEventRolesChanged: 1, coupole.StaffEventRevoked: 3,
			governance.StaffEventLeaveScheduled: 1} {
			if got := rec.count(typ); got != want {
				t.Errorf("%s traced %d times, want %d", typ, got, want)
			}
		}
		recs, _ = db.LifecycleRecords(ctx, ann.ID)
		if recs[0].Kind != coupole.LifecycleJoiner || recs[0].Source != coupole.SourceHRCSV || recs[0].Actor != actor {
			t.Errorf("joiner record %+v", recs[0])
		}
	})
}

// TestImportActsAsItsActor checks that the import is held to its actor's
// rights (S7): an advisor cannot apply an HR file, and nothing is made.
func TestImportActsAsItsActor(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clock := &coupole.FixedClock{T: time.Date(2026, 12, 7, 9, 0, 0, 0, brussels)}
		lc := &governance.Lifecycle{Store: db, SoD: sodpolicy.MustEmbedded(), Access: staffpolicy.MustEmbedded(), Tracer: &recorder{}, Clock: clock}
		if err := db.CreateStaff(ctx, coupole.Staff{ID: "s-adv", Kind: coupole.StaffOIDC, Login: "adv", DisplayName: "Advisor",
			Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: clock.Now()}); err != nil {
			t.Fatal(err)
		}
		rows, err := hrimport.Parse(strings.NewReader(header+"E1,Ann,Peeters,Care,,Advisors,2026-01-05,\n"), brussels)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := hrimport.MakePlan(ctx, db, rows, hrimport.Options{Roles: roleMap, Now: clock.Now(), Location: brussels})
		if err != nil {
			t.Fatal(err)
		}
		n, err := hrimport.Apply(ctx, lc, "hr-import:x as s-adv", &plan)
		if coupole.ErrorCode(err) != coupole.EFORBIDDEN || n != 0 || !strings.Contains(err.Error(), "line 2") {
			t.Fatalf("an advisor applied the file: %d %v", n, err)
		}
		if list, _ := db.ListStaff(ctx); len(list) != 1 {
			t.Errorf("accounts made: %d", len(list))
		}
	})
}
