package register_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/register"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

func MustService(tb testing.TB, db *sqlstore.DB) (*register.Service, *coupole.FixedClock) {
	tb.Helper()
	clock := &coupole.FixedClock{T: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}
	return &register.Service{Store: db, Clock: clock}, clock
}

func processing() register.Change {
	return register.Change{Title: "Contact center", ReviewDue: "2026-12-31", Fields: map[string]string{
		"controller": "Grid operator", "purposes": "answer customers (D1)", "data_subjects": "grid users", "data_categories": "name, EAN, consumption",
		"recipients": "the customer", "retention": "see R2", "security_measures": "need-to-know, trace"}}
}

// TestRegisterVersionsAndHistory: G1–G3 — create, change, conflict, delete;
// every version kept with who and when (issue 14, item 1).
func TestRegisterVersionsAndHistory(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, clock := MustService(t, db)
		e, err := s.Save(ctx, "s-po", register.Processing, processing())
		if err != nil || e.Version != 1 || !strings.HasPrefix(e.ID, "PRO-") {
			t.Fatalf("create: %+v, %v", e, err)
		}
		clock.T = clock.T.Add(time.Hour)
		c := processing()
		c.ID, c.Version, c.Fields["retention"] = e.ID, 1, "one month (R2)"
		e2, err := s.Save(ctx, "s-po2", register.Processing, c)
		if err != nil || e2.Version != 2 {
			t.Fatalf("update: %+v, %v", e2, err)
		}
		// A change made from version 1 again: refused, nothing written.
		if _, err := s.Save(ctx, "s-po", register.Processing, c); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("stale update: %v", err)
		}
		// The store refuses a second version 2 even without the service.
		e2.ChangedBy = "intruder"
		if err := db.AddRegisterVersion(ctx, e2); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("duplicate version: %v", err)
		}
		h, err := s.History(ctx, register.Processing, e.ID)
		if err != nil || len(h) != 2 || h[0].Fields["retention"] != "see R2" || h[1].Fields["retention"] != "one month (R2)" ||
			h[1].ChangedBy != "s-po2" || !h[1].ChangedAt.Equal(clock.T) {
			t.Fatalf("history: %+v, %v", h, err)
		}
		if _, err := s.Delete(ctx, "s-po", register.Processing, e.ID, 2); err != nil {
			t.Fatal(err)
		}
		if ls, _ := s.List(ctx, register.Processing); len(ls) != 0 {
			t.Errorf("deleted entry listed: %+v", ls)
		}
		if h, _ := s.History(ctx, register.Processing, e.ID); len(h) != 3 || !h[2].Deleted {
			t.Errorf("history after delete: %+v", h)
		}
	})
}

// TestRegisterValidation: bad input names every problem and writes nothing.
func TestRegisterValidation(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	s, _ := MustService(t, db)
	tests := []struct {
		kind register.Kind
		c    register.Change
		want []string
	}{
		{register.Processing, register.Change{Fields: map[string]string{}}, []string{"title: required", "purposes: required"}},
		{register.Processing, register.Change{Title: "x", ReviewDue: "31/12/2026", Fields: processing().Fields}, []string{"review_due"}},
		{register.Finding, register.Change{Title: "f", Fields: map[string]string{"assessment": "ASS-x", "severity": "huge", "owner": "it", "due": "tomorrow", "status": "open"}}, []string{"severity", "due"}},
		{register.DPIA, register.Change{Title: "d", Fields: map[string]string{"processing": "PRO-none", "description": "d", "risks": "r", "measures": "m", "access_assessment": "a", "outcome": "acceptable"}}, []string{"no processing entry"}},
		{register.Subprocessor, register.Change{Title: "s", Fields: map[string]string{"service": "x", "country": "BE", "colour": "blue"}}, []string{"colour: not a field"}},
	}
	for _, tt := range tests {
		_, err := s.Save(ctx, "s-po", tt.kind, tt.c)
		for _, w := range tt.want {
			if coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(err.Error(), w) {
				t.Errorf("%s %+v: %v, want %q", tt.kind, tt.c, err, w)
			}
		}
	}
	for _, k := range register.Kinds {
		if ls, _ := s.List(ctx, k); len(ls) != 0 {
			t.Errorf("%s: invalid input was stored: %+v", k, ls)
		}
	}
}

