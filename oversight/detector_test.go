package oversight_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/oversight"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/web"
)

// simStart is a Monday.
var simStart = time.Date(2026, 3, 2, 0, 0, 0, 0, mustLocation("Europe/Brussels"))

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// simConfig is DefaultConfig with the simulated office network.
func simConfig() oversight.Config {
	c := oversight.DefaultConfig()
	c.Networks = []netip.Prefix{netip.MustParsePrefix(oversight.SimNetwork)}
	c.Teams = map[string]string{}
	return c
}

// MustReplay replays generated traffic through a detector on db.
func MustReplay(tb testing.TB, db *sqlstore.DB, o oversight.TrafficOptions) (oversight.Traffic, oversight.Outcome) {
	tb.Helper()
	ctx := context.Background()
	tr := oversight.GenerateTraffic(o)
	clock := &coupole.FixedClock{T: o.Start}
	mem := &oversight.MemoryTrace{}
	d := &oversight.Detector{Store: oversight.SimStore{OversightStore: db, Traffic: &tr, Clock: clock}, Trace: mem, Audit: mem, Clock: clock, Config: simConfig()}
	out, err := oversight.Replay(ctx, d, tr, func(ctx context.Context, ev audit.Event) error {
		_, err := mem.Append(ctx, ev)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return tr, out
}

// TestEachAnomalyKindIsCaught (T1, issue 16 item 2): a month of generated
// traffic with one injected case of every kind (two view spikes): every
// case raises its alert within a minute, and nothing else is raised.
func TestEachAnomalyKindIsCaught(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	tr, out := MustReplay(t, db, oversight.TrafficOptions{Seed: 1, Start: simStart, Days: 28, Advisors: 10, Location: simStart.Location(), Inject: true})
	kinds := map[string]bool{}
	for _, inj := range tr.Injected {
		kinds[inj.Kind] = true
	}
	for _, k := range coupole.AnomalyAlertKinds {
		t.Run(k, func(t *testing.T) {
			if !kinds[k] {
				t.Fatalf("no %s case injected", k)
			}
			for _, m := range out.Missed {
				if m.Kind == k {
					t.Errorf("missed %+v", m)
				}
			}
		})
	}
	for _, f := range out.False {
		t.Errorf("false alert: %s %s: %s", f.Kind, f.StaffID, f.Reason)
	}
	for kind, lat := range out.Latency {
		if kind != coupole.AlertViewsAboveBaseline && lat > time.Minute {
			t.Errorf("%s: the alert came %s after its case; want at most a minute", kind, lat)
		}
	}
	// Every alert is stored, with a reason the reviewer can read.
	stored, err := db.ListAlerts(context.Background(), coupole.AlertFilter{})
	if err != nil || len(stored) != out.AlertsTotal {
		t.Fatalf("stored %d alerts, %v; raised %d", len(stored), err, out.AlertsTotal)
	}
	for _, al := range stored {
		if al.Reason == "" || al.Target == "" || al.DedupeKey == "" {
			t.Errorf("alert %+v lacks a reason, target or key", al)
		}
		// The pages word the reason in the reader's language from the
		// stored facts: every placeholder filled, French not English.
		view := interaction.NewAlertView(al)
		for _, lang := range coupole.Languages {
			text := web.AlertReason(lang, view)
			if text == "" || strings.ContainsAny(text, "{}") {
				t.Errorf("%s alert in %s: %q", al.Kind, lang, text)
			}
			if lang == coupole.French && text == al.Reason {
				t.Errorf("%s alert: the French page shows the English reason %q", al.Kind, text)
			}
		}
	}
}

// TestNoAlertOnCleanTraffic (T1): a month of normal traffic raises nothing.
func TestNoAlertOnCleanTraffic(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	tr, out := MustReplay(t, db, oversight.TrafficOptions{Seed: 2, Start: simStart, Days: 28, Advisors: 10, Location: simStart.Location()})
	if len(tr.Events) < 10000 {
		t.Fatalf("only %d events generated", len(tr.Events))
	}
	for _, f := range out.False {
		t.Errorf("false alert: %s %s: %s", f.Kind, f.StaffID, f.Reason)
	}
	if out.AlertsTotal != 0 {
		t.Errorf("%d alerts on clean traffic", out.AlertsTotal)
	}
}
