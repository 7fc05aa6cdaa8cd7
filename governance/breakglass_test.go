package governance_test

import (
	"context"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestBreakGlassGoesThroughPrivilegedPath: S3, S7, issue 12 item 4 — a
// break-glass grant is requested with a justification and a duration
// bounded by configuration, approved or rejected by somebody else, active
// from the approval to its end and no longer, withdrawn early, its expiry
// recorded by the sweeper; every step is traced.
func TestBreakGlassGoesThroughPrivilegedPath(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		p, rec, clock := mustPrivileged(t, db)
		p.BreakGlassMax = 90 * time.Minute
		mustStaff(t, db, "s-po", coupole.RolePrivacyOfficer)
		mustStaff(t, db, "s-po2", coupole.RolePrivacyOfficer)
		mustStaff(t, db, "s-adv", coupole.RoleAdvisor)

		for _, tc := range []struct {
			name, staff, why string
			d                time.Duration
			code             string
		}{
			{"longer than the configured bound", "s-po", "GDPR request 7", 2 * time.Hour, coupole.EINVALID},
			{"no justification", "s-po", "  ", time.Hour, coupole.EINVALID},
			{"an advisor asks", "s-adv", "curious", time.Hour, coupole.EFORBIDDEN},
		} {
			if _, err := p.RequestBreakGlass(ctx, tc.staff, "C1", tc.why, tc.d); coupole.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		g, err := p.RequestBreakGlass(ctx, "s-po", "C1", "GDPR request 7", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if g.Active(clock.T) {
			t.Fatal("active before approval")
		}
		if _, err := p.DecideBreakGlass(ctx, "s-po", g.ID, true, ""); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("self-approval: %v", err)
		}
		if _, err := p.DecideBreakGlass(ctx, "s-adv", g.ID, true, ""); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("an advisor approves: %v", err)
		}
		clock.T = t0.Add(5 * time.Minute)
		g, err = p.DecideBreakGlass(ctx, "s-po2", g.ID, true, "checked the ticket")
		if err != nil || !g.ExpiresAt.Equal(clock.T.Add(time.Hour)) || !g.Active(clock.T) {
			t.Fatalf("approve: %+v %v", g, err)
		}
		if _, err := p.DecideBreakGlass(ctx, "s-po2", g.ID, false, "late"); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("rejecting an approved grant: %v", err)
		}
		// It ends by itself: inactive at its end, then the sweeper records it once.
		if g.Active(clock.T.Add(time.Hour)) {
			t.Error("active at its end")
		}
		if n, err := p.ExpireDue(ctx); err != nil || n != 0 {
			t.Errorf("ExpireDue before the end: %d %v", n, err)
		}
		clock.T = t0.Add(2 * time.Hour)
		if n, err := p.ExpireDue(ctx); err != nil || n != 1 {
			t.Errorf("ExpireDue after the end: %d %v", n, err)
		}
		if n, _ := p.ExpireDue(ctx); n != 0 {
			t.Errorf("expiry recorded twice: %d", n)
		}
		if x, _ := db.Grant(ctx, g.ID); x.EndReason != "expired" {
			t.Errorf("after expiry: %+v", x)
		}

		// Rejection: never active, cannot be approved after.
		r, _ := p.RequestBreakGlass(ctx, "s-po", "C2", "GDPR request 8", time.Hour)
		if _, err := p.DecideBreakGlass(ctx, "s-po", r.ID, false, ""); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("self-rejection: %v", err)
		}
		if x, err := p.DecideBreakGlass(ctx, "s-po2", r.ID, false, "no ticket"); err != nil || x.EndReason != "rejected" || x.RejectedBy != "s-po2" {
			t.Fatalf("reject: %+v %v", x, err)
		}
		if _, err := p.DecideBreakGlass(ctx, "s-po2", r.ID, true, ""); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("approving a rejected request: %v", err)
		}

		// Withdrawal by the holder ends it at once; an advisor cannot.
		w, _ := p.RequestBreakGlass(ctx, "s-po", "C3", "GDPR request 9", time.Hour)
		w, _ = p.DecideBreakGlass(ctx, "s-po2", w.ID, true, "")
		if err := p.WithdrawBreakGlass(ctx, "s-adv", w.ID, ""); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("an advisor withdraws: %v", err)
		}
		if err := p.WithdrawBreakGlass(ctx, "s-po", w.ID, "done"); err != nil {
			t.Fatal(err)
		}
		if x, _ := db.Grant(ctx, w.ID); x.Active(clock.T) || x.EndReason != "withdrawn" {
			t.Errorf("after withdrawal: %+v", x)
		}
		if err := p.WithdrawBreakGlass(ctx, "s-po", w.ID, "again"); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("withdrawing twice: %v", err)
		}
		for typ, want := range map[string]int{coupole.StaffEventGrantRequested: 3, coupole.StaffEventGrantApproved: 2, coupole.StaffEventGrantRejected: 1,
			coupole.StaffEventGrantWithdrawn: 1, coupole.StaffEventGrantExpired: 1} {
			if got := len(rec.ofType(typ)); got != want {
				t.Errorf("%s traced %d times, want %d", typ, got, want)
			}
		}
		// Traced first: with the log down nothing is approved.
		q, _ := p.RequestBreakGlass(ctx, "s-po", "C4", "GDPR request 10", time.Hour)
		rec.setFail(true)
		if _, err := p.DecideBreakGlass(ctx, "s-po2", q.ID, true, ""); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Errorf("approve with the log down: %v", err)
		}
		rec.setFail(false)
		if x, _ := db.Grant(ctx, q.ID); x.ApprovedBy != "" {
			t.Errorf("approved without a trace: %+v", x)
		}
		// The yearly figures count them by outcome (G4).
		figs, err := governance.Figures{Store: db}.Figures(ctx, t0, t0.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, f := range figs {
			got[f.Key] = f.Value
		}
		for k, v := range map[string]int64{"governance.breakglass_requests": 4, "governance.breakglass_granted": 2,
			"governance.breakglass_rejected": 1, "governance.breakglass_withdrawn": 1} {
			if got[k] != v {
				t.Errorf("%s = %d, want %d", k, got[k], v)
			}
		}
	})
}
