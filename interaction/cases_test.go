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

// Two more access points that C-1 (Gérard Dupont) occupies, for requests
// about more than two EANs.
var (
	eanFour = storetest.EAN(4)
	eanFive = storetest.EAN(5)
)

func mustLoadMorePoints(tb testing.TB, db *sqlstore.DB) {
	tb.Helper()
	addr := coupole.Address{Street: "Rue de Fer", Number: "9", Postcode: "5000", Town: "Namur"}
	storetest.MustLoad(tb, db, &coupole.Batch{
		AccessPoints: []coupole.AccessPoint{
			{EAN: eanFour, Energy: coupole.Electricity, Regime: coupole.RegimeAnnual, Address: addr, Meters: []coupole.MeterInstallation{{Number: "M4", From: storetest.Day("2020-01-01")}}},
			{EAN: eanFive, Energy: coupole.Gas, Regime: coupole.RegimeAnnual, Address: addr, Meters: []coupole.MeterInstallation{{Number: "M5", From: storetest.Day("2020-01-01")}}},
		},
		Occupancies: []coupole.Occupancy{
			{CustomerID: "C-1", EAN: eanFour, MoveIn: storetest.Day("2020-09-01")},
			{CustomerID: "C-1", EAN: eanFive, MoveIn: storetest.Day("2020-09-01")},
		},
	})
}

// verifyOn identifies ean, chooses Gérard Dupont and verifies the meter.
func verifyOn(tb testing.TB, s *interaction.Service, id string, ean coupole.EAN, meter string) {
	tb.Helper()
	v, err := s.Verify(context.Background(), adv, id, interaction.VerifyRequest{Ref: refAs(tb, s, adv, id, ean), MeterNumber: meter})
	if err != nil || !v.Verified {
		tb.Fatalf("verify: %+v, %v", v, err)
	}
}

// TestMoreThanTwoEANsOpenACase: D4, issue 11 item 5 — a request about more
// than two EANs becomes a real case in the back office's queue, created
// with its delivery in the event's transaction, about every point asked,
// once whatever the retries; case_status then answers from it.
func TestMoreThanTwoEANsOpenACase(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustService(t, db)
		mustLoadMorePoints(t, db)
		id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
		verifyOn(t, s, id, eanFour, "M4")
		verifyOn(t, s, id, eanFive, "M5")
		verifyOn(t, s, id, storetest.EANElecNamur, rightMeter)

		del, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: "k-many"})
		if err != nil || del.Kind != coupole.DeliveryBackOfficeCase {
			t.Fatalf("execute: %+v, %v", del, err)
		}
		ev := tr.Last()
		cs, err := db.Cases(ctx, coupole.CaseOpen, 0)
		if err != nil || len(cs) != 1 {
			t.Fatalf("open cases = %+v, %v; want one", cs, err)
		}
		c := cs[0]
		want := []coupole.EAN{storetest.EANElecNamur, eanFour, eanFive}
		got := slices.Clone(c.EANs)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || c.CustomerID != "C-1" || c.InteractionID != id || c.Kind != coupole.CaseMultipleEANs || c.Item != "ean" ||
			c.Channel != "phone" || c.OpenedBy != "s-adv" || !c.OpenedAt.Equal(now) {
			t.Errorf("case = %+v", c)
		}
		if ev.Action != "interaction.deliver" || !slices.Contains(ev.Data, "case="+c.ID) || c.AuditIndex != uint64(len(tr.Actions())-1) {
			t.Errorf("the case is not tied to its trace: event %+v, case audit index %d", ev, c.AuditIndex)
		}
		// A retry with the same key opens no second case.
		if again, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: "k-many"}); err != nil || !again.Replayed {
			t.Fatalf("replay: %+v, %v", again, err)
		}
		if all, _ := db.Cases(ctx, "", 0); len(all) != 1 {
			t.Errorf("%d cases after a replay, want 1", len(all))
		}

		// case_status from the real case, through its life (D1).
		tests := []struct {
			change     func()
			wantStatus string
			wantCase   string
		}{
			{func() {}, "open_case", "open"},
			{func() { mustCase(t)(db.TakeCase(ctx, c.ID, "s-bo", now.Add(time.Hour))) }, "open_case", "in_progress"},
			{func() { mustCase(t)(db.CloseCase(ctx, c.ID, "s-bo", now.Add(2*time.Hour))) }, "no_open_case", "closed"},
		}
		for _, tt := range tests {
			tt.change()
			d, err := s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "case_status"})
			if err != nil || d.Outcome != "oral" || d.Disclosure == nil {
				t.Fatalf("case_status: %+v, %v", d, err)
			}
			if d.Disclosure.CaseStatus != tt.wantStatus || len(d.Disclosure.Cases) != 1 || d.Disclosure.Cases[0].Status != tt.wantCase ||
				d.Disclosure.Cases[0].Reference != c.ID || d.Disclosure.Cases[0].OpenedOn != "2024-05-02" {
				t.Errorf("case_status = %q %+v; want %q with one case %q", d.Disclosure.CaseStatus, d.Disclosure.Cases, tt.wantStatus, tt.wantCase)
			}
			if !slices.Contains(tr.Last().Data, "cases=1") {
				t.Errorf("case_status trace = %v, want cases=1", tr.Last().Data)
			}
		}
	})
}