// TestStatusRemindersExportAndFigures: overdue reviews and findings,
// art. 28 checklist, CSV and JSON export, report figures (G1–G3).
func TestStatusRemindersExportAndFigures(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	s, clock := MustService(t, db)
	p := processing()
	p.ReviewDue = "2026-05-01" // overdue on 2026-06-01
	p.Fields["purposes"] = "=HYPERLINK(\"x\")"
	if _, err := s.Save(ctx, "s-po", register.Processing, p); err != nil {
		t.Fatal(err)
	}
	sp, err := s.Save(ctx, "s-po", register.Subprocessor, register.Change{Title: "Cloud telephony", Fields: map[string]string{
		"service": "contact center platform", "country": "US", "duration": "3 years", "scope": "calls", "purpose": "telephony",
		"documented_instructions": "yes", "further_subprocessors_authorised": "yes", "proof_of_compliance": "yes", "breach_notification": "yes",
		"dpa_signed": "yes", "outside_eu": "yes", "standard_contractual_clauses": "no"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := register.MissingClauses(sp); len(got) != 1 || got[0] != "standard_contractual_clauses" {
		t.Errorf("missing clauses = %v", got)
	}
	as, err := s.Save(ctx, "s-po", register.Assessment, register.Change{Title: "Pentest 2026", Fields: map[string]string{"type": "pentest", "subprocessor": sp.ID, "performed_on": "2026-03-01", "summary": "two findings"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ due, status string }{{"2026-05-15", "open"}, {"2026-09-01", "open"}, {"2026-04-01", "remediated"}} {
		if _, err := s.Save(ctx, "s-po", register.Finding, register.Change{Title: "finding " + f.due, Fields: map[string]string{"assessment": as.ID, "severity": "high", "owner": "IT", "due": f.due, "status": f.status}}); err != nil {
			t.Fatal(err)
		}
	}
	rem, err := s.Reminders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range rem {
		got[string(r.Kind)+":"+r.Status]++
	}
	want := map[string]int{"processing:review_overdue": 1, "subprocessor:incomplete": 1, "finding:overdue": 1}
	if len(got) != len(want) {
		t.Errorf("reminders = %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("reminders = %v, want %v", got, want)
		}
	}

	var b bytes.Buffer
	if err := s.ExportCSV(ctx, register.Processing, &b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "id" || rows[1][3] != "review_overdue" || !strings.HasPrefix(rows[1][6], "'=") {
		t.Errorf("csv = %q, %v", rows, err)
	}
	b.Reset()
	if err := s.ExportJSON(ctx, register.Finding, true, &b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Register string
		Entries  []struct {
			Status  string
			History []register.Entry
		}
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || doc.Register != "finding" || len(doc.Entries) != 3 || len(doc.Entries[0].History) != 1 {
		t.Errorf("json = %s, %v", b.String(), err)
	}

	figs, err := s.Figures(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]int64{}
	for _, f := range figs {
		vals[f.Key] = f.Value
		if f.Requirement == "" || f.Query == "" {
			t.Errorf("figure %s without requirement or query", f.Key)
		}
	}
	for k, v := range map[string]int64{"registers.processing.entries": 1, "registers.processing.review_overdue": 1, "registers.subprocessor.incomplete": 1,
		"registers.finding.entries": 3, "registers.finding.open": 2, "registers.finding.overdue": 1, "registers.dpia.entries": 0} {
		if vals[k] != v {
			t.Errorf("%s = %d, want %d", k, vals[k], v)
		}
	}
	_ = clock
}
