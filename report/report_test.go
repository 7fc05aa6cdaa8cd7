package report_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/policy"
	"github.com/coupole/coupole/report"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
	"golang.org/x/mod/sumdb/note"
)

// world is a database with a year of interactions made through the real
// interaction service and audit log, and what the test counted itself from
// the service's answers: the independent count every figure is checked
// against.
type world struct {
	db       *sqlstore.DB
	store    *sqlstore.AuditStore
	log      *audit.Log
	clock    *coupole.FixedClock
	signer   note.Signer
	verifier note.Verifier
	want     map[string]int64 // figures of 2026, counted by the test
}

func MustKeys(tb testing.TB) (note.Signer, note.Verifier) {
	tb.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "test.coupole/audit")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return s, v
}

var channels = []string{"phone", "email", "chat", "letter"}

// MustSeedYear drives n interactions in 2026 and two outside it (December
// 2025, January 2027), through the interaction service with the real log.
func MustSeedYear(tb testing.TB, db *sqlstore.DB, n int) *world {
	tb.Helper()
	ctx := context.Background()
	storetest.MustLoad(tb, db, storetest.Fixture())
	start := time.Date(2025, 12, 31, 10, 0, 0, 0, time.UTC)
	for _, id := range []string{"s-adv", "s-lead"} {
		if err := db.CreateStaff(ctx, coupole.Staff{ID: id, Kind: coupole.StaffOIDC, Login: id, Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: start}); err != nil {
			tb.Fatal(err)
		}
	}
	pol, err := policy.OpenDisclosure("")
	if err != nil {
		tb.Fatal(err)
	}
	w := &world{db: db, store: sqlstore.NewAuditStore(db), clock: &coupole.FixedClock{T: start}, want: map[string]int64{}}
	w.signer, w.verifier = MustKeys(tb)
	w.log, err = audit.Open(ctx, w.store, audit.Options{Clock: w.clock, Signer: w.signer, CheckpointEvery: time.Hour})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { w.log.Close() })
	s := &interaction.Service{Grid: db, Store: db, Policy: pol, Audit: w.log, Clock: w.clock}
	adv := interaction.Actor{StaffID: "s-adv", Client: "10.0.0.1"}

	// Days: one in 2025, n in 2026, one in 2027; only 2026 is counted.
	days := []time.Time{start}
	for i := range n {
		days = append(days, time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, i*360/n))
	}
	days = append(days, time.Date(2027, 1, 2, 9, 0, 0, 0, time.UTC))
	for i, day := range days {
		counted := day.Year() == 2026
		count := func(key string) {
			if counted {
				w.want[key]++
			}
		}
		w.clock.T = day
		ch := channels[i%len(channels)]
		v, err := s.Open(ctx, adv, interaction.OpenRequest{Channel: ch, Requester: "customer"})
		if err != nil {
			tb.Fatal(err)
		}
		count("interactions.opened")
		count("interactions.channel." + ch)
		count("interactions.requester.customer")
		id := v.ID
		w.clock.T = w.clock.T.Add(time.Minute)
		res, err := s.Identify(ctx, adv, id, interaction.IdentifyRequest{EAN: string(storetest.EANElecNamur)})
		if err != nil {
			tb.Fatal(err)
		}
		ref := ""
		for _, c := range res.Candidates {
			if c.Customer == "G••• D•••" {
				ref = c.Ref
			}
		}
		if _, err := s.Select(ctx, adv, id, ref); err != nil {
			tb.Fatal(err)
		}
		decide := func(item string) {
			d, err := s.Decide(ctx, adv, id, interaction.DecideRequest{Item: item})
			if err != nil {
				tb.Fatal(err)
			}
			count("decisions.total")
			count("decisions.outcome." + d.Outcome)
			count("decisions.item." + item)
			count("decisions.requester.customer")
			if d.Outcome == "refuse" {
				count("refusals.total")
				count("refusals.reason." + d.Reason)
			}
		}
		if i%3 == 0 { // asked before verification: refused (D1)
			decide("ean")
		}
		if i%4 == 1 { // a wrong meter number first
			vr, err := s.Verify(ctx, adv, id, interaction.VerifyRequest{MeterNumber: "0000001"})
			if err != nil || vr.Verified {
				tb.Fatalf("wrong meter: %+v, %v", vr, err)
			}
			count("verifications.outcome.failed")
		}
		vr, err := s.Verify(ctx, adv, id, interaction.VerifyRequest{MeterNumber: "9876543a-01"})
		if err != nil || !vr.Verified {
			tb.Fatalf("verify: %+v, %v", vr, err)
		}
		count("verifications.outcome.verified")
		decide("ean")
		if i%2 == 0 {
			decide("supplier")
		}
		if i%2 == 1 {
			del, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: fmt.Sprintf("k%d", i)})
			if err != nil {
				tb.Fatal(err)
			}
			count("disclosures.route." + del.Kind)
			count("disclosures.item.ean")
		}
		reasons := []string{"ean_request"}
		if i%5 == 0 {
			reasons = append(reasons, "invoice")
		}
		if _, err := s.Close(ctx, adv, id, interaction.CloseRequest{CallReasons: reasons}); err != nil {
			tb.Fatal(err)
		}
		count("interactions.closed")
		for _, r := range reasons {
			count("interactions.call_reason." + r)
		}
	}
	return w
}