func mustCase(tb testing.TB) func(coupole.Case, error) {
	return func(_ coupole.Case, err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// TestCaseStatusScopedToOccupancy: D1 — case_status tells only the
// customer's own cases about the access point, opened within their
// occupancy; never somebody else's, never the back office's note.
func TestCaseStatusScopedToOccupancy(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, _ := mustService(t, db)
		id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
		other := mustOpen(t, s, interaction.Actor{StaffID: "s-other"}, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
		mk := func(cid, customer string, ean coupole.EAN, at time.Time) {
			err := db.CreateCase(ctx, coupole.Case{ID: cid, InteractionID: other, OpenedBy: "s-other", CustomerID: customer, EANs: []coupole.EAN{ean},
				Kind: coupole.CaseResearch, Channel: "email", Note: "SECRET NOTE", OpenedAt: at})
			if err != nil {
				t.Fatal(err)
			}
		}
		mk("c-mine", "C-1", storetest.EANElecNamur, now.Add(-24*time.Hour))
		mk("c-before-move-in", "C-1", storetest.EANElecNamur, storetest.Day("2020-08-01")) // before C-1 moved in (2020-09-01)
		mk("c-predecessor", "C-2", storetest.EANElecNamur, storetest.Day("2020-05-01"))    // the former occupant's
		mk("c-other-point", "C-1", storetest.EANGasNamur, now.Add(-24*time.Hour))          // another access point
		verifyOn(t, s, id, storetest.EANElecNamur, rightMeter)
		d, err := s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "case_status"})
		if err != nil || d.Disclosure == nil {
			t.Fatalf("case_status: %+v, %v", d, err)
		}
		var refs []string
		for _, c := range d.Disclosure.Cases {
			refs = append(refs, c.Reference)
		}
		if !slices.Equal(refs, []string{"c-mine"}) || d.Disclosure.CaseStatus != "open_case" {
			t.Errorf("case_status cases = %v (%q), want only c-mine", refs, d.Disclosure.CaseStatus)
		}
	})
}

