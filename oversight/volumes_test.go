package oversight_test

import (
	"context"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/audit"
	"github.com/coupole/coupole/oversight"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestVolumesAreCountedOnceFromTheTrace (issue 16 item 1): the detector
// counts the dashboard's volumes per hour as it reads the trace, once even
// when a second node read the same events.
func TestVolumesAreCountedOnceFromTheTrace(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		start := time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)
		clock := &coupole.FixedClock{T: start}
		alog, reader := MustAuditLog(t, db, clock)
		for _, ev := range []audit.Event{
			{Actor: "s-a", Action: "interaction.open", Data: []string{"channel=phone", "requester=customer"}},
			{Actor: "s-b", Action: "interaction.open", Data: []string{"channel=email", "requester=customer"}},
			{Actor: "s-a", Action: "interaction.verify", Customers: []string{"c-1"}, Decision: &audit.Decision{Outcome: "failed"}},
			{Actor: "s-a", Action: "interaction.decide", Customers: []string{"c-1"}, Decision: &audit.Decision{Outcome: "refuse", Reason: "no_occupancy"}},
			{Actor: "s-a", Action: "interaction.decide", Customers: []string{"c-1"}, Decision: &audit.Decision{Outcome: "sms"}},
			{Actor: "s-a", Action: "interaction.deliver", Customers: []string{"c-1"}, Decision: &audit.Decision{Outcome: "sms"}},
			{Actor: "s-a", Action: "interaction.close", CallReason: "move,invoice"},
		} {
			if _, err := alog.Append(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		cfg := oversight.DefaultConfig()
		cfg.Teams = map[string]string{"s-a": "Namur"}
		if _, err := (&oversight.Detector{Store: db, Trace: reader, Clock: clock, Config: cfg}).Step(ctx); err != nil {
			t.Fatal(err)
		}
		// A node that read the same events finds the cursor moved.
		if err := db.AdvanceOversight(ctx, 0, 7, []coupole.HourlyCount{{Hour: start, Metric: "channel", Key: "phone", N: 1}}); coupole.ErrorCode(err) != coupole.ECONFLICT {
			t.Errorf("second advance: %v; want conflict", err)
		}
		cs, err := db.HourlyCounts(ctx, start.Add(-time.Hour), start.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, c := range cs {
			got[c.Metric+"/"+c.Key] = c.N
		}
		want := map[string]int64{"channel/phone": 1, "channel/email": 1, "team/Namur": 1, "team/" + oversight.NoTeam: 1, "verification/failed": 1,
			"decision/refuse": 1, "decision/sms": 1, "refusal/no_occupancy": 1, "route/sms": 1, "reason/move": 1, "reason/invoice": 1}
		if len(got) != len(want) {
			t.Errorf("counts = %v; want %v", got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s = %d; want %d", k, got[k], n)
			}
		}
	})
}
