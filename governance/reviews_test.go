package governance_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/governance"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestReviewCampaignRemovesWhatWasNotReviewed: S5 — each role goes to the
// staff member's manager (else any service delivery manager), who keeps or
// removes it; what nobody reviewed by the end is removed; progress and
// reminders count it; every decision is traced; nobody reviews their own
// access.
func TestReviewCampaignRemovesWhatWasNotReviewed(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, rec, clock := mustLifecycle(t, db)
		rv := &governance.Reviews{Lifecycle: l, Store: db}
		mustStaff(t, db, "s-sdm", coupole.RoleServiceDeliveryManager)
		mustStaff(t, db, "s-boss", coupole.RoleTeamLead)
		mustStaff(t, db, "s-ana", coupole.RoleAdvisor, coupole.RoleBackOffice)
		mustStaff(t, db, "s-bob", coupole.RoleAdvisor)
		if err := db.SetStaffProfile(ctx, "s-ana", coupole.StaffProfile{DisplayName: "Ana", Manager: "s-boss"}, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := rv.Start(ctx, "cli:root as s-boss", 0); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("a team lead starts a campaign: %v, want forbidden", err)
		}
		c, err := rv.Start(ctx, "cli:root as s-sdm", 14*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rv.Start(ctx, "cli:root as s-sdm", 0); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("second open campaign: %v, want conflict", err)
		}
		items, err := db.ReviewItems(ctx, c.ID)
		if err != nil || len(items) != 5 {
			t.Fatalf("items = %+v, %v; want 5 (one per role)", items, err)
		}
		byKey := map[string]coupole.ReviewItem{}
		for _, it := range items {
			byKey[it.StaffID+"/"+string(it.Role)] = it
		}
		if byKey["s-ana/advisor"].Reviewer != "s-boss" || byKey["s-bob/advisor"].Reviewer != "" {
			t.Errorf("reviewers: ana %q (want s-boss), bob %q (want any SDM)", byKey["s-ana/advisor"].Reviewer, byKey["s-bob/advisor"].Reviewer)
		}
		// Reminders: the manager sees Ana's two roles; the SDM sees the
		// unassigned ones but never their own.
		boss, _ := db.Staff(ctx, "s-boss")
		sdm, _ := db.Staff(ctx, "s-sdm")
		if p, _ := rv.PendingFor(ctx, boss); len(p) != 2 {
			t.Errorf("pending for the manager = %d, want 2", len(p))
		}
		if p, _ := rv.PendingFor(ctx, sdm); len(p) != 2 {
			t.Errorf("pending for the SDM = %d, want 2 (bob/advisor, boss/team_lead; not their own)", len(p))
		}
		// A manager who is not the assigned reviewer may not decide.
		if _, err := rv.Decide(ctx, "s-boss", byKey["s-bob/advisor"].ID, true, ""); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("unassigned manager decides: %v, want forbidden", err)
		}
		// Nobody reviews their own access (SoD), SDM included.
		if _, err := rv.Decide(ctx, "s-sdm", byKey["s-sdm/service_delivery_manager"].ID, true, ""); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("SDM keeps their own role: %v, want forbidden", err)
		}
		clock.T = t0.Add(24 * time.Hour)
		if _, err := rv.Decide(ctx, "s-boss", byKey["s-ana/advisor"].ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := rv.Decide(ctx, "s-boss", byKey["s-ana/back_office"].ID, false, "moved to the front line"); err != nil {
			t.Fatal(err)
		}
		if _, err := rv.Decide(ctx, "s-boss", byKey["s-ana/advisor"].ID, false, ""); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("deciding twice: %v, want conflict", err)
		}
		if s, _ := db.Staff(ctx, "s-ana"); !slices.Equal(s.Roles, []coupole.Role{coupole.RoleAdvisor}) {
			t.Errorf("ana's roles = %v, want advisor", s.Roles)
		}
		if p, _ := db.ReviewProgress(ctx, c.ID); p.Total != 5 || p.Kept != 1 || p.Removed != 1 || p.Pending != 3 || p.Done() != 40 {
			t.Errorf("progress = %+v (done %d%%)", p, p.Done())
		}
		// The schedule closes the campaign at its end: what is pending goes.
		clock.T = c.EndsAt.Add(-time.Second)
		if started, closed, err := rv.Sweep(ctx, 90*24*time.Hour, 0); err != nil || started || closed {
			t.Fatalf("sweep before the end: %v %v %v", started, closed, err)
		}
		clock.T = c.EndsAt
		if started, closed, err := rv.Sweep(ctx, 90*24*time.Hour, 0); err != nil || started || !closed {
			t.Fatalf("sweep at the end: started %v closed %v %v", started, closed, err)
		}
		for id, want := range map[string][]coupole.Role{"s-bob": nil, "s-boss": nil, "s-sdm": nil, "s-ana": {coupole.RoleAdvisor}} {
			if s, _ := db.Staff(ctx, id); !slices.Equal(s.Roles, want) {
				t.Errorf("%s after the end: roles %v, want %v", id, s.Roles, want)
			}
		}
		if p, _ := db.ReviewProgress(ctx, c.ID); p.Expired != 3 || p.Pending != 0 {
			t.Errorf("final progress = %+v", p)
		}
		if got := kinds(t, db, "s-bob"); got != "mover/sweeper" {
			t.Errorf("bob's lifecycle = %s, want mover/sweeper", got)
		}
		for typ, n := range map[string]int{governance.EventReviewStarted: 1, governance.EventReviewKept: 1, governance.EventReviewRemoved: 1,
			governance.EventReviewExpired: 3, governance.EventReviewClosed: 1} {
			if got := len(rec.ofType(typ)); got != n {
				t.Errorf("%d %s events, want %d", got, typ, n)
			}
		}
		// The next campaign starts by itself every period after the last.
		clock.T = c.StartedAt.Add(90 * 24 * time.Hour)
		if started, _, err := rv.Sweep(ctx, 90*24*time.Hour, 0); err != nil || !started {
			t.Errorf("scheduled start: %v %v", started, err)
		}
	})
}

