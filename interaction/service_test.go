package interaction_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit/audittest"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/policy"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

var now = time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)

func mustService(tb testing.TB, db *sqlstore.DB) (*interaction.Service, *audittest.Recorder) {
	tb.Helper()
	ctx := context.Background()
	storetest.MustLoad(tb, db, storetest.Fixture())
	for _, id := range []string{"s-adv", "s-other", "s-cpas"} {
		if err := db.CreateStaff(ctx, coupole.Staff{ID: id, Kind: coupole.StaffOIDC, Login: id, Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: now}); err != nil {
			tb.Fatal(err)
		}
	}
	pol, err := policy.OpenDisclosure("")
	if err != nil {
		tb.Fatal(err)
	}
	tr := &audittest.Recorder{}
	return &interaction.Service{Grid: db, Store: db, Policy: pol, Audit: tr, Clock: &coupole.FixedClock{T: now}}, tr
}

var adv = interaction.Actor{StaffID: "s-adv", Client: "127.0.0.1"}

func mustOpen(tb testing.TB, s *interaction.Service, a interaction.Actor, r interaction.OpenRequest) string {
	tb.Helper()
	v, err := s.Open(context.Background(), a, r)
	if err != nil {
		tb.Fatal(err)
	}
	return v.ID
}

// refFor identifies by EAN and returns the ref of the candidate for customer.
func refFor(tb testing.TB, s *interaction.Service, id string, ean coupole.EAN, maskedName string) string {
	tb.Helper()
	res, err := s.Identify(context.Background(), adv, id, interaction.IdentifyRequest{EAN: string(ean)})
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range res.Candidates {
		if c.Customer == maskedName {
			return c.Ref
		}
	}
	tb.Fatalf("no candidate %s among %+v", maskedName, res.Candidates)
	return ""
}

