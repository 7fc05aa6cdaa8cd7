package interaction_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// Issue 10, items 7 and 8 (Deliver 5 and 6): need-to-know that ends by
// itself, revocation that ends it, and the verification budget across
// interactions and advisors.

const rightMeter = "9876543A" // the meter in place on EANElecNamur

func handledCustomers(tb testing.TB, s *interaction.Service, staffID string) []string {
	tb.Helper()
	his, err := s.HandledInteractions(context.Background(), staffID)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, hi := range his {
		out = append(out, hi.CustomerIDs...)
	}
	return out
}

func mustHandles(tb testing.TB, s *interaction.Service, staffID, id string, want bool) {
	tb.Helper()
	got, err := s.Handles(context.Background(), staffID, id)
	if err != nil || got != want {
		tb.Errorf("Handles(%s, %s) = %v, %v; want %v", staffID, id, got, err, want)
	}
}

// verifiedInteraction opens an interaction for a and verifies the caller on
// EANElecNamur.
func verifiedInteraction(tb testing.TB, s *interaction.Service, a interaction.Actor) string {
	tb.Helper()
	id := mustOpen(tb, s, a, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	v, err := s.Verify(context.Background(), a, id, interaction.VerifyRequest{Ref: refAs(tb, s, a, id, storetest.EANElecNamur), MeterNumber: rightMeter})
	if err != nil || !v.Verified {
		tb.Fatalf("verify: %+v, %v", v, err)
	}
	return id
}

// refAs identifies by EAN as a and returns the ref of G••• D•••.
func refAs(tb testing.TB, s *interaction.Service, a interaction.Actor, id string, ean coupole.EAN) string {
	tb.Helper()
	res, err := s.Identify(context.Background(), a, id, interaction.IdentifyRequest{EAN: string(ean)})
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range res.Candidates {
		if c.Customer == "G••• D•••" {
			return c.Ref
		}
	}
	tb.Fatalf("no candidate among %+v", res.Candidates)
	return ""
}

// TestNeedToKnowEndsWhenIdle: an interaction without a step for the idle
// time gives no access from that moment, before any sweeper ran; each step
// renews it; the sweeper then closes it as the system, traced first.
func TestNeedToKnowEndsWhenIdle(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustService(t, db)
		clock := s.Clock.(*coupole.FixedClock)
		id := verifiedInteraction(t, s, adv)
		if got := handledCustomers(t, s, "s-adv"); len(got) == 0 {
			t.Fatalf("a verified interaction gives no need-to-know")
		}

		clock.T = now.Add(29 * time.Minute)
		mustHandles(t, s, "s-adv", id, true)
		if _, err := s.Get(ctx, adv, id); err != nil { // a step: activity
			t.Fatal(err)
		}
		clock.T = now.Add(58 * time.Minute)
		mustHandles(t, s, "s-adv", id, true)
		// Somebody else's probe is refused and traced, and is no activity.
		if _, err := s.Get(ctx, interaction.Actor{StaffID: "s-other"}, id); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Fatalf("another advisor's read: %v, want ENOTFOUND", err)
		}

		clock.T = now.Add(59 * time.Minute) // 30 minutes after the last step
		mustHandles(t, s, "s-adv", id, false)
		if got := handledCustomers(t, s, "s-adv"); len(got) != 0 {
			t.Errorf("an idle interaction still gives need-to-know on %v", got)
		}
		if metas, _ := s.OpenInteractions(ctx); slices.ContainsFunc(metas, func(m coupole.InteractionMeta) bool { return m.ID == id }) {
			t.Errorf("an idle interaction is listed open")
		}
		if _, err := s.Verify(ctx, adv, id, interaction.VerifyRequest{MeterNumber: rightMeter}); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("a step in an idle interaction: %v, want ECONFLICT (closed)", err)
		}
		if in, _ := db.Interaction(ctx, id); !in.Open() {
			t.Fatalf("the interaction is already closed: the guarantee above was the sweeper's")
		}

		n, err := s.CloseIdle(ctx)
		if err != nil || n != 1 {
			t.Fatalf("CloseIdle = %d, %v; want 1", n, err)
		}
		ev := tr.Last()
		if ev.Action != "interaction.closed_idle" || ev.Actor != interaction.SystemActor || ev.Interaction != id || ev.Decision == nil || ev.Decision.Reason != coupole.CloseIdle {
			t.Errorf("idle close traced as %+v", ev)
		}
		v, err := s.Get(ctx, adv, id)
		if err != nil || v.Status != "closed" || v.ClosedBy != interaction.SystemActor || v.CloseReason != coupole.CloseIdle || len(v.CallReasons) != 0 {
			t.Errorf("view after idle close = %+v, %v", v, err)
		}
		if n, err := s.CloseIdle(ctx); err != nil || n != 0 {
			t.Errorf("second CloseIdle = %d, %v; want 0", n, err)
		}
	})
}

