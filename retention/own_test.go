package retention_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"golang.org/x/mod/sumdb/note"
)

// ownFixture has Coupole's own records: two closed interactions (customers
// C-A and C-B) with their points, a sent SMS of the first, an expired
// session, and a trace event naming customer C-Z; all in March 2026.
type ownFixture struct {
	*fixture
	verifier note.Verifier
}

func mustOwnFixture(t *testing.T, db *sqlstore.DB) *ownFixture {
	t.Helper()
	ctx := context.Background()
	skey, vkey, err := note.GenerateKey(rand.Reader, "coupole.test/own")
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	clock := &coupole.FixedClock{T: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	l, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Signer: mustSigner(t, skey), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := &fixture{db: db, log: l, clock: clock, media: &memMedia{}}
	f.svc = &retention.Service{Store: db, Audit: l, Clock: clock, Config: retention.DefaultConfig()}
	own := &retention.Own{Store: db, Records: db, Trace: audit.NewReader(sqlstore.NewAuditStore(db)), Audit: l, Clock: clock, Config: retention.DefaultConfig()}
	f.purger = &retention.Purger{Store: db, Audit: l, Clock: clock, Media: f.media, Logger: slog.New(slog.DiscardHandler), Own: own}

	if err := db.CreateStaff(ctx, coupole.Staff{ID: "s-adv", Kind: coupole.StaffOIDC, Login: "s-adv", Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: clock.T}); err != nil {
		t.Fatal(err)
	}
	t0 := clock.T
	w := db.Writer()
	for _, c := range []struct{ id, customer, ean, phone string }{{"int-a", "C-A", "541448800000000011", "+32470000001"}, {"int-b", "C-B", "541448800000000022", "+32470000002"}} {
		if err := db.CreateInteraction(ctx, coupole.Interaction{ID: c.id, StaffID: "s-adv", Channel: "phone", Requester: "customer", CallerNumber: c.phone, OpenedAt: t0.Add(-10 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		mustExec(t, w, `UPDATE interactions SET current_customer = $1, current_ean = $2 WHERE id = $3`, c.customer, c.ean, c.id)
		mustExec(t, w, `INSERT INTO interaction_points (interaction_id, ean, customer_id, verified) VALUES ($1, $2, $3, TRUE)`, c.id, c.ean, c.customer)
		if err := db.CloseInteraction(ctx, c.id, []string{"outage"}, t0); err != nil {
			t.Fatal(err)
		}
	}
	mustExec(t, w, `INSERT INTO deliveries (id, interaction_id, staff_id, kind, item, ean, customer_id, recipient, idempotency_key, request_hash, audit_index, status, created_at, text)
		VALUES ('d-a', 'int-a', 's-adv', 'sms', 'ean', '541448800000000011', 'C-A', '+32470000001', 'k1', 'h1', 0, 'sent', $1, 'Votre EAN est 5414…')`, t0.UnixMicro())
	if err := db.CreateSession(ctx, coupole.Session{IDHash: strings.Repeat("ab", 32), StaffID: "s-adv", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, audit.Event{Actor: "s-adv", Action: "customer.read", Customers: []string{"C-Z"}, Data: []string{"name"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, audit.Event{Actor: "s-adv", Action: "customer.read", Customers: []string{"C-Y"}, Data: []string{"name"}}); err != nil {
		t.Fatal(err)
	}
	return &ownFixture{fixture: f, verifier: v}
}

func mustExec(t *testing.T, w *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := w.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// evidenceOf returns the kinds of the purge evidence events, by item.
func (f *ownFixture) evidenceOf(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, d := range f.purgeEvents(t) {
		var item, kind string
		for _, x := range d {
			if v, ok := strings.CutPrefix(x, "item:"); ok {
				item = v
			}
			if v, ok := strings.CutPrefix(x, "kind:"); ok {
				kind = v
			}
		}
		out[item] = append(out[item], kind)
	}
	return out
}

func (f *ownFixture) ownItem(t *testing.T, externalID string) retention.Item {
	t.Helper()
	var id string
	if err := f.db.Reader().QueryRow(`SELECT id FROM retention_items WHERE source = 'coupole' AND external_id = $1`, externalID).Scan(&id); err != nil {
		t.Fatalf("%s not enrolled: %v", externalID, err)
	}
	it, err := f.db.RetentionItem(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func (f *ownFixture) scalar(t *testing.T, q string, args ...any) string {
	t.Helper()
	var s string
	if err := f.db.Reader().QueryRow(q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// R4 for Coupole's own records, with an injected clock, on both engines:
// closed interactions, deliveries, expired sessions and months of trace
// payloads are enrolled in their classes, purged when due with one
// evidence event each, their personal data erased; a hold on a customer
// stops the purge of that customer's interaction until a second person
// lifts it; trace erasure skips held events and the log still verifies.
func TestOwnRecordsRetention(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustOwnFixture(t, db)
		t0 := f.clock.T

		f.clock.T = t0.Add(24 * time.Hour)
		res := f.mustRun(t)
		if res.Enrolled != 4 || res.Purged != 0 {
			t.Fatalf("first run: %+v, want 4 enrolled (2 interactions, 1 delivery, 1 session), none purged", res)
		}
		if res := f.mustRun(t); res.Enrolled != 0 {
			t.Fatalf("second run enrolled again: %+v", res)
		}
		ia := f.ownItem(t, "interaction:int-a")
		if ia.Class != "own_interaction" || !ia.Due.Equal(t0.AddDate(0, 13, 0)) || ia.CustomerID != "C-A" || ia.InteractionID != "int-a" {
			t.Fatalf("interaction item: %+v", ia)
		}
		if s := f.ownItem(t, "session:"+strings.Repeat("ab", 32)); s.Class != "own_session" || !s.Due.Equal(t0.Add(12*time.Hour).AddDate(0, 0, 90)) {
			t.Fatalf("session item: %+v", s)
		}
		if _, err := f.svc.PlaceHold(ctx, "po-1", retention.Hold{Scope: retention.ScopeCustomer, Target: "C-B", Reason: "complaint", Reference: "PLAINTE-7"}); err != nil {
			t.Fatal(err)
		}

		// 90 days after the session expired: only the session goes; March
		// and April of trace are enrolled (not due for 24 months).
		f.clock.T = t0.Add(12*time.Hour).AddDate(0, 0, 90).Add(30 * time.Minute)
		if res := f.mustRun(t); res.Purged != 1 || res.Late != 0 || res.Enrolled != 2 {
			t.Fatalf("at the session's due date: %+v", res)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM staff_sessions`); n != "0" {
			t.Fatalf("%s sessions left", n)
		}
		if tr := f.ownItem(t, "trace:2026-03"); !tr.Due.Equal(time.Date(2028, 4, 1, 0, 0, 0, 0, time.UTC)) || tr.Class != "own_trace" {
			t.Fatalf("trace month: %+v", tr)
		}

		// Thirteen months after the close: A and its SMS lose their personal
		// data; B, under hold, keeps them.
		f.clock.T = t0.AddDate(0, 13, 0).Add(30 * time.Minute)
		if res := f.mustRun(t); res.Purged != 2 || res.Late != 0 {
			t.Fatalf("13 months later: %+v", res)
		}
		if got := f.scalar(t, `SELECT caller_number || '|' || current_customer || '|' || current_ean || '|' || call_reasons FROM interactions WHERE id = 'int-a'`); got != "|||outage" {
			t.Errorf("interaction A after the purge: %q", got)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM interaction_points WHERE interaction_id = 'int-a'`); n != "0" {
			t.Errorf("interaction A keeps %s points", n)
		}
		if got := f.scalar(t, `SELECT recipient || '|' || text || '|' || customer_id || '|' || status FROM deliveries WHERE id = 'd-a'`); got != "|||sent" {
			t.Errorf("delivery after the purge: %q", got)
		}
		if got := f.scalar(t, `SELECT caller_number FROM interactions WHERE id = 'int-b'`); got != "+32470000002" {
			t.Errorf("held interaction B lost its data: %q", got)
		}
		if ib := f.ownItem(t, "interaction:int-b"); ib.State != retention.StateKept {
			t.Fatalf("held interaction B: %+v", ib)
		}

		// A second person lifts the hold; the next run purges B.
		hs, _ := db.Holds(ctx, true)
		if err := f.svc.RequestLift(ctx, "po-1", hs[0].ID, "complaint closed"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ApproveLift(ctx, "po-2", hs[0].ID); err != nil {
			t.Fatal(err)
		}
		if res := f.mustRun(t); res.Purged != 1 {
			t.Fatalf("after the lift: %+v", res)
		}
		if got := f.scalar(t, `SELECT caller_number FROM interactions WHERE id = 'int-b'`); got != "" {
			t.Errorf("interaction B after the lift and purge: %q", got)
		}

		// Trace payloads of March 2026, 24 months after the month's end,
		// under a hold on customer C-Z: C-Z's event keeps its payload, the
		// others lose theirs.
		if _, err := f.svc.PlaceHold(ctx, "po-1", retention.Hold{Scope: retention.ScopeCustomer, Target: "C-Z", Reason: "litigation", Reference: "TRIB-2028-1"}); err != nil {
			t.Fatal(err)
		}
		april := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		before := f.scalar(t, `SELECT COUNT(*) FROM audit_log WHERE time_ns < $1 AND payload IS NOT NULL`, april.UnixNano())
		f.clock.T = time.Date(2028, 4, 1, 0, 30, 0, 0, time.UTC)
		if res := f.mustRun(t); res.Purged != 1 {
			t.Fatalf("24 months after March: %+v", res)
		}
		if after := f.scalar(t, `SELECT COUNT(*) FROM audit_log WHERE time_ns < $1 AND payload IS NOT NULL`, april.UnixNano()); after != "1" || before == "1" {
			t.Fatalf("payloads of March: %s before, %s after; want only the held one left", before, after)
		}
		found, err := f.log.Query(ctx, audit.Query{Customer: "C-Z", After: -1, Limit: 10})
		if err != nil || len(found) == 0 || found[0].Event.Action != "customer.read" || found[0].Erased() || !found[0].Time.Before(april) {
			t.Fatalf("held trace event of March: %v, %v", len(found), err)
		}

		// One evidence event per purged item, of its kind.
		ev := f.evidenceOf(t)
		kinds := map[string]int{}
		for item, ks := range ev {
			if len(ks) != 1 {
				t.Errorf("item %s has %d evidence events", item, len(ks))
			}
			kinds[ks[0]]++
		}
		if kinds["interaction"] != 2 || kinds["delivery"] != 1 || kinds["session"] != 1 || kinds["trace"] != 1 {
			t.Errorf("evidence by kind: %v", kinds)
		}
		if _, err := f.log.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.VerifyStore(ctx, sqlstore.NewAuditStore(db), f.verifier, nil); err != nil {
			t.Fatalf("the audit log no longer verifies: %v", err)
		}
	})
}

// The durations of own records are configuration: a file that keeps
// sessions 7 days and maps deliveries to a class of its own is what the
// enrolment follows.
func TestOwnClassesFromConfig(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/classes.json"
	const conf = `{"default": "default",
	 "classes": [
	  {"name": "default", "months": 1, "legal_basis": "R2"},
	  {"name": "short_session", "days": 7, "legal_basis": "security log of sign-ins, one week"},
	  {"name": "long_records", "months": 25, "legal_basis": "complaints, two years and a month"}],
	 "own": {"interaction": "long_records", "delivery": "long_records", "session": "short_session", "trace": "long_records"}}`
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := retention.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	db := sqltest.MustOpenSQLite(t)
	f := mustOwnFixture(t, db)
	f.purger.Own.(*retention.Own).Config = cfg
	t0 := f.clock.T
	f.clock.T = t0.Add(24 * time.Hour)
	if res := f.mustRun(t); res.Enrolled != 4 {
		t.Fatalf("%+v", res)
	}
	if s := f.ownItem(t, "session:"+strings.Repeat("ab", 32)); s.Class != "short_session" || !s.Due.Equal(t0.Add(12*time.Hour).AddDate(0, 0, 7)) {
		t.Fatalf("session: %+v", s)
	}
	if d := f.ownItem(t, "delivery:d-a"); d.Class != "long_records" || !d.Due.Equal(t0.AddDate(0, 25, 0)) {
		t.Fatalf("delivery: %+v", d)
	}
	f.clock.T = t0.Add(12*time.Hour).AddDate(0, 0, 7).Add(time.Minute)
	if res := f.mustRun(t); res.Purged != 1 {
		t.Fatalf("a week after the session expired: %+v", res)
	}
}

// A purge killed after an own record's evidence event but before its
// erasure (the item left in "deleting") finishes the erasure at the next
// run, without a second evidence event.
func TestOwnRecordErasureResumes(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustOwnFixture(t, db)
		f.clock.T = f.clock.T.Add(24 * time.Hour)
		if res := f.mustRun(t); res.Enrolled != 4 {
			t.Fatalf("%+v", res)
		}
		s := f.ownItem(t, "session:"+strings.Repeat("ab", 32))
		f.clock.T = s.Due.Add(time.Minute)
		// What a run killed between its two steps leaves: the evidence
		// event and the move to deleting, committed together; no erasure.
		ev := audit.Event{Actor: retention.PurgeActor, Action: retention.ActionPurge, Data: []string{"item:" + s.ID, "kind:session"}}
		if _, err := f.log.AppendThen(ctx, ev, func(ctx context.Context, idx uint64) error {
			return db.MarkDeleting(ctx, s.ID, int64(idx), f.clock.T)
		}); err != nil {
			t.Fatal(err)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM staff_sessions`); n != "1" {
			t.Fatalf("%s sessions before the resumed run", n)
		}
		if res := f.mustRun(t); res.Resumed != 1 || res.Purged != 0 {
			t.Fatalf("resumed run: %+v", res)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM staff_sessions`); n != "0" {
			t.Fatalf("%s sessions after the resumed run", n)
		}
		if ev := f.evidenceOf(t); len(ev[s.ID]) != 1 {
			t.Fatalf("evidence events of the session: %d", len(ev[s.ID]))
		}
		if it, _ := db.RetentionItem(ctx, s.ID); it.State != retention.StatePurged {
			t.Fatalf("session item: %+v", it)
		}
	})
}
