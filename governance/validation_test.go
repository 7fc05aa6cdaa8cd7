package governance_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	sodpolicy "github.com/coupole/coupole/policy/sod"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

func pendingOf(tb testing.TB, db *sqlstore.DB, staffID string) []coupole.RoleGrant {
	tb.Helper()
	q, err := db.ListRoleGrants(context.Background(), coupole.GrantPending)
	if err != nil {
		tb.Fatal(err)
	}
	var out []coupole.RoleGrant
	for _, g := range q {
		if g.StaffID == staffID {
			out = append(out, g)
		}
	}
	return out
}

// TestEveryGrantIsValidated: S5 — a role granted by IT (SCIM, HR file, CLI,
// screen) waits in the service delivery manager's queue; validating keeps
// it, rejecting removes it, and each decision is traced.
func TestEveryGrantIsValidated(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, rec, clock := mustLifecycle(t, db)
		v := &governance.Validation{Lifecycle: l, Store: db}
		mustStaff(t, db, "s-it", coupole.RoleITAdmin)
		mustStaff(t, db, "s-sdm", coupole.RoleServiceDeliveryManager)
		st, err := l.Join(ctx, "scim:tok-1", coupole.StaffProfile{Login: "ana@example.be", DisplayName: "Ana"}, []coupole.Role{coupole.RoleAdvisor})
		if err != nil {
			t.Fatal(err)
		}
		clock.T = t0.Add(time.Minute)
		if err := l.SetRoles(ctx, "cli:root as s-it", st.ID, []coupole.Role{coupole.RoleAdvisor, coupole.RoleTeamLead}, coupole.SourceCLI); err != nil {
			t.Fatal(err)
		}
		q := pendingOf(t, db, st.ID)
		if len(q) != 2 || q[0].Role != coupole.RoleAdvisor || q[0].Source != coupole.SourceSCIM || q[1].Role != coupole.RoleTeamLead || q[1].GranterID != "s-it" {
			t.Fatalf("queue = %+v; want advisor from scim, team_lead from s-it", q)
		}
		if !q[0].DueAt.Equal(t0.Add(coupole.DefaultValidationDays * 24 * time.Hour)) {
			t.Errorf("due at %v, want %d days after the grant", q[0].DueAt, coupole.DefaultValidationDays)
		}
		if n := len(rec.ofType(governance.EventGrantOpened)); n != 2 {
			t.Errorf("%d grant-pending events, want 2", n)
		}

		// IT does not validate what IT granted (staff policy).
		if _, err := v.Validate(ctx, "s-it", q[0].ID); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("it_admin validates: %v, want forbidden", err)
		}
		clock.T = t0.Add(24 * time.Hour)
		g, err := v.Validate(ctx, "s-sdm", q[0].ID)
		if err != nil || g.Status != coupole.GrantValidated || g.DecidedBy != "s-sdm" {
			t.Fatalf("validate: %+v, %v", g, err)
		}
		if _, err := v.Validate(ctx, "s-sdm", q[0].ID); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("validating twice: %v, want conflict", err)
		}
		if _, err := v.Reject(ctx, "s-sdm", q[1].ID, " "); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("reject without a reason: %v", err)
		}
		if _, err := v.Reject(ctx, "s-sdm", q[1].ID, "not a team lead in HR"); err != nil {
			t.Fatal(err)
		}
		if s, _ := db.Staff(ctx, st.ID); !slices.Equal(s.Roles, []coupole.Role{coupole.RoleAdvisor}) {
			t.Errorf("after rejection roles = %v, want advisor only", s.Roles)
		}
		if ev := rec.ofType(governance.EventGrantValidated); len(ev) != 1 || ev[0].Actor != "s-sdm" || ev[0].Details["on_time"] != "true" {
			t.Errorf("validation trace: %+v", ev)
		}
		if ev := rec.ofType(governance.EventGrantRejected); len(ev) != 1 || ev[0].Reason != "not a team lead in HR" {
			t.Errorf("rejection trace: %+v", ev)
		}
		if got, want := kinds(t, db, st.ID), "joiner/scim,mover/cli,mover/screen"; got != want {
			t.Errorf("lifecycle = %s, want %s", got, want)
		}
		// A mover losing a role closes its pending grant.
		if err := l.SetRoles(ctx, "cli:root as s-it", st.ID, []coupole.Role{coupole.RoleBackOffice}, coupole.SourceCLI); err != nil {
			t.Fatal(err)
		}
		if err := l.SetRoles(ctx, "cli:root as s-it", st.ID, []coupole.Role{coupole.RoleAdvisor}, coupole.SourceCLI); err != nil {
			t.Fatal(err)
		}
		if q := pendingOf(t, db, st.ID); len(q) != 1 || q[0].Role != coupole.RoleAdvisor {
			t.Errorf("after two movers the queue holds %+v; want only the new advisor grant", q)
		}
	})
}

