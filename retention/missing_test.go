package retention_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// R1 for calls (issue 13 item 4): a phone call closed more than the grace
// period ago without a registered recording raises one recording_missing
// alert, traced; a recorded call, an e-mail, a call still within its grace
// period and a call older than the horizon raise none; checking again
// raises nothing more.
func TestR1MissingRecordingAlert(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		if err := db.CreateStaff(ctx, coupole.Staff{ID: "adv-1", Kind: coupole.StaffOIDC, Login: "adv-1", DisplayName: "A", Roles: []coupole.Role{coupole.RoleAdvisor},
			Status: coupole.StaffActive, CreatedAt: f.clock.T}); err != nil {
			t.Fatal(err)
		}
		now := f.clock.T
		closedCall := func(id, channel string, closed time.Time) {
			t.Helper()
			if err := db.CreateInteraction(ctx, coupole.Interaction{ID: id, StaffID: "adv-1", Channel: channel, Requester: "customer", OpenedAt: closed.Add(-5 * time.Minute)}); err != nil {
				t.Fatal(err)
			}
			if err := db.CloseInteraction(ctx, id, []string{"outage"}, closed); err != nil {
				t.Fatal(err)
			}
		}
		closedCall("i-missing", "phone", now.Add(-3*time.Hour))
		closedCall("i-cpas", "cpas_line", now.Add(-150*time.Minute))
		closedCall("i-recorded", "phone", now.Add(-3*time.Hour))
		closedCall("i-email", "email", now.Add(-3*time.Hour))
		closedCall("i-recent", "phone", now.Add(-time.Hour))
		closedCall("i-old", "phone", now.Add(-9*24*time.Hour))
		rec := call("outage", now.Add(-3*time.Hour))
		rec.InteractionID = "i-recorded"
		f.mustRegister(t, rec)

		m := &retention.MissingRecordings{Store: db, Audit: f.log, Clock: f.clock}
		raised, err := m.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, al := range raised {
			ids = append(ids, al.InteractionID)
			if al.Kind != retention.AlertRecordingMissing || al.StaffID != "adv-1" || al.Target != "interaction:"+al.InteractionID {
				t.Errorf("alert %+v", al)
			}
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"i-cpas", "i-missing"}) {
			t.Fatalf("alerts for %v, want i-cpas and i-missing", ids)
		}
		stored, err := db.ListAlerts(ctx, coupole.AlertFilter{Kind: retention.AlertRecordingMissing})
		if err != nil || len(stored) != 2 {
			t.Fatalf("stored alerts: %+v, %v", stored, err)
		}
		if n := len(f.events(t, "alert.raise")); n != 2 {
			t.Fatalf("%d alert.raise events, want 2", n)
		}
		if again, err := m.Check(ctx); err != nil || len(again) != 0 {
			t.Fatalf("second check: %+v, %v", again, err)
		}
		// Two hours later the recent call is past its grace period too; a
		// shorter grace would have caught it already.
		f.clock.T = now.Add(2 * time.Hour)
		if later, err := m.Check(ctx); err != nil || len(later) != 1 || later[0].InteractionID != "i-recent" {
			t.Fatalf("later: %+v, %v", later, err)
		}
	})
}
