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
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

func mustPrivileged(tb testing.TB, db *sqlstore.DB) (*governance.Privileged, *staffRecorder, *coupole.FixedClock) {
	tb.Helper()
	clock := &coupole.FixedClock{T: t0}
	rec := &staffRecorder{}
	return &governance.Privileged{Store: db, SoD: sodpolicy.MustEmbedded(), Access: staffpolicy.MustEmbedded(), Tracer: rec, Clock: clock, MaxDuration: 4 * time.Hour}, rec, clock
}

// TestPrivilegedRequestApprovalExpiry: S3, S7 — a request is approved by
// somebody else, the role is held from the approval to its end and no
// longer, withdrawal ends it early, every step is traced.
func TestPrivilegedRequestApprovalExpiry(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		p, rec, clock := mustPrivileged(t, db)
		mustStaff(t, db, "s-adv", coupole.RoleAdvisor)
		mustStaff(t, db, "s-sdm", coupole.RoleServiceDeliveryManager)
		mustStaff(t, db, "s-po", coupole.RolePrivacyOfficer)

		for _, tc := range []struct {
			name string
			role coupole.Role
			why  string
			d    time.Duration
			code string
		}{
			{"no justification", coupole.RoleSupervisor, " ", time.Hour, coupole.EINVALID},
			{"too long", coupole.RoleSupervisor, "night shift", 5 * time.Hour, coupole.EINVALID},
			{"held already", coupole.RoleAdvisor, "x", time.Hour, coupole.ECONFLICT},
			{"incompatible with held roles", coupole.RoleAuditor, "audit", time.Hour, coupole.EFORBIDDEN},
		} {
			if _, err := p.Request(ctx, "s-adv", tc.role, tc.why, tc.d); coupole.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		r, err := p.Request(ctx, "s-adv", coupole.RoleSupervisor, "covering the supervisor's shift", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if roles, _ := db.ElevatedRoles(ctx, "s-adv", clock.T); len(roles) != 0 {
			t.Errorf("role held before approval: %v", roles)
		}
		// Self-approval: nobody decides their own request (the staff set and the SoD set).
		mustStaff(t, db, "s-po2", coupole.RolePrivacyOfficer)
		own, err := p.Request(ctx, "s-po2", coupole.RoleSupervisor, "x", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Decide(ctx, "s-po2", own.ID, true, ""); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("self-approval: %v", err)
		}
		if _, err := p.Decide(ctx, "s-adv", r.ID, true, ""); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("an advisor approves: %v", err)
		}

		clock.T = t0.Add(10 * time.Minute)
		got, err := p.Decide(ctx, "s-sdm", r.ID, true, "ok")
		if err != nil || !got.EndsAt.Equal(clock.T.Add(time.Hour)) {
			t.Fatalf("approve: %+v, %v", got, err)
		}
		if _, err := p.Decide(ctx, "s-po", r.ID, false, "late"); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("deciding twice: %v", err)
		}
		if roles, _ := db.ElevatedRoles(ctx, "s-adv", clock.T.Add(59*time.Minute)); !slices.Equal(roles, []coupole.Role{coupole.RoleSupervisor}) {
			t.Errorf("during the grant: %v", roles)
		}
		if roles, _ := db.ElevatedRoles(ctx, "s-adv", clock.T.Add(time.Hour)); len(roles) != 0 {
			t.Errorf("at its end: %v", roles)
		}
		clock.T = t0.Add(2 * time.Hour)
		if n, err := p.ExpireDue(ctx); err != nil || n != 1 {
			t.Errorf("ExpireDue = %d, %v", n, err)
		}
		if x, _ := db.PrivilegedRequest(ctx, r.ID); x.Status != coupole.PrivilegedExpired {
			t.Errorf("after expiry: %+v", x)
		}

		// Withdrawal ends it early; the holder may withdraw their own.
		r2, _ := p.Request(ctx, "s-adv", coupole.RoleTeamLead, "training", time.Hour)
		if _, err := p.Decide(ctx, "s-po", r2.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if err := p.Withdraw(ctx, "s-adv", r2.ID, "done early"); err != nil {
			t.Fatal(err)
		}
		if roles, _ := db.ElevatedRoles(ctx, "s-adv", clock.T); len(roles) != 0 {
			t.Errorf("after withdrawal: %v", roles)
		}
		for _, typ := range []string{governance.EventPrivilegedRequested, governance.EventPrivilegedApproved, governance.EventPrivilegedExpired, governance.EventPrivilegedWithdrawn} {
			if len(rec.ofType(typ)) == 0 {
				t.Errorf("no %s event", typ)
			}
		}
		// Traced first: with the log down nothing is approved.
		r3, _ := p.Request(ctx, "s-adv", coupole.RoleTeamLead, "again", time.Hour)
		rec.setFail(true)
		if _, err := p.Decide(ctx, "s-po", r3.ID, true, ""); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Errorf("approve with the log down: %v", err)
		}
		if x, _ := db.PrivilegedRequest(ctx, r3.ID); x.Status != coupole.PrivilegedPending {
			t.Errorf("approved without trace: %+v", x)
		}
		rec.setFail(false)
		// A leaver's elevations end with the revocation.
		if _, err := p.Decide(ctx, "s-po", r3.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Revoke(ctx, "s-adv", "left", clock.T); err != nil {
			t.Fatal(err)
		}
		if x, _ := db.PrivilegedRequest(ctx, r3.ID); x.Status != coupole.PrivilegedWithdrawn {
			t.Errorf("after revocation: %+v", x)
		}
		// The yearly figures count requests by outcome (G4): r (expired),
		// r2 and r3 (withdrawn) were granted; own is pending.
		figs, err := governance.Figures{Store: db}.Figures(ctx, t0, t0.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		fig := map[string]int64{}
		for _, f := range figs {
			fig[f.Key] = f.Value
		}
		for k, v := range map[string]int64{"governance.privileged_requests": 4, "governance.privileged_granted": 3, "governance.privileged_withdrawn": 2,
			"governance.privileged_pending": 1, "governance.privileged_rejected": 0, "governance.privileged_granted_minutes_avg": 60} {
			if fig[k] != v {
				t.Errorf("%s = %d, want %d", k, fig[k], v)
			}
		}
	})
}

// TestSelfApprovalRefusalNamesRule: S7 — the SoD set's own refusal of a
// self-approval names its rule.
func TestSelfApprovalRefusalNamesRule(t *testing.T) {
	err := sodpolicy.MustEmbedded().Check(context.Background(), sodpolicy.ActionApprove, "s-1", "s-1", nil, "en")
	var r *sodpolicy.Refusal
	if !errors.As(err, &r) || r.Rule != "no-self-approval" || !strings.Contains(err.Error(), "Nobody approves") {
		t.Errorf("self-approval: %v", err)
	}
}
