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

func charterTexts(v string) map[coupole.Language]string {
	return map[coupole.Language]string{coupole.French: "Charte " + v, coupole.Dutch: "Charter " + v, coupole.German: "Charta " + v, coupole.English: "Charter " + v}
}

// TestCharterAcknowledgement: S1 — the privacy officer publishes; a staff
// member is cleared only after acknowledging the current version, again at
// each new version and every year; everything is traced.
func TestCharterAcknowledgement(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l, rec, clock := mustLifecycle(t, db)
		ch := &governance.Charters{Lifecycle: l, Store: db}
		mustStaff(t, db, "s-po", coupole.RolePrivacyOfficer)
		mustStaff(t, db, "s-it", coupole.RoleITAdmin)
		mustStaff(t, db, "s-ana", coupole.RoleAdvisor)
		if s, err := ch.StatusOf(ctx, "s-ana", t0); err != nil || !s.Cleared || s.Published {
			t.Fatalf("no charter: %+v, %v; want cleared, nothing published", s, err)
		}
		if _, err := ch.Publish(ctx, "cli:root as s-it", "2026.1", charterTexts("1")); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Errorf("IT publishes: %v, want forbidden", err)
		}
		missing := charterTexts("1")
		delete(missing, coupole.German)
		if _, err := ch.Publish(ctx, "cli:root as s-po", "2026.1", missing); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("without German: %v, want invalid", err)
		}
		if _, err := ch.Publish(ctx, "cli:root as s-po", "2026.1", charterTexts("1")); err != nil {
			t.Fatal(err)
		}
		if _, err := ch.Publish(ctx, "cli:root as s-po", "2026.1", charterTexts("1")); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("same version twice: %v, want conflict", err)
		}
		if s, _ := ch.StatusOf(ctx, "s-ana", t0); s.Cleared || s.Reason != "never" {
			t.Errorf("before acknowledging: %+v", s)
		}
		if err := ch.Acknowledge(ctx, "s-ana", "2026.0"); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("acknowledging another version: %v", err)
		}
		rec.setFail(true)
		if err := ch.Acknowledge(ctx, "s-ana", "2026.1"); coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Errorf("acknowledging with the audit log down: %v", err)
		}
		rec.setFail(false)
		if s, _ := ch.StatusOf(ctx, "s-ana", t0); s.Cleared {
			t.Error("an acknowledgement that could not be traced counts")
		}
		if err := ch.Acknowledge(ctx, "s-ana", "2026.1"); err != nil {
			t.Fatal(err)
		}
		if s, _ := ch.StatusOf(ctx, "s-ana", t0); !s.Cleared {
			t.Errorf("after acknowledging: %+v", s)
		}
		if ev := rec.ofType(governance.EventCharterAcknowledged); len(ev) != 1 || ev[0].Details["version"] != "2026.1" {
			t.Errorf("acknowledgement trace: %+v", ev)
		}
		// Every year.
		if s, _ := ch.StatusOf(ctx, "s-ana", t0.Add(coupole.CharterValidity)); s.Cleared || s.Reason != "expired" {
			t.Errorf("a year later: %+v, want expired", s)
		}
		// At each new version.
		clock.T = t0.Add(30 * 24 * time.Hour)
		if _, err := ch.Publish(ctx, "s-po", "2026.2", charterTexts("2")); err != nil {
			t.Fatal(err)
		}
		if s, _ := ch.StatusOf(ctx, "s-ana", clock.T); s.Cleared || s.Reason != "new_version" || s.Charter.Version != "2026.2" {
			t.Errorf("new version: %+v", s)
		}
		if c, a, err := ch.Rate(ctx, clock.T); err != nil || c != 0 || a != 3 {
			t.Errorf("rate = %d/%d, %v", c, a, err)
		}
		if err := ch.Acknowledge(ctx, "s-ana", "2026.2"); err != nil {
			t.Fatal(err)
		}
		if c, a, _ := ch.Rate(ctx, clock.T); c != 1 || a != 3 {
			t.Errorf("rate = %d/%d, want 1/3", c, a)
		}
		// Awareness campaigns.
		if _, err := ch.RecordAwareness(ctx, "s-po", coupole.AwarenessCampaign{Title: "Phishing", HeldOn: t0, Audience: "advisors", Attendees: []string{"s-nobody"}}); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("unknown attendee: %v", err)
		}
		if _, err := ch.RecordAwareness(ctx, "s-po", coupole.AwarenessCampaign{Title: "Phishing", HeldOn: t0, Audience: ""}); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("no audience: %v", err)
		}
		if _, err := ch.RecordAwareness(ctx, "s-po", coupole.AwarenessCampaign{Title: "Confidentialité au téléphone", HeldOn: t0, Audience: "advisors", Attendees: []string{"s-ana", "s-ana", "s-it"}}); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListAwareness(ctx)
		if err != nil || len(list) != 1 || len(list[0].Attendees) != 2 || list[0].Title != "Confidentialité au téléphone" {
			t.Errorf("awareness = %+v, %v", list, err)
		}
	})
}

// TestCharterAcknowledgementByRevokedIsTraced: a revoked account's
// acknowledgement is refused, and the refusal traced with its target.
func TestCharterAcknowledgementByRevokedIsTraced(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	ctx := context.Background()
	l, rec, _ := mustLifecycle(t, db)
	ch := &governance.Charters{Lifecycle: l, Store: db}
	mustStaff(t, db, "s-po", coupole.RolePrivacyOfficer)
	mustStaff(t, db, "s-ana", coupole.RoleAdvisor)
	if _, err := ch.Publish(ctx, "cli:root as s-po", "2026.1", charterTexts("1")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Revoke(ctx, "s-ana", "left", t0); err != nil {
		t.Fatal(err)
	}
	if err := ch.Acknowledge(ctx, "s-ana", "2026.1"); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
		t.Fatalf("revoked acknowledges: %v, want forbidden", err)
	}
	evs := rec.ofType(coupole.StaffEventAccessDenied)
	if len(evs) != 1 || evs[0].Subject != "s-ana" || evs[0].Outcome != "refused" || evs[0].Details["action"] != string(coupole.ActionAcknowledgeCharter) {
		t.Errorf("refusal events = %+v, want one naming s-ana and the acknowledgement", evs)
	}
}
