package oversight_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/oversight"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// MustAuditLog opens the real audit log of db on clock.
func MustAuditLog(tb testing.TB, db *sqlstore.DB, clock coupole.Clock) (*audit.Log, *audit.Reader) {
	tb.Helper()
	store := sqlstore.NewAuditStore(db)
	alog, err := audit.Open(context.Background(), store, audit.Options{Clock: clock})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { alog.Close() })
	return alog, audit.NewReader(store)
}

func mustActions(tb testing.TB, r *audit.Reader) []string {
	tb.Helper()
	fs, err := r.Query(context.Background(), audit.Query{After: -1, Limit: audit.MaxQueryLimit})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, f.Event.Action)
	}
	return out
}

// TestAlertsFromTheRealTraceAreRaisedOnceAndAcknowledged (T1, issue 16
// item 2; issue 15 item 8): the detector reads the real audit log, raises
// a flagged-customer alert once (a second detector, as after a restart or
// on another node, raises nothing again), traces it; acknowledging needs a
// note, is traced, happens once, and counts in the report's figures.
func TestAlertsFromTheRealTraceAreRaisedOnceAndAcknowledged(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		start := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC) // a Tuesday, 10:00 in Brussels
		clock := &coupole.FixedClock{T: start}
		alog, reader := MustAuditLog(t, db, clock)
		if err := db.SetCustomerProtection(ctx, "c-guarded", coupole.ProtectionProtected); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCustomerProtection(ctx, "c-guarded", "bogus"); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("bogus flag: %v; want invalid", err)
		}
		newDetector := func() *oversight.Detector {
			return &oversight.Detector{Store: db, Trace: reader, Audit: alog, Clock: clock, Config: oversight.DefaultConfig()}
		}
		for _, c := range []string{"c-ordinary", "c-guarded"} {
			if _, err := alog.Append(ctx, audit.Event{Actor: "s-adv", Action: "interaction.select", Interaction: "i-1", Customers: []string{c}}); err != nil {
				t.Fatal(err)
			}
		}
		clock.T = start.Add(30 * time.Second)
		raised, err := newDetector().Step(ctx)
		if err != nil || len(raised) != 1 || raised[0].Kind != coupole.AlertProtectedCustomerViewed || raised[0].StaffID != "s-adv" || raised[0].InteractionID != "i-1" {
			t.Fatalf("Step = %+v, %v; want one protected_customer_viewed alert", raised, err)
		}
		if strings.Contains(raised[0].Reason, "c-guarded") {
			t.Errorf("reason %q names the customer", raised[0].Reason)
		}
		if again, err := newDetector().Step(ctx); err != nil || len(again) != 0 {
			t.Errorf("a second detector raised %+v, %v; want nothing", again, err)
		}
		if got := mustActions(t, reader); got[len(got)-1] != "alert.raise" {
			t.Errorf("trace ends with %v; want alert.raise", got)
		}

		svc := &oversight.Service{Store: db, Audit: alog, Clock: clock}
		lead := interaction.Actor{StaffID: "s-lead", Client: "10.0.0.9"}
		id := raised[0].ID
		if _, err := svc.Acknowledge(ctx, lead, id, oversight.AckRequest{Note: "  "}); coupole.ErrorCode(err) != coupole.EINVALID {
			t.Errorf("empty note: %v; want invalid", err)
		}
		if _, err := svc.Acknowledge(ctx, lead, "al-nope", oversight.AckRequest{Note: "x"}); coupole.ErrorCode(err) != coupole.ENOTFOUND {
			t.Errorf("unknown alert: %v; want not found", err)
		}
		v, err := svc.Acknowledge(ctx, lead, id, oversight.AckRequest{Note: "Called back on 0475 12 34 56: the customer asked for her own file."})
		if err != nil || v.AckedBy != "s-lead" || v.AckedAt == nil || v.AckNote != "Called back on [PHONE]: the customer asked for her own file." {
			t.Fatalf("Acknowledge = %+v, %v", v, err)
		}
		if _, err := svc.Acknowledge(ctx, lead, id, oversight.AckRequest{Note: "twice"}); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("second acknowledgement: %v; want conflict", err)
		}
		fs, err := reader.Query(ctx, audit.Query{Actor: "s-lead", Limit: 10})
		if err != nil || len(fs) != 1 || fs[0].Event.Action != "alert.acknowledge" || fs[0].Event.Interaction != "i-1" ||
			!strings.Contains(strings.Join(fs[0].Event.Data, " "), "alert="+id) || strings.Contains(strings.Join(fs[0].Event.Data, " "), "her own file") {
			t.Errorf("acknowledgement trace = %+v, %v", fs, err)
		}
		figs, err := svc.Figures(ctx, start.Add(-time.Hour), start.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"oversight.alerts." + coupole.AlertProtectedCustomerViewed: 1, "oversight.alerts." + coupole.AlertProtectedCustomerViewed + ".acknowledged": 1,
			"oversight.alerts": 1, "oversight.alerts.acknowledged": 1, "oversight.alerts." + coupole.AlertOutsideHours: 0}
		got := map[string]int64{}
		for _, f := range figs {
			got[f.Key] = f.Value
			if f.Requirement != "T1" || f.Query == "" || f.Unit != "count" {
				t.Errorf("figure %+v lacks its requirement, query or unit", f)
			}
		}
		for k, n := range want {
			if v, ok := got[k]; !ok || v != n {
				t.Errorf("figure %s = %d (present %v); want %d", k, v, ok, n)
			}
		}
		// A part that raises its own kind (retention) is counted too.
		if _, err := db.RaiseAlert(ctx, coupole.InteractionAlert{ID: "al-ret", Kind: "recording_missing", Target: "recording:r-1", Reason: "no recording after grace period", RaisedAt: start}); err != nil {
			t.Fatal(err)
		}
		figs, _ = svc.Figures(ctx, start.Add(-time.Hour), start.Add(time.Hour))
		found := false
		for _, f := range figs {
			found = found || (f.Key == "oversight.alerts.recording_missing" && f.Value == 1)
		}
		if !found {
			t.Errorf("figures %+v miss the retention alert", figs)
		}
	})
}

