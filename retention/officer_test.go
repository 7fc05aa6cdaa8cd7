package retention_test

import (
	"context"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	staffpolicy "github.com/coupole/coupole/policy/staff"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// mustOfficer is the privacy officer's door on f, with the embedded staff
// policy and three staff members: two privacy officers and an advisor.
func mustOfficer(t *testing.T, f *fixture) *retention.Officer {
	t.Helper()
	access, err := staffpolicy.Open("")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []coupole.Staff{
		{ID: "dpo-1", Kind: coupole.StaffOIDC, Login: "dpo-1", DisplayName: "DPO 1", Roles: []coupole.Role{coupole.RolePrivacyOfficer}},
		{ID: "dpo-2", Kind: coupole.StaffOIDC, Login: "dpo-2", DisplayName: "DPO 2", Roles: []coupole.Role{coupole.RolePrivacyOfficer}},
		{ID: "adv-1", Kind: coupole.StaffOIDC, Login: "adv-1", DisplayName: "Advisor", Roles: []coupole.Role{coupole.RoleAdvisor}},
	} {
		s.Status, s.CreatedAt = coupole.StaffActive, f.clock.T
		if err := f.db.CreateStaff(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	return &retention.Officer{Service: f.svc, Access: access, Staff: f.db}
}

func (f *fixture) events(t *testing.T, action string) []audit.Found {
	t.Helper()
	found, err := f.log.Query(context.Background(), audit.Query{After: -1, Limit: audit.MaxQueryLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Found
	for _, e := range found {
		if e.Event.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// R3, S7 (issue 13 item 2): a privacy officer places a hold and asks for
// its lift; the same officer cannot approve it (refused by the staff
// policy, traced with its target); a second officer lifts it and the purge
// then happens. An advisor may do none of it, and is traced too.
func TestR3OfficerHoldNeedsSecondPerson(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		o := mustOfficer(t, f)
		it := f.mustRegister(t, call("outage", f.clock.T))
		dpo1, err := o.Principal(ctx, "dpo-1")
		if err != nil {
			t.Fatal(err)
		}
		dpo2, _ := o.Principal(ctx, "dpo-2")
		adv, _ := o.Principal(ctx, "adv-1")
		if _, err := o.Principal(ctx, "nobody"); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Fatalf("unknown staff: %v, want forbidden", err)
		}

		if _, err := o.PlaceHold(ctx, adv, retention.Hold{Scope: retention.ScopeItem, Target: it.ID, Reason: "r", Reference: "REF"}); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Fatalf("advisor placed a hold: %v", err)
		}
		h, err := o.PlaceHold(ctx, dpo1, retention.Hold{Scope: retention.ScopeItem, Target: it.ID, Reason: "litige", Reference: "RG 26/123"})
		if err != nil {
			t.Fatal(err)
		}
		if h.PlacedBy != "dpo-1" {
			t.Fatalf("placed by %q", h.PlacedBy)
		}
		if _, err := o.Lift(ctx, dpo1, h.ID, "affaire close"); err != nil {
			t.Fatal(err)
		}
		// The same person cannot approve.
		if _, err := o.Lift(ctx, dpo1, h.ID, ""); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Fatalf("self-approval: %v, want forbidden", err)
		}
		f.clock.T = it.Due.Add(time.Minute)
		if res := f.mustRun(t); res.Purged != 0 {
			t.Fatalf("a held item was purged: %+v", res)
		}
		got, err := o.Lift(ctx, dpo2, h.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if got.Active() || got.LiftedBy != "dpo-2" || got.LiftRequestedBy != "dpo-1" {
			t.Fatalf("after the second person: %+v", got)
		}
		if res := f.mustRun(t); res.Purged != 1 {
			t.Fatalf("after the lift: %+v, want 1 purged", res)
		}
		// Refusals are traced with their target: the advisor's hold, the
		// self-approval, the unknown staff member.
		refusals := f.events(t, retention.ActionRefused)
		want := map[string]string{"adv-1": "target:hold:item:" + it.ID, "dpo-1": "target:hold:" + h.ID, "nobody": "target:Page:retention"}
		for _, r := range refusals {
			if tgt, ok := want[r.Event.Actor]; ok && len(r.Event.Data) == 2 && r.Event.Data[1] == tgt && r.Event.Decision != nil {
				delete(want, r.Event.Actor)
			}
		}
		if len(want) != 0 {
			t.Fatalf("refusals not traced with their target: %v (traced: %d)", want, len(refusals))
		}
	})
}

// R3 (issue 13 item 2): the class of an item changes with a privacy
// officer's justification, traced with the former class; an advisor is
// refused and traced; the listing of holds is traced.
func TestR3OfficerReclassifies(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		o := mustOfficer(t, f)
		it := f.mustRegister(t, call("outage", f.clock.T))
		dpo, _ := o.Principal(ctx, "dpo-1")
		adv, _ := o.Principal(ctx, "adv-1")
		if _, err := o.SetClass(ctx, adv, it.ID, "legal_emergency", "odeur de gaz signalée"); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Fatalf("advisor reclassified: %v", err)
		}
		if _, err := o.SetClass(ctx, dpo, it.ID, "legal_emergency", " "); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Fatalf("no justification: %v", err)
		}
		got, err := o.SetClass(ctx, dpo, it.ID, "legal_emergency", "odeur de gaz signalée après coup")
		if err != nil {
			t.Fatal(err)
		}
		if got.Class != "legal_emergency" || !got.Due.Equal(it.Start.AddDate(0, 60, 0)) {
			t.Fatalf("reclassified: %s due %s", got.Class, got.Due)
		}
		evs := f.events(t, retention.ActionSetClass)
		if len(evs) != 1 || evs[0].Event.Actor != "dpo-1" {
			t.Fatalf("set_class events: %+v", evs)
		}
		if len(f.events(t, retention.ActionRefused)) != 1 {
			t.Fatalf("the advisor's refusal is not traced once")
		}
		if _, err := o.Holds(ctx, dpo, true); err != nil {
			t.Fatal(err)
		}
		if _, err := o.Holds(ctx, adv, true); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
			t.Fatalf("advisor listed holds: %v", err)
		}
		if v := f.events(t, retention.ActionView); len(v) != 1 || v[0].Event.Actor != "dpo-1" {
			t.Fatalf("view events: %+v", v)
		}
	})
}
