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

// TestValidationFigures: G4, items 5 and 6 — validations on time, review
// completion and the charter's acknowledgement rate are each one query,
// counted over the period asked.
func TestValidationFigures(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, _, clock := mustLifecycle(t, db)
		v := &governance.Validation{Lifecycle: l, Store: db}
		rv := &governance.Reviews{Lifecycle: l, Store: db}
		ch := &governance.Charters{Lifecycle: l, Store: db}
		mustStaff(t, db, "s-it", coupole.RoleITAdmin)
		mustStaff(t, db, "s-sdm", coupole.RoleServiceDeliveryManager)
		mustStaff(t, db, "s-po", coupole.RolePrivacyOfficer)
		mustStaff(t, db, "s-ana")
		// Four grants: one validated on time, one rejected, two left to be
		// suspended.
		if err := l.SetRoles(ctx, "s-it", "s-ana", []coupole.Role{coupole.RoleAdvisor, coupole.RoleBackOffice, coupole.RoleTeamLead, coupole.RoleSupervisor}, coupole.SourceScreen); err != nil {
			t.Fatal(err)
		}
		q := pendingOf(t, db, "s-ana")
		if _, err := v.Validate(ctx, "s-sdm", q[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Reject(ctx, "s-sdm", q[1].ID, "no"); err != nil {
			t.Fatal(err)
		}
		clock.T = t0.Add(6 * 24 * time.Hour)
		if _, err := v.SuspendDue(ctx); err != nil {
			t.Fatal(err)
		}
		// A campaign over the roles left (ana's validated one; it, sdm, po): ana's and po's reviewed.
		c, err := rv.Start(ctx, "s-sdm", 0)
		if err != nil {
			t.Fatal(err)
		}
		items, _ := db.ReviewItems(ctx, c.ID)
		decided := 0
		for _, it := range items {
			if it.StaffID == "s-ana" || it.StaffID == "s-po" {
				if _, err := rv.Decide(ctx, "s-sdm", it.ID, true, ""); err != nil {
					t.Fatal(err)
				}
				decided++
			}
		}
		clock.T = c.EndsAt
		if _, err := rv.Close(ctx, "s-sdm", c.ID); err != nil {
			t.Fatal(err)
		}
		// The charter: 2 of the 4 active accounts acknowledged it.
		texts := map[coupole.Language]string{coupole.French: "a", coupole.Dutch: "b", coupole.German: "c", coupole.English: "d"}
		if _, err := ch.Publish(ctx, "s-po", "v1", texts); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"s-ana", "s-po"} {
			if err := ch.Acknowledge(ctx, id, "v1"); err != nil {
				t.Fatal(err)
			}
		}
		figs, err := governance.Figures{Store: db}.Figures(ctx, t0, clock.T.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, f := range figs {
			got[f.Key] = f.Value
		}
		want := map[string]int64{"governance.grants_due": 4, "governance.validations_on_time_pct": 25, "governance.grants_suspended": 2,
			"governance.review_items": int64(len(items)), "governance.review_completion_pct": int64(100 * decided / len(items)), "governance.charter_ack_pct": 50}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s = %d, want %d", k, got[k], w)
			}
		}
		if len(items) == 0 || decided == 0 {
			t.Fatalf("campaign of %d items, %d decided: the figures test nothing", len(items), decided)
		}
		// A year later, nobody's acknowledgement counts any more.
		figs, _ = governance.Figures{Store: db}.Figures(ctx, clock.T.Add(366*24*time.Hour), clock.T.Add(367*24*time.Hour))
		for _, f := range figs {
			if f.Key == "governance.charter_ack_pct" && f.Value != 0 {
				t.Errorf("a year later the rate is %d%%, want 0", f.Value)
			}
		}
	})
}