// decideFails is a store whose recording of a review decision fails.
type decideFails struct{ *sqlstore.DB }

func (decideFails) DecideReviewItem(ctx context.Context, id string, d coupole.ReviewDecision, by string, at time.Time) error {
	return coupole.Errorf(coupole.EUNAVAILABLE, "database down")
}

// TestReviewDecisionNotRecordedIsTracedFailed: trace first (T1, S5) — a
// decision traced and then not recorded leaves a second event saying it
// failed, so that the trace does not claim a kept role that nobody kept.
func TestReviewDecisionNotRecordedIsTracedFailed(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	ctx := context.Background()
	l, rec, _ := mustLifecycle(t, db)
	mustStaff(t, db, "s-sdm", coupole.RoleServiceDeliveryManager)
	mustStaff(t, db, "s-bob", coupole.RoleAdvisor)
	c, err := (&governance.Reviews{Lifecycle: l, Store: db}).Start(ctx, "cli:root as s-sdm", 14*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	items, err := db.ReviewItems(ctx, c.ID)
	if err != nil || len(items) != 2 {
		t.Fatalf("items = %+v, %v", items, err)
	}
	var bob coupole.ReviewItem
	for _, it := range items {
		if it.StaffID == "s-bob" {
			bob = it
		}
	}
	rv := &governance.Reviews{Lifecycle: l, Store: decideFails{db}}
	if _, err := rv.Decide(ctx, "cli:root as s-sdm", bob.ID, true, ""); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
		t.Fatalf("decide with the store down: %v, want unavailable", err)
	}
	evs := rec.ofType(governance.EventReviewKept)
	if len(evs) != 2 || evs[0].Outcome != "ok" || evs[1].Outcome != "failed" || evs[1].Details["item"] != bob.ID {
		t.Errorf("events = %+v, want the decision then its failure", evs)
	}
}