// TestAdvisorFlow walks identify → verify → decide → execute → close on both
// engines (D1, D4, C2, C4, T1).
func TestAdvisorFlow(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s, tr := mustService(t, db)
		id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer", CallerNumber: "+32499000000"})

		res, err := s.Identify(ctx, adv, id, interaction.IdentifyRequest{Name: "gerard dupont"})
		if err != nil || len(res.Candidates) == 0 {
			t.Fatalf("identify by name: %+v, %v", res, err)
		}
		for _, c := range res.Candidates {
			if strings.Contains(c.Customer, "Dupont") || strings.Contains(c.EAN, string(storetest.EANElecNamur)[4:14]) || strings.Contains(c.Address, "12") {
				t.Errorf("candidate not masked: %+v", c)
			}
		}
		ref := refFor(t, s, id, storetest.EANElecNamur, "G••• D•••")

		// Before verification: refused, not_verified (D1).
		d, err := s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "ean"})
		if err != nil || d.Outcome != "refuse" || d.Facts.Occupancy != "none" {
			t.Fatalf("decide before choosing: %+v, %v", d, err)
		}
		if _, err := s.Select(ctx, adv, id, ref); err != nil {
			t.Fatal(err)
		}
		if d, err = s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "ean"}); err != nil || d.Outcome != "refuse" || d.Reason != "not_verified" {
			t.Fatalf("before verification: %+v, %v", d, err)
		}
		v, err := s.Verify(ctx, adv, id, interaction.VerifyRequest{MeterNumber: "0012345"}) // the former meter
		if err != nil || v.Verified || v.AttemptsLeft != 2 {
			t.Fatalf("old meter accepted: %+v, %v", v, err)
		}
		if v, err = s.Verify(ctx, adv, id, interaction.VerifyRequest{MeterNumber: "9876543a-01"}); err != nil || !v.Verified {
			t.Fatalf("right meter refused: %+v, %v", v, err)
		}
		d, err = s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "ean"})
		if err != nil || d.Outcome != "sms" || !d.Facts.RegisteredMobile || d.Facts.Occupancy != "current" {
			t.Fatalf("ean: %+v, %v", d, err)
		}
		// Where the SMS would go, masked, before anything is sent (issue 7).
		if d.Destination != "04•• •• •• 56" {
			t.Errorf("SMS destination before sending = %q, want 04•• •• •• 56", d.Destination)
		}
		ev := tr.Last()
		if ev.Action != "interaction.decide" || ev.Decision == nil || ev.Decision.Outcome != "sms" || ev.Decision.PolicySet == "" || !slices.Contains(ev.AccessPoints, string(storetest.EANElecNamur)) {
			t.Errorf("decision trace: %+v", ev)
		}

		del, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: "k1"})
		if err != nil || del.Kind != "sms" || del.Recipient != "+32 ••• •• •• 56" || del.Replayed {
			t.Fatalf("execute: %+v, %v", del, err)
		}
		again, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: "k1"})
		if err != nil || again.ID != del.ID || !again.Replayed {
			t.Fatalf("replay: %+v, %v", again, err)
		}
		if _, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "supplier", IdempotencyKey: "k1"}); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("reused key for another request: %v", err)
		}
		ds, _ := db.Deliveries(ctx, id)
		if len(ds) != 1 || ds[0].Recipient != "+32470123456" {
			t.Errorf("deliveries = %+v", ds)
		}

		// The supplier goes by letter, to the installation address, masked (D2).
		if d, err = s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "supplier"}); err != nil || d.Outcome != "letter" ||
			d.Destination != "Rue de l'Église ••, 5000 Namur" {
			t.Errorf("supplier: %+v, %v; want a letter to the masked installation address", d, err)
		}

		// Consumption history, annual regime: told, scoped (D1, D8).
		d, err = s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "consumption_history"})
		if err != nil || d.Outcome != "oral" || d.Disclosure == nil {
			t.Fatalf("history: %+v, %v", d, err)
		}
		for _, r := range d.Disclosure.Readings {
			if r.Date < "2021-05-02" {
				t.Errorf("reading %s older than three years", r.Date)
			}
		}
		if len(d.Disclosure.Readings) == 0 || d.Disclosure.Periods[0].From != "2021-05-02" {
			t.Errorf("disclosure = %+v", d.Disclosure)
		}

		// Close needs a reason (C4); an emergency is flagged.
		if _, err := s.Close(ctx, adv, id, interaction.CloseRequest{}); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("close without reason: %v", err)
		}
		cv, err := s.Close(ctx, adv, id, interaction.CloseRequest{CallReasons: []string{"ean_request", "emergency_gas_odour"}})
		if err != nil || cv.Status != "closed" || !cv.CallReasons[1].LegalRetention {
			t.Fatalf("close: %+v, %v", cv, err)
		}
		if _, err := s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "ean"}); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("decide on a closed interaction: %v", err)
		}
		want := []string{"interaction.open", "interaction.identify", "interaction.identify", "interaction.decide",
			"interaction.select", // the choice is traced with its point (issue 10, item 5)
			"interaction.read", "interaction.decide",
			"interaction.verify", "interaction.verify", "interaction.decide", "interaction.deliver", "interaction.decide", "interaction.decide", "interaction.close",
			"interaction.refused"} // the decision asked on the closed interaction (issue 10, item 5)
		if got := tr.Actions(); !slices.Equal(got, want) {
			t.Errorf("trace actions =\n%v\nwant\n%v", got, want)
		}
	})
}

// TestVerificationLock: C2 — the third failure locks the point for the
// interaction and raises an alert; the right number no longer helps.
func TestVerificationLock(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	s, _ := mustService(t, db)
	id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	ref := refFor(t, s, id, storetest.EANElecNamur, "G••• D•••")
	for i, want := range []bool{false, false, true} {
		v, err := s.Verify(ctx, adv, id, interaction.VerifyRequest{Ref: ref, MeterNumber: "111"})
		if err != nil || v.Locked != want {
			t.Fatalf("attempt %d: %+v, %v", i+1, v, err)
		}
	}
	if _, err := s.Verify(ctx, adv, id, interaction.VerifyRequest{MeterNumber: "9876543A"}); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
		t.Errorf("verify after lock: %v", err)
	}
	as, err := s.Alerts(ctx, interaction.Actor{StaffID: "s-other"})
	if err != nil || len(as) != 1 || as[0].InteractionID != id || strings.Contains(as[0].EAN, string(storetest.EANElecNamur)) {
		t.Errorf("alerts = %+v, %v", as, err)
	}
}

