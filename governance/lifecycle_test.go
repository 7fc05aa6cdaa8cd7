package governance_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	sodpolicy "github.com/coupole/coupole/policy/sod"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// staffRecorder records staff events and fails on demand (the audit log
// down).
type staffRecorder struct {
	mu     sync.Mutex
	fail   bool
	events []coupole.StaffEvent
}

func (r *staffRecorder) TraceStaff(ctx context.Context, e coupole.StaffEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("audit log down")
	}
	r.events = append(r.events, e)
	return nil
}

func (r *staffRecorder) setFail(v bool) { r.mu.Lock(); r.fail = v; r.mu.Unlock() }

func (r *staffRecorder) ofType(typ string) []coupole.StaffEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []coupole.StaffEvent
	for _, e := range r.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func mustLifecycle(tb testing.TB, db *sqlstore.DB) (*governance.Lifecycle, *staffRecorder, *coupole.FixedClock) {
	tb.Helper()
	clock := &coupole.FixedClock{T: t0}
	rec := &staffRecorder{}
	return &governance.Lifecycle{Store: db, SoD: sodpolicy.MustEmbedded(), Access: staffpolicy.MustEmbedded(), Tracer: rec, Clock: clock}, rec, clock
}

func mustStaff(tb testing.TB, db *sqlstore.DB, id string, roles ...coupole.Role) {
	tb.Helper()
	if err := db.CreateStaff(context.Background(), coupole.Staff{ID: id, Kind: coupole.StaffOIDC, Login: "sub-" + id, DisplayName: "Agent " + id,
		Roles: roles, Status: coupole.StaffActive, CreatedAt: t0}); err != nil {
		tb.Fatal(err)
	}
}

