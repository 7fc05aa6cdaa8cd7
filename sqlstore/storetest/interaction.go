package storetest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// InteractionDB is what the interaction conformance suite needs of a store:
// staff (who handles interactions) and interactions.
type InteractionDB interface {
	coupole.StaffStore
	coupole.InteractionStore
}

// RunInteractionStoreTests runs the conformance suite of the interaction
// store parts added by issue 10: need-to-know that ends (activity, idle,
// revocation) and the verification budget across interactions (C2).
// newStore returns a fresh, empty store for each subtest.
func RunInteractionStoreTests(t *testing.T, newStore func(t *testing.T) InteractionDB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s InteractionDB)
	}{
		{"ActivityAndIdleClose", testActivityAndIdleClose},
		{"RevokeClosesOpenInteractions", testRevokeClosesOpenInteractions},
		{"VerificationBudgetAcrossInteractions", testVerificationBudgetAcrossInteractions},
		{"VerificationBudgetWindow", testVerificationBudgetWindow},
		{"VerificationBudgetIsAtomic", testVerificationBudgetIsAtomic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

var t10 = time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)

// MustStaffMember creates an active advisor with id.
func MustStaffMember(tb testing.TB, s coupole.StaffStore, id string) {
	tb.Helper()
	err := s.CreateStaff(context.Background(), coupole.Staff{ID: id, Kind: coupole.StaffOIDC, Login: id, DisplayName: id,
		Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: t10})
	if err != nil {
		tb.Fatalf("CreateStaff(%s): %v", id, err)
	}
}

// MustInteraction opens interaction id for staffID at at.
func MustInteraction(tb testing.TB, s coupole.InteractionStore, id, staffID string, at time.Time) {
	tb.Helper()
	if err := s.CreateInteraction(context.Background(), coupole.Interaction{ID: id, StaffID: staffID, Channel: "phone", Requester: "customer", OpenedAt: at}); err != nil {
		tb.Fatalf("CreateInteraction(%s): %v", id, err)
	}
}

func mustInteractionRow(tb testing.TB, s coupole.InteractionStore, id string) coupole.Interaction {
	tb.Helper()
	in, err := s.Interaction(context.Background(), id)
	if err != nil {
		tb.Fatalf("Interaction(%s): %v", id, err)
	}
	return in
}

func interactionIDs(ins []coupole.Interaction) []string {
	out := []string{}
	for _, in := range ins {
		out = append(out, in.ID)
	}
	return out
}

func testActivityAndIdleClose(t *testing.T, s InteractionDB) {
	ctx := context.Background()
	MustStaffMember(t, s, "s-a")
	MustInteraction(t, s, "i-1", "s-a", t10)
	if got := mustInteractionRow(t, s, "i-1"); !got.LastActivityAt.Equal(t10) || got.CloseReason != "" {
		t.Errorf("new interaction: last activity %v, close reason %q; want its opening, none", got.LastActivityAt, got.CloseReason)
	}
	for _, c := range []struct {
		since time.Time
		want  []string
	}{{t10.Add(-time.Second), []string{}}, {t10, []string{"i-1"}}} {
		got, err := s.IdleInteractions(ctx, c.since)
		if err != nil || !slices.Equal(interactionIDs(got), c.want) {
			t.Errorf("IdleInteractions(%v) = %v, %v; want %v", c.since, interactionIDs(got), err, c.want)
		}
	}
	if err := s.TouchInteraction(ctx, "i-1", t10.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// An older touch never moves the activity back.
	if err := s.TouchInteraction(ctx, "i-1", t10.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := mustInteractionRow(t, s, "i-1"); !got.LastActivityAt.Equal(t10.Add(10 * time.Minute)) {
		t.Errorf("last activity = %v, want %v", got.LastActivityAt, t10.Add(10*time.Minute))
	}
	if got, _ := s.IdleInteractions(ctx, t10.Add(5*time.Minute)); len(got) != 0 {
		t.Errorf("an active interaction is listed idle: %v", interactionIDs(got))
	}
	// Active again since the sweeper's search: not closed.
	wantCode(t, "CloseIdleInteraction of an active interaction", s.CloseIdleInteraction(ctx, "i-1", t10.Add(5*time.Minute), t10.Add(40*time.Minute)), coupole.ECONFLICT)
	if err := s.CloseIdleInteraction(ctx, "i-1", t10.Add(10*time.Minute), t10.Add(40*time.Minute)); err != nil {
		t.Fatalf("CloseIdleInteraction: %v", err)
	}
	got := mustInteractionRow(t, s, "i-1")
	if got.Open() || !got.ClosedAt.Equal(t10.Add(40*time.Minute)) || got.CloseReason != coupole.CloseIdle || len(got.CallReasons) != 0 {
		t.Errorf("after idle close: %+v", got)
	}
	wantCode(t, "second CloseIdleInteraction", s.CloseIdleInteraction(ctx, "i-1", t10.Add(time.Hour), t10.Add(time.Hour)), coupole.ECONFLICT)
	wantCode(t, "CloseInteraction after the system closed it", s.CloseInteraction(ctx, "i-1", []string{"other"}, t10.Add(time.Hour)), coupole.ECONFLICT)
	if err := s.TouchInteraction(ctx, "i-1", t10.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := mustInteractionRow(t, s, "i-1"); !got.LastActivityAt.Equal(t10.Add(10 * time.Minute)) {
		t.Errorf("a closed interaction's activity moved: %v", got.LastActivityAt)
	}
}

func testRevokeClosesOpenInteractions(t *testing.T, s InteractionDB) {
	ctx := context.Background()
	MustStaffMember(t, s, "s-a")
	MustStaffMember(t, s, "s-b")
	MustInteraction(t, s, "i-1", "s-a", t10)
	MustInteraction(t, s, "i-2", "s-a", t10.Add(time.Minute))
	MustInteraction(t, s, "i-3", "s-b", t10)
	if err := s.CloseInteraction(ctx, "i-2", []string{"meter_reading"}, t10.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	MustInteraction(t, s, "i-4", "s-a", t10.Add(3*time.Minute))
	rv, err := s.Revoke(ctx, "s-a", "stolen laptop", t10.Add(time.Hour))
	if err != nil || !slices.Equal(rv.Interactions, []string{"i-1", "i-4"}) {
		t.Fatalf("Revoke = %+v, %v; want interactions i-1, i-4 closed", rv, err)
	}
	for id, want := range map[string]string{"i-1": coupole.CloseStaffRevoked, "i-4": coupole.CloseStaffRevoked, "i-2": ""} {
		if got := mustInteractionRow(t, s, id); got.Open() || got.CloseReason != want {
			t.Errorf("%s after revocation: open %v, close reason %q; want closed, %q", id, got.Open(), got.CloseReason, want)
		}
	}
	if got := mustInteractionRow(t, s, "i-3"); !got.Open() {
		t.Errorf("another member's interaction was closed")
	}
	if err := s.Reinstate(ctx, "s-a"); err != nil {
		t.Fatal(err)
	}
	if open, err := s.OpenInteractions(ctx, "s-a"); err != nil || len(open) != 0 {
		t.Errorf("reinstated member's open interactions = %v, %v; want none", interactionIDs(open), err)
	}
}

// budgetAttempt is a failed (or, with ok, right) verification at at.
func budgetAttempt(interactionID, staffID string, ean coupole.EAN, ok bool, at time.Time) coupole.VerificationAttempt {
	return coupole.VerificationAttempt{InteractionID: interactionID, StaffID: staffID, EAN: ean, OK: ok, At: at, MaxFailures: 3,
		Budget:      coupole.VerificationBudget{Failures: 5, Window: 24 * time.Hour},
		LockAlertID: "al-l-" + interactionID + at.Format("150405.000000"), BudgetAlertID: "al-b-" + interactionID + at.Format("150405.000000")}
}

func mustPoint(tb testing.TB, s coupole.InteractionStore, id string, ean coupole.EAN) {
	tb.Helper()
	if _, err := s.SelectPoint(context.Background(), id, coupole.InteractionPoint{EAN: ean, CustomerID: "C1"}); err != nil {
		tb.Fatalf("SelectPoint(%s): %v", id, err)
	}
}

func isBudgetRefusal(err error) bool {
	return coupole.ErrorCode(err) == coupole.EFORBIDDEN && strings.HasPrefix(coupole.ErrorMessage(err), "verification budget spent")
}

// testVerificationBudgetAcrossInteractions: issue 10, item 7 — the point
// locked in one interaction, more guesses in another, then a third advisor
// with the right number: the fifth failure spends the budget for everybody
// until a team lead unlocks it.
func testVerificationBudgetAcrossInteractions(t *testing.T, s InteractionDB) {
	ctx := context.Background()
	MustStaffMember(t, s, "s-a")
	MustStaffMember(t, s, "s-b")
	ean, other := EAN(1), EAN(2)
	for _, id := range []string{"i-1", "i-2"} {
		MustInteraction(t, s, id, "s-a", t10)
		mustPoint(t, s, id, ean)
	}
	MustInteraction(t, s, "i-3", "s-b", t10)
	mustPoint(t, s, "i-3", ean)
	mustPoint(t, s, "i-3", other)
	at := t10
	step := func(what, id, staff string, ok bool, wantLocked, wantSpent bool) {
		t.Helper()
		at = at.Add(time.Minute)
		p, b, err := s.RecordVerification(ctx, budgetAttempt(id, staff, ean, ok, at))
		if err != nil || p.Locked != wantLocked || b.Spent != wantSpent {
			t.Fatalf("%s: point %+v, budget %+v, %v; want locked %v, spent %v", what, p, b, err, wantLocked, wantSpent)
		}
	}
	step("i-1 failure 1", "i-1", "s-a", false, false, false)
	step("i-1 failure 2", "i-1", "s-a", false, false, false)
	step("i-1 failure 3 locks the interaction", "i-1", "s-a", false, true, false)
	_, _, err := s.RecordVerification(ctx, budgetAttempt("i-1", "s-a", ean, false, at.Add(time.Second)))
	wantCode(t, "i-1 after its lock", err, coupole.EFORBIDDEN)
	step("i-2 failure 4", "i-2", "s-a", false, false, false)
	step("i-2 failure 5 spends the budget", "i-2", "s-a", false, false, true)

	for _, c := range []struct {
		id, staff string
		ok        bool
	}{{"i-2", "s-a", false}, {"i-3", "s-b", true}} {
		p, _, err := s.RecordVerification(ctx, budgetAttempt(c.id, c.staff, ean, c.ok, at.Add(time.Minute)))
		if !isBudgetRefusal(err) || p.Verified {
			t.Errorf("%s (ok=%v) on a spent budget: %+v, %v; want the budget refusal", c.id, c.ok, p, err)
		}
	}
	if b, err := s.VerificationBudget(ctx, ean, coupole.VerificationBudget{Failures: 5, Window: 24 * time.Hour}, at); err != nil || !b.Spent || b.Failures != 5 {
		t.Errorf("VerificationBudget = %+v, %v; want 5 failures, spent", b, err)
	}
	// Another access point keeps its own budget.
	if p, _, err := s.RecordVerification(ctx, budgetAttempt("i-3", "s-b", other, true, at)); err != nil || !p.Verified {
		t.Errorf("another access point: %+v, %v", p, err)
	}

	alerts, err := s.Alerts(ctx, t10)
	if err != nil {
		t.Fatal(err)
	}
	var lockAlert, budgetAlert coupole.InteractionAlert
	for _, a := range alerts {
		switch a.Kind {
		case coupole.AlertVerificationLocked:
			lockAlert = a
		case coupole.AlertVerificationBudgetSpent:
			if budgetAlert.ID != "" {
				t.Errorf("two budget alerts: %+v", alerts)
			}
			budgetAlert = a
		}
	}
	if lockAlert.InteractionID != "i-1" || budgetAlert.InteractionID != "i-2" || budgetAlert.EAN != ean || budgetAlert.StaffID != "s-a" {
		t.Fatalf("alerts = %+v", alerts)
	}

	_, err = s.UnlockVerification(ctx, lockAlert.ID, "s-lead", "called back", at)
	wantCode(t, "unlock of an interaction lock", err, coupole.ECONFLICT)
	_, err = s.UnlockVerification(ctx, "al-none", "s-lead", "called back", at)
	wantCode(t, "unlock of an unknown alert", err, coupole.ENOTFOUND)
	at = at.Add(time.Hour)
	un, err := s.UnlockVerification(ctx, budgetAlert.ID, "s-lead", "customer identified at the desk", at)
	if err != nil || !un.UnlockedAt.Equal(at) || un.UnlockedBy != "s-lead" {
		t.Fatalf("UnlockVerification = %+v, %v", un, err)
	}
	if got, err := s.Alert(ctx, budgetAlert.ID); err != nil || !got.UnlockedAt.Equal(at) || got.UnlockedBy != "s-lead" {
		t.Errorf("Alert after unlock = %+v, %v", got, err)
	}
	_, err = s.UnlockVerification(ctx, budgetAlert.ID, "s-lead", "again", at)
	wantCode(t, "second unlock", err, coupole.ECONFLICT)
	if b, err := s.VerificationBudget(ctx, ean, coupole.VerificationBudget{Failures: 5, Window: 24 * time.Hour}, at); err != nil || b.Spent || b.Failures != 0 {
		t.Errorf("budget after unlock = %+v, %v; want a fresh budget", b, err)
	}
	if p, _, err := s.RecordVerification(ctx, budgetAttempt("i-3", "s-b", ean, true, at.Add(time.Minute))); err != nil || !p.Verified {
		t.Errorf("right number after the unlock: %+v, %v", p, err)
	}
}

// testVerificationBudgetWindow: failures older than the window no longer
// count.
func testVerificationBudgetWindow(t *testing.T, s InteractionDB) {
	ctx := context.Background()
	MustStaffMember(t, s, "s-a")
	ean := EAN(7)
	MustInteraction(t, s, "i-a", "s-a", t10)
	MustInteraction(t, s, "i-b", "s-a", t10)
	mustPoint(t, s, "i-a", ean)
	mustPoint(t, s, "i-b", ean)
	var at time.Time
	for i, id := range []string{"i-a", "i-a", "i-a", "i-b", "i-b"} {
		at = t10.Add(time.Duration(i+1) * time.Minute)
		if _, _, err := s.RecordVerification(ctx, budgetAttempt(id, "s-a", ean, false, at)); err != nil {
			t.Fatal(err)
		}
	}
	b := coupole.VerificationBudget{Failures: 5, Window: 24 * time.Hour}
	if st, _ := s.VerificationBudget(ctx, ean, b, at); !st.Spent {
		t.Fatalf("budget after 5 failures = %+v", st)
	}
	// The first failure (t10+1m) ages out 24 hours later: one more try.
	if st, _ := s.VerificationBudget(ctx, ean, b, t10.Add(24*time.Hour+time.Minute)); st.Spent || st.Failures != 4 {
		t.Errorf("budget a day later = %+v, want 4 failures, not spent", st)
	}
	MustInteraction(t, s, "i-c", "s-a", t10.Add(24*time.Hour))
	mustPoint(t, s, "i-c", ean)
	if p, _, err := s.RecordVerification(ctx, budgetAttempt("i-c", "s-a", ean, true, t10.Add(24*time.Hour+2*time.Minute))); err != nil || !p.Verified {
		t.Errorf("verification once a failure aged out: %+v, %v", p, err)
	}
}

// testVerificationBudgetIsAtomic: concurrent failures on one point, each in
// its own interaction, never count past the budget.
func testVerificationBudgetIsAtomic(t *testing.T, s InteractionDB) {
	ctx := context.Background()
	MustStaffMember(t, s, "s-a")
	ean := EAN(9)
	const n = 12
	for i := range n {
		id := "i-" + string(rune('a'+i))
		MustInteraction(t, s, id, "s-a", t10)
		mustPoint(t, s, id, ean)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = s.RecordVerification(ctx, budgetAttempt("i-"+string(rune('a'+i)), "s-a", ean, false, t10.Add(time.Duration(i+1)*time.Second)))
		}()
	}
	wg.Wait()
	recorded, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			recorded++
		case isBudgetRefusal(err):
			refused++
		default:
			t.Errorf("RecordVerification: %v", err)
		}
	}
	if recorded != 5 || refused != n-5 {
		t.Errorf("%d failures recorded, %d refused; want 5 and %d", recorded, refused, n-5)
	}
	alerts, err := s.Alerts(ctx, t10)
	if err != nil {
		t.Fatal(err)
	}
	spent := slices.IndexFunc(alerts, func(a coupole.InteractionAlert) bool { return a.Kind == coupole.AlertVerificationBudgetSpent })
	if spent < 0 || slices.ContainsFunc(alerts[spent+1:], func(a coupole.InteractionAlert) bool { return a.Kind == coupole.AlertVerificationBudgetSpent }) {
		t.Errorf("want exactly one budget alert, got %+v", alerts)
	}
}