// TestTraceFirst: T1 — when the audit log cannot be written, nothing is
// served and nothing is created.
func TestTraceFirst(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	s, tr := mustService(t, db)
	id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	ref := refFor(t, s, id, storetest.EANElecNamur, "G••• D•••")
	if _, err := s.Verify(ctx, adv, id, interaction.VerifyRequest{Ref: ref, MeterNumber: "9876543A"}); err != nil {
		t.Fatal(err)
	}
	tr.SetFail(true)
	check := func(what string, v any, err error) {
		t.Helper()
		if coupole.ErrorCode(err) != coupole.EUNAVAILABLE {
			t.Errorf("%s with a failing audit log: %+v, %v", what, v, err)
		}
	}
	r1, err := s.Identify(ctx, adv, id, interaction.IdentifyRequest{EAN: string(storetest.EANElecNamur)})
	check("identify", r1, err)
	r2, err := s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "consumption_history"})
	check("decide", r2, err)
	r3, err := s.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: "k"})
	check("execute", r3, err)
	r4, err := s.Get(ctx, adv, id)
	check("get", r4, err)
	r5, err := s.Open(ctx, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	check("open", r5, err)
	r6, err := s.SubmitReading(ctx, adv, id, interaction.ReadingRequest{DayKWh: 17500, NightKWh: 7300})
	check("reading", r6, err)
	if ds, _ := db.Deliveries(ctx, id); len(ds) != 0 {
		t.Errorf("a delivery exists without its trace: %+v", ds)
	}
	if ins, _ := db.OpenInteractions(ctx, "s-adv"); len(ins) != 1 {
		t.Errorf("open interactions = %d, want 1 (the failed open created one)", len(ins))
	}
}

// TestNeedToKnowFacts: C1 — only verified points of one's own open
// interactions count, and another advisor's interaction is not found.
func TestNeedToKnowFacts(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	s, _ := mustService(t, db)
	id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	ref := refFor(t, s, id, storetest.EANElecNamur, "G••• D•••")
	if _, err := s.Select(ctx, adv, id, ref); err != nil {
		t.Fatal(err)
	}
	hs, _ := s.HandledInteractions(ctx, "s-adv")
	if len(hs) != 1 || len(hs[0].EANs) != 0 {
		t.Errorf("before verification: %+v", hs)
	}
	s.Verify(ctx, adv, id, interaction.VerifyRequest{MeterNumber: "9876543A"})
	hs, _ = s.HandledInteractions(ctx, "s-adv")
	if len(hs) != 1 || !slices.Equal(hs[0].CustomerIDs, []string{"C-1"}) {
		t.Errorf("after verification: %+v", hs)
	}
	if _, err := s.Get(ctx, interaction.Actor{StaffID: "s-other"}, id); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Errorf("another advisor reads the interaction: %v", err)
	}
}