// TestInteractionOpenTooLong (T1): an interaction of the store held open
// past the threshold raises its alert once.
func TestInteractionOpenTooLong(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		start := time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)
		clock := &coupole.FixedClock{T: start}
		if err := db.CreateStaff(ctx, coupole.Staff{ID: "s-adv", Kind: coupole.StaffLocal, Login: "adv", Roles: []coupole.Role{coupole.RoleAdvisor}, Status: coupole.StaffActive, CreatedAt: start}); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateInteraction(ctx, coupole.Interaction{ID: "i-long", StaffID: "s-adv", Channel: "phone", Requester: "customer", OpenedAt: start}); err != nil {
			t.Fatal(err)
		}
		alog, reader := MustAuditLog(t, db, clock)
		d := &oversight.Detector{Store: db, Trace: reader, Audit: alog, Clock: clock, Config: oversight.DefaultConfig()}
		clock.T = start.Add(4 * time.Hour)
		if as, err := d.Step(ctx); err != nil || len(as) != 0 {
			t.Fatalf("at the threshold: %+v, %v; want nothing", as, err)
		}
		clock.T = start.Add(4*time.Hour + time.Minute)
		as, err := d.Step(ctx)
		if err != nil || len(as) != 1 || as[0].Kind != coupole.AlertInteractionOpenTooLong || as[0].InteractionID != "i-long" {
			t.Fatalf("past the threshold: %+v, %v", as, err)
		}
		clock.T = start.Add(5 * time.Hour)
		if as, err := d.Step(ctx); err != nil || len(as) != 0 {
			t.Errorf("later: %+v, %v; want nothing more", as, err)
		}
	})
}

// TestConfigIsValidated: thresholds come from configuration, and bad
// configuration says which field is wrong.
func TestConfigIsValidated(t *testing.T) {
	c, err := oversight.ParseConfig([]byte(`{"every":"20s","hours":"mon-sat 06:30-21:00","networks":["10.0.0.0/8","192.0.2.4"],"lockouts_per_advisor":4,"open_too_long":"2h","staff_hours":{"s-night":"sun-sat 00:00-24:00"}}`))
	if err != nil || c.Every != 20*time.Second || c.LockoutsPerAdvisor != 4 || c.OpenTooLong != 2*time.Hour || len(c.Networks) != 2 || !c.Hours.Days[time.Saturday] || c.Hours.From != 390 {
		t.Fatalf("ParseConfig = %+v, %v", c, err)
	}
	if !c.StaffHours["s-night"].Contains(time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC), time.UTC) {
		t.Error("the night shift's schedule does not contain 03:00 on a Sunday")
	}
	for in, field := range map[string]string{
		`{"every":"5m"}`:                  "every",
		`{"hours":"mon-fri 19:00-07:00"}`: "hours",
		`{"hours":"lun-ven 07:00-19:00"}`: "hours",
		`{"networks":["intranet"]}`:       "networks",
		`{"lockouts_per_access_point":1}`: "lockouts",
		`{"mad_factor":0}`:                "mad_factor",
		`{"thresholds":{}}`:               "thresholds",
		`{"location":"Mars/Olympus"}`:     "location",
	} {
		if _, err := oversight.ParseConfig([]byte(in)); coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(err.Error(), field) {
			t.Errorf("ParseConfig(%s) = %v; want an invalid error naming %s", in, err, field)
		}
	}
}

// TestLoadFlagsProtectedCustomers (issue 16): a batch (the CSV import, the
// demo seed) flags customers; a later batch without the flag keeps it.
func TestLoadFlagsProtectedCustomers(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		b := storetest.Fixture()
		b.Customers[0].Protection = coupole.ProtectionStaff
		storetest.MustLoad(t, db, b)
		b.Customers[0].Protection = ""
		storetest.MustLoad(t, db, b)
		got, err := db.CustomerProtections(ctx)
		if err != nil || len(got) != 1 || got[b.Customers[0].ID] != coupole.ProtectionStaff {
			t.Errorf("protections = %v, %v", got, err)
		}
	})
}