// TestOpenCase: issue 11 item 5 — an advisor opens a research case or a
// CPAS follow-up from their interaction; the note is bounded, valid UTF-8,
// stored for the back office and never traced.
func TestOpenCase(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustService(t, db)
		id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "email", Requester: "customer"})
		if _, err := s.OpenCase(ctx, adv, id, interaction.CaseRequest{Kind: "research"}); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("a case before identification: %v, want ECONFLICT", err)
		}
		verifyOn(t, s, id, storetest.EANElecNamur, rightMeter)
		tests := []struct {
			name string
			req  interaction.CaseRequest
			code string
		}{
			{"unknown kind", interaction.CaseRequest{Kind: "multiple_eans"}, coupole.EINVALID},
			{"invalid UTF-8", interaction.CaseRequest{Kind: "research", Note: "caf\xe9"}, coupole.EINVALID},
			{"control character", interaction.CaseRequest{Kind: "research", Note: "a\x00b"}, coupole.EINVALID},
			{"too long", interaction.CaseRequest{Kind: "research", Note: strings.Repeat("é", interaction.MaxCaseNote+1)}, coupole.EINVALID},
			{"CPAS follow-up from a customer", interaction.CaseRequest{Kind: "cpas_followup"}, coupole.EINVALID},
			{"research", interaction.CaseRequest{Kind: "research", Note: "  Relevé contesté\r\nvoir courrier du 12/03  "}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				v, err := s.OpenCase(ctx, adv, id, tt.req)
				if coupole.ErrorCode(err) != tt.code {
					t.Fatalf("OpenCase = %+v, %v; want code %q", v, err, tt.code)
				}
				if err != nil && strings.Contains(err.Error(), tt.req.Note) && tt.req.Note != "" {
					t.Errorf("the error repeats the note: %v", err)
				}
				if tt.code != "" {
					return
				}
				c, err := db.Case(ctx, v.ID)
				if err != nil || c.Kind != "research" || c.Note != "Relevé contesté\nvoir courrier du 12/03" || c.Channel != "email" ||
					!slices.Equal(c.EANs, []coupole.EAN{storetest.EANElecNamur}) || c.CustomerID != "C-1" || c.Status != coupole.CaseOpen {
					t.Errorf("case = %+v, %v", c, err)
				}
				ev := tr.Last()
				if ev.Action != "interaction.case_opened" || !slices.Contains(ev.Customers, "C-1") || !slices.Contains(ev.Data, "case="+v.ID) {
					t.Errorf("trace = %+v", ev)
				}
				for _, d := range ev.Data {
					if strings.Contains(d, "Relevé") {
						t.Errorf("the note is traced: %v", ev.Data)
					}
				}
			})
		}
		// Somebody else's interaction: not found, and nothing opened.
		if _, err := s.OpenCase(ctx, interaction.Actor{StaffID: "s-other"}, id, interaction.CaseRequest{Kind: "research"}); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("another advisor: %v, want ENOTFOUND", err)
		}
		if all, _ := db.Cases(ctx, "", 0); len(all) != 1 {
			t.Errorf("%d cases, want 1", len(all))
		}
	})
}

// TestCaseWrittenWithItsEvent: on the real audit log, the case and the
// delivery that records it are written in the event's own transaction and
// carry its index.
func TestCaseWrittenWithItsEvent(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, _ := mustService(t, db)
		alog, err := audit.Open(ctx, sqlstore.NewAuditStore(db), audit.Options{Clock: s.Clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { alog.Close() })
		s.Audit = alog
		mustLoadMorePoints(t, db)
		id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "email", Requester: "customer"})
		verifyOn(t, s, id, eanFour, "M4")
		verifyOn(t, s, id, eanFive, "M5")
		verifyOn(t, s, id, storetest.EANElecNamur, rightMeter)
		if _, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: "k"}); err != nil {
			t.Fatal(err)
		}
		ds, _ := db.Deliveries(ctx, id)
		cs, _ := db.Cases(ctx, "", 0)
		if len(ds) != 1 || len(cs) != 1 || cs[0].AuditIndex != ds[0].AuditIndex || cs[0].Channel != "email" {
			t.Errorf("deliveries %+v, cases %+v: want one of each with the same audit index", ds, cs)
		}
	})
}