func kinds(tb testing.TB, db *sqlstore.DB, id string) string {
	tb.Helper()
	rs, err := db.LifecycleRecords(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	var k []string
	for _, r := range rs {
		k = append(k, string(r.Kind)+"/"+r.Source)
	}
	return strings.Join(k, ",")
}

// TestJoinerMoverLeaver: S4 — a joiner gets an account and its HR profile, a
// mover loses the old roles and gets the new ones in one step, a leaver's
// sessions are dead at once; each step is traced and recorded.
func TestJoinerMoverLeaver(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, rec, clock := mustLifecycle(t, db)
		mustStaff(t, db, "s-boss", coupole.RoleTeamLead)
		p := coupole.StaffProfile{Login: "marie@example.be", DisplayName: "Marie Dubois", Language: "fr", EmployeeNumber: "E-1001", Department: "Contact center", Manager: "s-boss"}
		st, err := l.Join(ctx, "scim:tok-1", p, []coupole.Role{coupole.RoleAdvisor})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.StaffProfile(ctx, st.ID)
		if err != nil || got != p {
			t.Fatalf("profile = %+v, %v; want %+v", got, err, p)
		}
		// A joiner without roles (SCIM groups come later) is an account that can do nothing yet.
		empty, err := l.Join(ctx, "scim:tok-1", coupole.StaffProfile{Login: "jan@example.be", DisplayName: "Jan"}, nil)
		if err != nil || len(empty.Roles) != 0 {
			t.Fatalf("joiner without roles: %+v, %v", empty, err)
		}

		if err := db.CreateSession(ctx, coupole.Session{IDHash: strings.Repeat("a", 64), StaffID: st.ID, CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(10 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		clock.T = t0.Add(time.Hour)
		if err := l.SetRoles(ctx, "hr-import:hr.csv", st.ID, []coupole.Role{coupole.RoleBackOffice}, coupole.SourceHRCSV); err != nil {
			t.Fatal(err)
		}
		if _, s, err := db.ActiveSession(ctx, strings.Repeat("a", 64)); err != nil || !slices.Equal(s.Roles, []coupole.Role{coupole.RoleBackOffice}) {
			t.Fatalf("mover's live session: roles %v, %v; want only back_office", s.Roles, err)
		}
		if err := l.UpdateProfile(ctx, "scim:tok-1", st.ID, coupole.StaffProfile{DisplayName: "Marie Dubois-Peeters", Language: "nl", EmployeeNumber: "E-1001", Department: "Back office", Manager: "s-boss"}); err != nil {
			t.Fatal(err)
		}
		if ev := rec.ofType(coupole.StaffEventProfileChanged); len(ev) != 1 || ev[0].Details["fields"] != "display_name,language,department" || strings.Contains(ev[0].Details["fields"], "Peeters") {
			t.Errorf("profile change trace: %+v", ev)
		}
		clock.T = t0.Add(2 * time.Hour)
		if err := l.Leave(ctx, "scim:tok-1", st.ID, "left the company"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.ActiveSession(ctx, strings.Repeat("a", 64)); err == nil {
			t.Error("leaver's session still live")
		}
		if err := l.Leave(ctx, "scim:tok-1", st.ID, "again"); err != nil {
			t.Errorf("leaving twice: %v", err)
		}
		clock.T = t0.Add(3 * time.Hour)
		if err := l.Reactivate(ctx, "scim:tok-1", st.ID); err != nil {
			t.Fatal(err)
		}
		if s, _ := db.Staff(ctx, st.ID); s.Status != coupole.StaffActive {
			t.Errorf("reactivated: %+v", s)
		}
		if got, want := kinds(t, db, st.ID), "joiner/scim,mover/hr_csv,leaver/scim,reactivated/scim"; got != want {
			t.Errorf("lifecycle = %s, want %s", got, want)
		}
		for _, typ := range []string{coupole.StaffEventCreated, coupole.StaffEventRolesChanged, coupole.StaffEventRevoked, coupole.StaffEventReinstated} {
			if len(rec.ofType(typ)) == 0 {
				t.Errorf("no %s event", typ)
			}
		}
	})
}

// TestSoDAtEveryAssignment: S7 — an incompatible pair is refused whatever the
// source, nothing is written, the refusal names its rule and is traced and
// recorded.
func TestSoDAtEveryAssignment(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, rec, _ := mustLifecycle(t, db)
		mustStaff(t, db, "s-admin", coupole.RoleITAdmin)
		mustStaff(t, db, "s-1", coupole.RoleAuditor)
		pair := []coupole.Role{coupole.RoleAuditor, coupole.RoleITAdmin}
		for _, tc := range []struct{ actor, source string }{
			{"scim:tok-1", coupole.SourceSCIM}, {"hr-import:hr.csv", coupole.SourceHRCSV}, {"cli:root as s-admin", coupole.SourceCLI},
			{"s-admin", coupole.SourceScreen}, {"oidc", coupole.SourceOIDC},
		} {
			err := l.SetRoles(ctx, tc.actor, "s-1", pair, tc.source)
			if coupole.ErrorCode(err) != coupole.EFORBIDDEN || !strings.Contains(err.Error(), "incompatible-auditor-it-admin") {
				t.Errorf("%s: %v, want the SoD refusal", tc.source, err)
			}
			if _, err := l.Join(ctx, tc.actor, coupole.StaffProfile{Login: "new-" + tc.source}, pair); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
				t.Errorf("%s join: %v", tc.source, err)
			}
			if _, err := db.StaffByLogin(ctx, coupole.StaffOIDC, "new-"+tc.source); coupole.ErrorCode(err) != coupole.ENOTFOUND {
				t.Errorf("%s: refused joiner created: %v", tc.source, err)
			}
		}
		if s, _ := db.Staff(ctx, "s-1"); !slices.Equal(s.Roles, []coupole.Role{coupole.RoleAuditor}) {
			t.Errorf("roles after refusals: %v", s.Roles)
		}
		if ev := rec.ofType(coupole.StaffEventSoDRefused); len(ev) != 10 || ev[0].Reason != "incompatible-auditor-it-admin" {
			t.Errorf("SoD refusal traces: %d %+v", len(ev), ev)
		}
		if got := kinds(t, db, "s-1"); strings.Count(got, "sod_refused") != 5 {
			t.Errorf("records of s-1: %s", got)
		}
	})
}

// TestAdministrativeActorIsChecked: S7 — the CLI acts as a named staff member
// checked against the staff policy; nobody administers their own rights; an
// advisor administers nobody.
func TestAdministrativeActorIsChecked(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, _, _ := mustLifecycle(t, db)
		mustStaff(t, db, "s-admin", coupole.RoleITAdmin)
		mustStaff(t, db, "s-adv", coupole.RoleAdvisor)
		for _, tc := range []struct{ name, actor, target string }{
			{"CLI without --as", "cli:root", "s-adv"},
			{"self-administration", "s-admin", "s-admin"},
			{"self-administration from the CLI", "cli:root as s-admin", "s-admin"},
			{"advisor administers", "cli:root as s-adv", "s-admin"},
			{"unknown actor", "cli:root as s-ghost", "s-adv"},
		} {
			err := l.SetRoles(ctx, tc.actor, tc.target, []coupole.Role{coupole.RoleSupervisor}, coupole.SourceCLI)
			if coupole.ErrorCode(err) != coupole.EFORBIDDEN {
				t.Errorf("%s: %v, want forbidden", tc.name, err)
			}
		}
		if err := l.SetRoles(ctx, "cli:root as s-admin", "s-adv", []coupole.Role{coupole.RoleSupervisor}, coupole.SourceCLI); err != nil {
			t.Errorf("IT admin from the CLI: %v", err)
		}
		if err := l.SetRoles(ctx, "s-admin", "s-adv", []coupole.Role{coupole.RoleAdvisor}, "telepathy"); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("unknown source: %v", err)
		}
	})
}