// TestIdleTimeIsConfigurable: IdleAfter replaces the 30-minute default.
func TestIdleTimeIsConfigurable(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	s, _ := mustService(t, db)
	s.IdleAfter = 5 * time.Minute
	id := verifiedInteraction(t, s, adv)
	s.Clock.(*coupole.FixedClock).T = now.Add(5 * time.Minute)
	mustHandles(t, s, "s-adv", id, false)
}

// TestActivityIsWrittenWithTheStepsEvent: with the real audit log, a step's
// activity goes in the step's own audit transaction (no commit of its own).
func TestActivityIsWrittenWithTheStepsEvent(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	s, _ := mustService(t, db)
	clock := s.Clock.(*coupole.FixedClock)
	alog, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { alog.Close() })
	s.Audit = alog
	id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	clock.T = now.Add(10 * time.Minute)
	if _, err := s.Identify(ctx, adv, id, interaction.IdentifyRequest{EAN: string(storetest.EANElecNamur)}); err != nil {
		t.Fatal(err)
	}
	if in, err := db.Interaction(ctx, id); err != nil || !in.LastActivityAt.Equal(clock.T) {
		t.Errorf("last activity = %v, %v; want %v", in.LastActivityAt, err, clock.T)
	}
}

// TestRevocationEndsInteractionAccess: item 8 — a revoked, then reinstated
// advisor regains no access through the interactions opened before.
func TestRevocationEndsInteractionAccess(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, _ := mustService(t, db)
		id := verifiedInteraction(t, s, adv)
		rv, err := db.Revoke(ctx, "s-adv", "laptop stolen", now.Add(time.Minute))
		if err != nil || !slices.Equal(rv.Interactions, []string{id}) {
			t.Fatalf("Revoke = %+v, %v", rv, err)
		}
		if err := db.Reinstate(ctx, "s-adv"); err != nil {
			t.Fatal(err)
		}
		mustHandles(t, s, "s-adv", id, false)
		if got := handledCustomers(t, s, "s-adv"); len(got) != 0 {
			t.Errorf("reinstated advisor has need-to-know on %v", got)
		}
		v, err := s.Get(ctx, adv, id)
		if err != nil || v.Status != "closed" || v.ClosedBy != interaction.SystemActor || v.CloseReason != coupole.CloseStaffRevoked {
			t.Errorf("view after revocation = %+v, %v", v, err)
		}
	})
}

