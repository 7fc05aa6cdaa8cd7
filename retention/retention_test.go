package retention_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/retention"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// MustAuditLog opens the audit log of db; it is closed when the test ends.
func MustAuditLog(tb testing.TB, db *sqlstore.DB, clock coupole.Clock) *audit.Log {
	tb.Helper()
	l, err := audit.Open(context.Background(), sqlstore.NewAuditStore(db), audit.Options{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

type fixture struct {
	db     *sqlstore.DB
	log    *audit.Log
	clock  *coupole.FixedClock
	svc    *retention.Service
	purger *retention.Purger
	media  *memMedia
}

// memMedia is a MediaStore that remembers what it deleted.
type memMedia struct{ deleted []string }

func (m *memMedia) Delete(_ context.Context, key string) error {
	m.deleted = append(m.deleted, key)
	return nil
}

func mustFixture(t *testing.T, db *sqlstore.DB) *fixture {
	clock := &coupole.FixedClock{T: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	l := MustAuditLog(t, db, clock)
	f := &fixture{db: db, log: l, clock: clock, media: &memMedia{}}
	f.svc = &retention.Service{Store: db, Audit: l, Clock: clock, Config: retention.DefaultConfig()}
	f.purger = &retention.Purger{Store: db, Audit: l, Clock: clock, Media: f.media, Logger: slog.New(slog.DiscardHandler)}
	return f
}

func (f *fixture) mustRegister(t *testing.T, it retention.Item) retention.Item {
	t.Helper()
	it, err := f.svc.Register(context.Background(), "staff:ops", it)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func (f *fixture) mustRun(t *testing.T) retention.Result {
	t.Helper()
	res, err := f.purger.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) mustItem(t *testing.T, id string) retention.Item {
	t.Helper()
	it, err := f.db.RetentionItem(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// purgeEvents returns the Data of every purge evidence event.
func (f *fixture) purgeEvents(t *testing.T) [][]string {
	t.Helper()
	found, err := f.log.Query(context.Background(), audit.Query{Actor: retention.PurgeActor, After: -1, Limit: audit.MaxQueryLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, e := range found {
		if e.Event.Action == retention.ActionPurge {
			out = append(out, e.Event.Data)
		}
	}
	return out
}

func call(reason string, start time.Time) retention.Item {
	return retention.Item{Kind: retention.KindRecording, Source: retention.SourceCoupole, Channel: "phone",
		InteractionID: "int-" + reason, CustomerID: "cust-1", CallReason: reason, Start: start, End: start.Add(4 * time.Minute),
		MediaRef: "media/" + reason, Size: 1234, SHA256: strings.Repeat("ab", 32)}
}

// R2, R4: a call recorded today is purged one month later, with its
// evidence event, and not a minute before.
func TestR2CallPurgedOneMonthLaterWithEvidence(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		f := mustFixture(t, db)
		it := f.mustRegister(t, call("outage", f.clock.T))
		if it.Class != "default" || !it.Due.Equal(time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC)) {
			t.Fatalf("class %s due %s, want default due 2026-04-02T09:30", it.Class, it.Due)
		}
		f.clock.T = it.Due.Add(-time.Minute)
		if res := f.mustRun(t); res.Purged != 0 {
			t.Fatalf("purged %d a minute before the due date", res.Purged)
		}
		f.clock.T = it.Due.Add(10 * time.Minute)
		res := f.mustRun(t)
		if res.Purged != 1 || res.Late != 0 {
			t.Fatalf("run = %+v, want 1 purged on time", res)
		}
		got := f.mustItem(t, it.ID)
		if got.State != retention.StatePurged || got.MediaRef != "" || got.EvidenceIndex < 0 || !got.PurgedAt.Equal(f.clock.T) {
			t.Fatalf("after purge: %+v", got)
		}
		if !slices.Equal(f.media.deleted, []string{"media/outage"}) {
			t.Fatalf("media deleted: %v", f.media.deleted)
		}
		evs := f.purgeEvents(t)
		want := []string{"item:" + it.ID, "kind:recording", "rule:default", "due:2026-04-02T09:30:00Z", "deleted_at:2026-04-02T09:40:00Z", "sha256:" + it.SHA256}
		if len(evs) != 1 || !slices.Equal(evs[0], want) {
			t.Fatalf("evidence events: %v, want one %v", evs, want)
		}
		// A second run does nothing and writes nothing.
		if res := f.mustRun(t); res.Purged != 0 || res.Resumed != 0 || len(f.purgeEvents(t)) != 1 {
			t.Fatalf("second run: %+v", res)
		}
	})
}

// R3: a gas-odour call keeps its legal class past the month.
func TestR3GasOdourCallKeepsItsLegalClass(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		f := mustFixture(t, db)
		gas := f.mustRegister(t, call("emergency_gas_odour", f.clock.T))
		plain := f.mustRegister(t, call("invoice", f.clock.T))
		if gas.Class != "legal_emergency" || gas.ClassReason != "call_reason:emergency_gas_odour" {
			t.Fatalf("gas-odour call: class %s (%s)", gas.Class, gas.ClassReason)
		}
		f.clock.T = f.clock.T.AddDate(0, 2, 0)
		if res := f.mustRun(t); res.Purged != 1 {
			t.Fatalf("run = %+v, want the invoice call only", res)
		}
		if f.mustItem(t, gas.ID).State != retention.StateKept || f.mustItem(t, plain.ID).State != retention.StatePurged {
			t.Fatal("the gas-odour call was purged with the default class")
		}
		f.clock.T = gas.Due.Add(time.Second)
		if res := f.mustRun(t); res.Purged != 1 {
			t.Fatalf("at its legal due date: %+v", res)
		}
	})
}

// R3, S7: a hold stops the purge; its lift asked and approved by the same
// person is refused; approved by a second person, the purge happens.
func TestR3HoldStopsPurgeUntilASecondPersonLiftsIt(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := mustFixture(t, db)
		cases := []retention.Hold{
			{Scope: retention.ScopeInteraction, Target: "int-outage"},
			{Scope: retention.ScopeCustomer, Target: "cust-1"},
			{Scope: retention.ScopePeriod, From: f.clock.T.Add(-time.Hour), To: f.clock.T.Add(time.Hour)},
		}
		it := f.mustRegister(t, call("outage", f.clock.T))
		for _, h := range cases {
			h.Reason, h.Reference = "litigation", "court 2026/123"
			h, err := f.svc.PlaceHold(ctx, "staff:dpo", h)
			if err != nil {
				t.Fatal(err)
			}
			f.clock.T = f.clock.T.AddDate(0, 2, 0)
			if res := f.mustRun(t); res.Purged != 0 {
				t.Fatalf("hold on %s: purged %d", h.Scope, res.Purged)
			}
			if err := f.svc.RequestLift(ctx, "staff:dpo", h.ID, "case closed"); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.ApproveLift(ctx, "staff:dpo", h.ID); coupole.ErrorCode(err) != coupole.EFORBIDDEN {
				t.Fatalf("lift approved by who asked: %v", err)
			}
			if err := f.db.LiftHold(ctx, h.ID, "staff:dpo", f.clock.T); coupole.ErrorCode(err) != coupole.ECONFLICT {
				t.Fatalf("store lifted a hold by who asked: %v", err)
			}
			if f.mustItem(t, it.ID).State != retention.StateKept {
				t.Fatal("purged while held")
			}
			if err := f.svc.ApproveLift(ctx, "staff:dpo2", h.ID); err != nil {
				t.Fatal(err)
			}
		}
		if res := f.mustRun(t); res.Purged != 1 {
			t.Fatalf("after the lifts: %+v", res)
		}
	})
}

func TestHoldValidation(t *testing.T) {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		h    retention.Hold
		want string
	}{
		{retention.Hold{Scope: "planet", Reason: "r", Reference: "x"}, "scope"},
		{retention.Hold{Scope: retention.ScopeCustomer, Reason: "r", Reference: "x"}, "needs its id"},
		{retention.Hold{Scope: retention.ScopePeriod, From: day, To: day, Reason: "r", Reference: "x"}, "start before its end"},
		{retention.Hold{Scope: retention.ScopeItem, Target: "i", Reference: "x"}, "reason"},
		{retention.Hold{Scope: retention.ScopeItem, Target: "i", Reason: "r"}, "reference"},
	} {
		err := tc.h.Validate()
		if coupole.ErrorCode(err) != coupole.EINVALID || !strings.Contains(coupole.ErrorMessage(err), tc.want) {
			t.Errorf("%+v: %v, want invalid mentioning %q", tc.h, err, tc.want)
		}
	}
}

type memPlatform struct{ deleted []string }

func (m *memPlatform) DeleteRecording(_ context.Context, id string) error {
	m.deleted = append(m.deleted, id)
	return nil
}

// R4, item 5: a recording kept in the platform is deleted there through the
// connector; without a connector the purge stops with a clear error and
// the item waits, its evidence written once.
func TestPurgeDeletesInThePlatform(t *testing.T) {
	f := mustFixture(t, sqltest.MustOpenSQLite(t))
	it := call("outage", f.clock.T)
	it.Source, it.ExternalID, it.MediaRef = retention.SourceGenesys, "c-1/r-1", ""
	it = f.mustRegister(t, it)
	f.clock.T = it.Due.Add(time.Minute)
	if _, err := f.purger.Run(context.Background()); coupole.ErrorCode(err) != coupole.EUNAVAILABLE || !strings.Contains(coupole.ErrorMessage(err), "no connector") {
		t.Fatalf("purge without a connector: %v", err)
	}
	if got := f.mustItem(t, it.ID); got.State != retention.StateDeleting {
		t.Fatalf("state %s, want deleting (evidence written, deletion to finish)", got.State)
	}
	p := &memPlatform{}
	f.purger.Platform = p
	res := f.mustRun(t)
	if res.Resumed != 1 || !slices.Equal(p.deleted, []string{"c-1/r-1"}) || len(f.purgeEvents(t)) != 1 {
		t.Fatalf("run %+v, platform deleted %v, events %d", res, p.deleted, len(f.purgeEvents(t)))
	}
}