// TestMandatesAndCPAS: D1, D6 — a mandatary's mandate is found by name and
// checked on the date; a CPAS on its line reaches its beneficiary without a
// meter number, and gets nothing for a customer it holds no mandate for.
func TestMandatesAndCPAS(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	s, _ := mustService(t, db)

	id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "mandatary", MandataryName: "marie  DUPONT"})
	ref := refFor(t, s, id, storetest.EANElecNamur, "G••• D•••")
	s.Verify(ctx, adv, id, interaction.VerifyRequest{Ref: ref, MeterNumber: "9876543A"})
	d, err := s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "case_status"})
	if err != nil || d.Facts.Mandate != "expired" || d.Reason != "mandate_invalid" {
		t.Errorf("expired mandate (2023): %+v, %v", d, err)
	}

	cp := interaction.Actor{StaffID: "s-adv"}
	v, err := s.OpenCPASLine(ctx, cp, interaction.CPASOpenRequest{CPASID: "CPAS-NAMUR"})
	if err != nil || v.Channel != "cpas_line" || v.CPAS != "CPAS de Namur" {
		t.Fatalf("cpas line: %+v, %v", v, err)
	}
	ref = refFor(t, s, v.ID, storetest.EANGasNamur, "É••• V•••")
	if _, err := s.Select(ctx, cp, v.ID, ref); err != nil {
		t.Fatal(err)
	}
	d, err = s.Decide(ctx, cp, v.ID, interaction.DecideRequest{Item: "supplier"})
	if err != nil || d.Outcome != "oral" || d.Facts.Mandate != "valid" || len(d.Disclosure.Suppliers) != 1 || d.Disclosure.Suppliers[0].Supplier != "Énergie Alpha" {
		t.Errorf("cpas supplier: %+v %+v, %v", d, d.Disclosure, err)
	}
	if _, err := s.OpenCPASLine(ctx, cp, interaction.CPASOpenRequest{CPASID: "CPAS-NOWHERE"}); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("unknown CPAS: %v", err)
	}
	if _, err := s.Open(ctx, adv, interaction.OpenRequest{Channel: "cpas_line", Requester: "cpas"}); coupole.ErrorCode(err) != coupole.EINVALID {
		t.Errorf("cpas_line through the general route: %v", err)
	}
}

// TestReadingIntake: C3 — checked against earlier readings, stored with
// source contact_center.
func TestReadingIntake(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	s, tr := mustService(t, db)
	id := mustOpen(t, s, adv, interaction.OpenRequest{Channel: "phone", Requester: "customer"})
	ref := refFor(t, s, id, storetest.EANElecNamur, "G••• D•••")
	if _, err := s.SubmitReading(ctx, adv, id, interaction.ReadingRequest{DayKWh: 17500, NightKWh: 7300}); err == nil {
		t.Error("index taken before verification")
	}
	s.Verify(ctx, adv, id, interaction.VerifyRequest{Ref: ref, MeterNumber: "9876543A"})
	for _, bad := range []interaction.ReadingRequest{
		{DayKWh: 16000, NightKWh: 7300},  // decrease since 2024-01-10
		{DayKWh: 117000, NightKWh: 7300}, // 1,000,000 kWh in 113 days
		{GasM3: 3},                       // wrong register
		{DayKWh: 17500, NightKWh: 7300, Date: "2024-05-03"},
	} {
		if _, err := s.SubmitReading(ctx, adv, id, bad); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	res, err := s.SubmitReading(ctx, adv, id, interaction.ReadingRequest{DayKWh: 17500, NightKWh: 7300})
	if err != nil || res.Previous != "2024-01-10" {
		t.Fatalf("good index: %+v, %v", res, err)
	}
	rs, _ := db.Readings(ctx, storetest.EANElecNamur, now.AddDate(0, 0, -1), now.AddDate(0, 0, 1))
	if len(rs) != 1 || rs[0].Source != coupole.SourceContactCenter {
		t.Errorf("stored = %+v", rs)
	}
	if tr.Last().Action != "interaction.reading" {
		t.Errorf("last trace = %+v", tr.Last())
	}
}

// TestMaskMobile: a Belgian mobile in its national masked form, anything
// else in the international masked form (issue 7).
func TestMaskMobile(t *testing.T) {
	for in, want := range map[string]string{
		"+32470123456":  "04•• •• •• 56",
		"+32499000012":  "04•• •• •• 12",
		"+3281234567":   "+32 ••• •• •• 67", // a Belgian land line: no national mobile form
		"+33612345678":  "+33 ••• •• •• 78",
		"+352621123456": "+35 ••• •• •• 56",
	} {
		if got := interaction.MaskMobile(in); got != want {
			t.Errorf("MaskMobile(%s) = %q, want %q", in[:3]+"…", got, want)
		}
	}
}