// TestLifecycleTracedFirst: T1 — with the audit log down no joiner is
// created and no role changes; a leaver is revoked all the same (access is
// never kept because the log is down) and the error says it.
func TestLifecycleTracedFirst(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, rec, _ := mustLifecycle(t, db)
		mustStaff(t, db, "s-1", coupole.RoleAdvisor)
		rec.setFail(true)
		if _, err := l.Join(ctx, "scim:t", coupole.StaffProfile{Login: "x"}, nil); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Errorf("join: %v", err)
		}
		if _, err := db.StaffByLogin(ctx, coupole.StaffOIDC, "x"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("joiner created without trace: %v", err)
		}
		if err := l.SetRoles(ctx, "scim:t", "s-1", []coupole.Role{coupole.RoleSupervisor}, coupole.SourceSCIM); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Errorf("mover: %v", err)
		}
		if s, _ := db.Staff(ctx, "s-1"); !slices.Equal(s.Roles, []coupole.Role{coupole.RoleAdvisor}) {
			t.Errorf("roles changed without trace: %v", s.Roles)
		}
		if err := l.Leave(ctx, "scim:t", "s-1", "left"); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Errorf("leaver: %v", err)
		}
		if s, _ := db.Staff(ctx, "s-1"); s.Status != coupole.StaffRevoked {
			t.Errorf("leaver not revoked with the log down: %+v", s)
		}
	})
}

// TestSoDReport: S7 — violations that exist already (a direct database
// change) are listed with every rule they break; revoked accounts are not.
func TestSoDReport(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		mustStaff(t, db, "s-ok", coupole.RoleAdvisor, coupole.RoleTeamLead)
		mustStaff(t, db, "s-bad", coupole.RoleAuditor, coupole.RoleAdvisor, coupole.RoleITAdmin)
		mustStaff(t, db, "s-gone", coupole.RoleAuditor, coupole.RoleITAdmin)
		if _, err := db.Revoke(ctx, "s-gone", "left", t0); err != nil {
			t.Fatal(err)
		}
		vs, err := governance.SoDReport(ctx, db, sodpolicy.MustEmbedded())
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 1 || vs[0].StaffID != "s-bad" || len(vs[0].Rules) != 2 {
			t.Fatalf("report = %+v", vs)
		}
	})
}

// TestFigures: G4, S4, S7 — each governance figure is recounted from the
// lifecycle records of the period, and names its query and requirement.
func TestFigures(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, _, clock := mustLifecycle(t, db)
		st, err := l.Join(ctx, "scim:t", coupole.StaffProfile{Login: "a"}, []coupole.Role{coupole.RoleAdvisor})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Join(ctx, "scim:t", coupole.StaffProfile{Login: "b"}, []coupole.Role{coupole.RoleAuditor, coupole.RoleAdvisor}); err == nil {
			t.Fatal("incompatible joiner accepted")
		}
		clock.T = t0.Add(time.Hour)
		if err := l.SetRoles(ctx, "scim:t", st.ID, []coupole.Role{coupole.RoleBackOffice}, coupole.SourceSCIM); err != nil {
			t.Fatal(err)
		}
		clock.T = t0.Add(3 * time.Hour)
		if err := l.LeaveOn(ctx, "hr-import:hr.csv", st.ID, "contract ended", t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		figs, err := governance.Figures{Store: db}.Figures(ctx, t0, t0.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, f := range figs {
			if f.Query == "" || f.Requirement == "" || f.Unit == "" {
				t.Errorf("figure %s lacks its query, requirement or unit", f.Key)
			}
			got[f.Key] = f.Value
		}
		want := map[string]int64{"governance.joiners": 1, "governance.movers": 1, "governance.leavers": 1, "governance.sod_refusals": 1,
			"governance.leaver_revocation_max": 3600, "governance.leaver_revocation_avg": 3600}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %d, want %d", k, got[k], v)
			}
		}
		// Another period counts nothing.
		figs, _ = governance.Figures{Store: db}.Figures(ctx, t0.Add(24*time.Hour), t0.Add(48*time.Hour))
		for _, f := range figs {
			if f.Value != 0 {
				t.Errorf("next day: %s = %d", f.Key, f.Value)
			}
		}
	})
}