func (w *world) builder() *report.Builder {
	return &report.Builder{Audit: w.store, Signer: w.signer, Verifier: w.verifier, Clock: w.clock, Operator: "Test operator"}
}

// TestYearlyFiguresMatchAnIndependentCount: every trace figure of the
// report equals what the test counted from the service's own answers
// (G4, T1, D5, C4).
func TestYearlyFiguresMatchAnIndependentCount(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := MustSeedYear(t, db, 12)
		w.clock.T = time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
		b := w.builder()
		b.Sources = []coupole.FigureSource{db.RecordFigures()}
		doc, err := b.Yearly(ctx, 2026, "fr")
		if err != nil {
			t.Fatal(err)
		}
		if w.want["disclosures.route.sms"]+w.want["disclosures.route.letter"] == 0 {
			t.Fatal("test setup: nothing sent")
		}
		// The deliveries table agrees with the trace and the test.
		for _, k := range []string{"sms", "letter"} {
			f, _ := doc.Figure("records.deliveries.kind." + k)
			if f.Value != w.want["disclosures.route."+k] {
				t.Errorf("records.deliveries.kind.%s = %d, counted %d", k, f.Value, w.want["disclosures.route."+k])
			}
		}
		for key, want := range w.want {
			f, ok := doc.Figure(key)
			if !ok || f.Value != want {
				t.Errorf("figure %s = %d (present %v), counted %d", key, f.Value, ok, want)
			}
		}
		// And no figure counts what the test did not do.
		for _, f := range doc.Evidence.Figures {
			for _, p := range []string{"interactions.channel.", "decisions.outcome.", "refusals.reason.", "disclosures.route.", "interactions.call_reason."} {
				if strings.HasPrefix(f.Key, p) && f.Value != w.want[f.Key] {
					t.Errorf("figure %s = %d, counted %d", f.Key, f.Value, w.want[f.Key])
				}
			}
			if f.Requirement == "" || f.Query == "" {
				t.Errorf("figure %s names no requirement or query", f.Key)
			}
		}
		if f, _ := doc.Figure("audit.verified"); f.Value != 1 {
			t.Errorf("audit.verified = %d: %s", f.Value, doc.Evidence.Verification)
		}
		// The year-end checkpoint covers exactly the events before 2027.
		var before2027 int64
		size, err := w.store.Size(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = w.store.Entries(ctx, 0, size, func(e audit.Entry) error {
			if e.Time.Year() < 2027 {
				before2027++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := doc.Figure("audit.log_size"); f.Value != before2027 {
			t.Errorf("audit.log_size = %d, events before 2027 = %d", f.Value, before2027)
		}
		if !strings.Contains(doc.Evidence.Checkpoint, fmt.Sprintf("\n%d\n", before2027)) {
			t.Errorf("year-end checkpoint does not have size %d:\n%s", before2027, doc.Evidence.Checkpoint)
		}
		if got := strings.Join(doc.Evidence.Missing, ","); got != "governance,retention,oversight" {
			t.Errorf("missing sources = %q", got)
		}
	})
}

// fixedSource is a FigureSource of the other parts, as they will plug in.
type fixedSource []coupole.Figure

func (f fixedSource) Figures(context.Context, time.Time, time.Time) ([]coupole.Figure, error) {
	return f, nil
}

// TestMissingSourcesAreSaidNotInvented: a chapter without its source says
// so in every format; with it, its figures appear (G4).
func TestMissingSourcesAreSaidNotInvented(t *testing.T) {
	ctx := context.Background()
	w := MustSeedYear(t, sqltest.MustOpenSQLite(t), 2)
	b := w.builder()
	doc, err := b.Yearly(ctx, 2026, "fr")
	if err != nil {
		t.Fatal(err)
	}
	md, err := doc.Render("md")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{"governance", "retention", "oversight"} {
		if !bytes.Contains(md, []byte("la source « "+src+" » n'est pas encore branchée")) {
			t.Errorf("markdown does not say %s is not available", src)
		}
	}
	b.Sources = []coupole.FigureSource{fixedSource{{Key: "governance.joiners", Requirement: "S4", Query: "staff created in the period", Value: 7, Unit: "count"}}}
	doc, err = b.Yearly(ctx, 2026, "en")
	if err != nil {
		t.Fatal(err)
	}
	html, _ := doc.Render("html")
	if bytes.Contains(html, []byte(`source "governance"`)) || !bytes.Contains(html, []byte(`data-key="governance.joiners">7<`)) {
		t.Errorf("governance figures not shown")
	}
	if !bytes.Contains(html, []byte(`source &#34;retention&#34;`)) {
		t.Errorf("retention still missing is not said")
	}
	b.Sources = []coupole.FigureSource{fixedSource{{Key: "governance.joiners", Value: 7}}}
	if _, err := b.Yearly(ctx, 2026, "en"); coupole.ErrorCode(err) != coupole.EINTERNAL {
		t.Errorf("a figure without requirement nor query was accepted: %v", err)
	}
}

// T2: a payload changed in the database after it was logged is caught by
// the report's own verification, which states FAILED and audit.verified
// 0; the figures are still counted.
func TestYearlyReportSaysWhenTheLogDoesNotVerify(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := MustSeedYear(t, db, 4)
		w.clock.T = time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
		// Still a canonical payload, another action: only
		// its commitment tells.
		var idx int64
		var p []byte
		err := db.Reader().QueryRowContext(ctx, `SELECT idx, payload FROM audit_log WHERE payload IS NOT NULL ORDER BY idx LIMIT 1 OFFSET 5`).Scan(&idx, &p)
		if err != nil {
			t.Fatal(err)
		}
		changed := bytes.Replace(p, []byte(`"action":"`), []byte(`"action":"X`), 1)
		if bytes.Equal(changed, p) {
			t.Fatalf("payload %d has no action", idx)
		}
		if _, err := db.Writer().ExecContext(ctx, `UPDATE audit_log SET payload = $1 WHERE idx = $2`, changed, idx); err != nil {
			t.Fatal(err)
		}
		doc, err := w.builder().Yearly(ctx, 2026, "fr")
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := doc.Figure("audit.verified"); f.Value != 0 || !strings.HasPrefix(doc.Evidence.Verification, "FAILED: ") {
			t.Errorf("audit.verified = %d: %s", f.Value, doc.Evidence.Verification)
		}
		if f, _ := doc.Figure("interactions.opened"); f.Value == 0 {
			t.Error("nothing counted")
		}
	})
}