// TestVerificationBudgetAcrossInteractionsAndAdvisors: item 7 — guesses in
// one interaction, then another, then another advisor with the right
// number: the fifth failure locks the point for everybody, with an alert;
// refusals are traced with their target; a team lead unlocks with a reason.
func TestVerificationBudgetAcrossInteractionsAndAdvisors(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustService(t, db)
		other := interaction.Actor{StaffID: "s-other"}
		i1 := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
		ref := refAs(t, s, adv, i1, storetest.EANElecNamur)
		for range 3 {
			if _, err := s.Verify(ctx, adv, i1, interaction.VerifyRequest{Ref: ref, MeterNumber: "111"}); err != nil {
				t.Fatal(err)
			}
		}
		i2 := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
		ref = refAs(t, s, adv, i2, storetest.EANElecNamur)
		v, err := s.Verify(ctx, adv, i2, interaction.VerifyRequest{Ref: ref, MeterNumber: "111"})
		if err != nil || v.Locked || v.AttemptsLeft != 1 {
			t.Fatalf("fourth failure: %+v, %v; want 1 attempt left (the budget's)", v, err)
		}
		v, err = s.Verify(ctx, adv, i2, interaction.VerifyRequest{MeterNumber: "111"})
		if err != nil || !v.Locked || !v.BudgetSpent || v.AttemptsLeft != 0 {
			t.Fatalf("fifth failure: %+v, %v; want locked, budget spent", v, err)
		}
		if ev := tr.Last(); ev.Decision == nil || ev.Decision.Reason != "verification_budget_spent" || !slices.Contains(ev.Data, "alert="+coupole.AlertVerificationBudgetSpent) {
			t.Errorf("fifth failure traced as %+v", ev)
		}

		i3 := mustOpen(t, s, other, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
		ref = refAs(t, s, other, i3, storetest.EANElecNamur)
		if _, err := s.Select(ctx, other, i3, ref); err != nil {
			t.Fatal(err)
		}
		if g, err := s.Get(ctx, other, i3); err != nil || g.Current == nil || !g.Current.Locked || !g.Current.BudgetSpent {
			t.Errorf("another advisor's view of the point = %+v, %v; want locked, budget spent", g.Current, err)
		}
		_, err = s.Verify(ctx, other, i3, interaction.VerifyRequest{MeterNumber: rightMeter})
		if coupole.ErrorCode(err) != coupole.EFORBIDDEN || !strings.HasPrefix(coupole.ErrorMessage(err), "verification budget spent") {
			t.Fatalf("right number on a spent budget: %v, want the budget refusal", err)
		}
		if ev := tr.Last(); ev.Action != "interaction.verify" || ev.Actor != "s-other" || ev.Decision == nil || ev.Decision.Outcome != "refused" ||
			ev.Decision.Reason != "verification_budget_spent" || !slices.Contains(ev.AccessPoints, string(storetest.EANElecNamur)) || len(ev.Customers) == 0 {
			t.Errorf("refusal traced as %+v, want it with its target", ev)
		}

		alerts, err := s.Alerts(ctx, interaction.Actor{StaffID: "s-lead"})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(alerts, func(a interaction.AlertView) bool { return a.Kind == coupole.AlertVerificationBudgetSpent })
		if i < 0 || strings.Contains(alerts[i].EAN, string(storetest.EANElecNamur)) {
			t.Fatalf("alerts = %+v, want one budget alert, EAN masked", alerts)
		}
		lead := interaction.Actor{StaffID: "s-lead"}
		if _, err := s.UnlockVerification(ctx, lead, alerts[i].ID, interaction.UnlockRequest{Reason: "  "}); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("unlock without a reason: %v", err)
		}
		un, err := s.UnlockVerification(ctx, lead, alerts[i].ID, interaction.UnlockRequest{Reason: "caller identified at the desk"})
		if err != nil || un.UnlockedBy != "s-lead" || un.UnlockedAt == nil {
			t.Fatalf("unlock = %+v, %v", un, err)
		}
		if ev := tr.Last(); ev.Action != "verification.unlock" || ev.Actor != "s-lead" || !slices.Contains(ev.AccessPoints, string(storetest.EANElecNamur)) ||
			ev.Decision == nil || ev.Decision.Reason != "caller identified at the desk" {
			t.Errorf("unlock traced as %+v", ev)
		}
		if v, err := s.Verify(ctx, other, i3, interaction.VerifyRequest{MeterNumber: rightMeter}); err != nil || !v.Verified {
			t.Errorf("right number after the unlock: %+v, %v", v, err)
		}
	})
}

// TestSweepIdleClosesAndStops: the sweeper of `coupole serve` closes idle
// interactions on its own and returns when its context ends.
func TestSweepIdleClosesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	db := sqltest.MustOpenSQLite(t)
	s, _ := mustService(t, db)
	id := verifiedInteraction(t, s, adv)
	s.Clock.(*coupole.FixedClock).T = now.Add(time.Hour)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.SweepIdle(ctx, time.Millisecond)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		in, err := db.Interaction(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !in.Open() {
			if in.CloseReason != coupole.CloseIdle {
				t.Errorf("closed with reason %q", in.CloseReason)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sweeper did not close the idle interaction")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}