// TestValidatorIsNeitherGranteeNorGranter: S5, S7 — the SoD set refuses
// validating one's own access and a grant one made, names the rule, traces
// the refusal and counts it.
func TestValidatorIsNeitherGranteeNorGranter(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, rec, _ := mustLifecycle(t, db)
		v := &governance.Validation{Lifecycle: l, Store: db}
		mustStaff(t, db, "s-it", coupole.RoleITAdmin)
		mustStaff(t, db, "s-sdm", coupole.RoleServiceDeliveryManager)
		mustStaff(t, db, "s-sdm2", coupole.RoleServiceDeliveryManager)
		// An existing violation (a direct database change): IT admin and
		// service delivery manager at once.
		mustStaff(t, db, "s-both", coupole.RoleITAdmin, coupole.RoleServiceDeliveryManager)
		mustStaff(t, db, "s-ana", coupole.RoleAdvisor)
		if err := l.SetRoles(ctx, "s-it", "s-sdm2", []coupole.Role{coupole.RoleServiceDeliveryManager, coupole.RoleTeamLead}, coupole.SourceScreen); err != nil {
			t.Fatal(err)
		}
		if err := l.SetRoles(ctx, "s-both", "s-ana", []coupole.Role{coupole.RoleAdvisor, coupole.RoleBackOffice}, coupole.SourceScreen); err != nil {
			t.Fatal(err)
		}
		own := pendingOf(t, db, "s-sdm2")[0]
		_, err := v.Validate(ctx, "s-sdm2", own.ID)
		var ref *sodpolicy.Refusal
		if coupole.ErrorCode(err) != coupole.EFORBIDDEN || !asRefusal(err, &ref) || ref.Rule != "no-self-validation" {
			t.Errorf("validating one's own grant: %v; want no-self-validation", err)
		}
		granted := pendingOf(t, db, "s-ana")[0]
		_, err = v.Validate(ctx, "s-both", granted.ID)
		if coupole.ErrorCode(err) != coupole.EFORBIDDEN || !asRefusal(err, &ref) || ref.Rule != "no-validation-of-own-grant" {
			t.Errorf("validating a grant one made: %v; want no-validation-of-own-grant", err)
		}
		if _, err := v.Reject(ctx, "s-both", granted.ID, "why not"); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("rejecting a grant one made: %v; want forbidden", err)
		}
		if ev := rec.ofType(coupole.StaffEventSoDRefused); len(ev) != 3 {
			t.Errorf("%d SoD refusals traced, want 3", len(ev))
		}
		if g, _ := db.RoleGrant(ctx, granted.ID); g.Status != coupole.GrantPending {
			t.Errorf("a refused validation changed the grant: %+v", g)
		}
		// Somebody else validates both.
		for _, g := range []coupole.RoleGrant{own, granted} {
			if _, err := v.Validate(ctx, "s-sdm", g.ID); err != nil {
				t.Errorf("s-sdm validates %s: %v", g.ID, err)
			}
		}
	})
}

func asRefusal(err error, ref **sodpolicy.Refusal) bool {
	return err != nil && errorsAs(err, ref)
}

// TestUnvalidatedGrantIsSuspended: S5 — a grant not validated in time gives
// nothing from its due time (the clock fact sessions read) and the sweeper
// removes the role, traced, as a mover.
func TestUnvalidatedGrantIsSuspended(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, rec, clock := mustLifecycle(t, db)
		l.ValidationPeriod = 2 * 24 * time.Hour
		v := &governance.Validation{Lifecycle: l, Store: db}
		mustStaff(t, db, "s-it", coupole.RoleITAdmin)
		mustStaff(t, db, "s-ana", coupole.RoleAdvisor)
		if err := l.SetRoles(ctx, "s-it", "s-ana", []coupole.Role{coupole.RoleAdvisor, coupole.RoleTeamLead}, coupole.SourceScreen); err != nil {
			t.Fatal(err)
		}
		clock.T = t0.Add(2*24*time.Hour - time.Second)
		if rs, err := db.OverdueRoles(ctx, "s-ana", clock.Now()); err != nil || len(rs) != 0 {
			t.Fatalf("overdue before the due time: %v, %v", rs, err)
		}
		if n, err := v.SuspendDue(ctx); err != nil || n != 0 {
			t.Fatalf("suspended before the due time: %d, %v", n, err)
		}
		clock.T = t0.Add(2 * 24 * time.Hour)
		if rs, err := db.OverdueRoles(ctx, "s-ana", clock.Now()); err != nil || !slices.Equal(rs, []coupole.Role{coupole.RoleTeamLead}) {
			t.Fatalf("overdue at the due time: %v, %v; want team_lead", rs, err)
		}
		rec.setFail(true)
		if _, err := v.SuspendDue(ctx); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Errorf("suspension with the audit log down: %v, want unavailable (and the role still overdue)", err)
		}
		rec.setFail(false)
		if n, err := v.SuspendDue(ctx); err != nil || n != 1 {
			t.Fatalf("suspended %d, %v; want 1", n, err)
		}
		if s, _ := db.Staff(ctx, "s-ana"); !slices.Equal(s.Roles, []coupole.Role{coupole.RoleAdvisor}) {
			t.Errorf("after suspension roles = %v, want advisor", s.Roles)
		}
		if ev := rec.ofType(governance.EventGrantSuspended); len(ev) != 1 || ev[0].Actor != governance.ActorSweeper || ev[0].Details["role"] != "team_lead" {
			t.Errorf("suspension trace: %+v", ev)
		}
		if n, err := v.SuspendDue(ctx); err != nil || n != 0 {
			t.Errorf("second sweep: %d, %v", n, err)
		}
		if !strings.HasSuffix(kinds(t, db, "s-ana"), "mover/sweeper") {
			t.Errorf("lifecycle = %s, want a sweeper mover last", kinds(t, db, "s-ana"))
		}
	})
}

func errorsAs(err error, ref **sodpolicy.Refusal) bool { return errors.As(err, ref) }
