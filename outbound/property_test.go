package outbound_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// TestExecuteNeverToANumberRegisteredDuringTheCall: D4, D7 — over random
// registration and opening times, and a number changed during the call,
// no SMS ever reaches a number that was not registered before the
// interaction opened: what the gateway receives is checked against the
// registration history, end to end (execute, worker, gateway).
func TestExecuteNeverToANumberRegisteredDuringTheCall(t *testing.T) {
	db := sqltest.MustOpenSQLite(t)
	b := mustBed(t, db)
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 11))
	base, err := db.Customer(ctx, "C-1")
	if err != nil {
		t.Fatal(err)
	}
	setMobile := func(number string, at time.Time) {
		c := base
		c.Mobile, c.MobileRegisteredAt = number, at
		storetest.MustLoad(t, db, &coupole.Batch{Customers: []coupole.Customer{c}})
	}
	// registeredAt[number] is when it was registered; allowed[delivery] the
	// interaction's opening time.
	registeredAt := map[string]time.Time{}
	opened := map[string]time.Time{}
	sent := 0
	w := b.worker("node-a", nil, nil)
	for i := range 40 {
		b.clock.T = start.Add(time.Duration(i) * 2 * time.Hour)
		at := b.clock.T
		before := fmt.Sprintf("+324701234%02d", i)
		reg := at.Add(time.Duration(r.IntN(4*60)-2*60) * time.Minute) // two hours before to two hours after
		setMobile(before, reg)
		registeredAt[before] = reg
		id := b.mustVerifiedCall(t)
		b.clock.T = b.clock.T.Add(time.Duration(r.IntN(5)) * time.Minute)
		if r.IntN(2) == 0 { // a new number given during the call (D7)
			during := fmt.Sprintf("+324709876%02d", i)
			setMobile(during, b.clock.T)
			registeredAt[during] = b.clock.T
		}
		del, err := b.svc.Execute(ctx, adv, id, interaction.ExecuteRequest{Item: "ean", IdempotencyKey: fmt.Sprintf("p%02d", i)})
		if err == nil && del.Kind == coupole.DeliverySMS {
			opened[del.ID] = at
			sent++
		}
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := b.gw.Received()
	if len(got) != sent {
		t.Fatalf("gateway received %d messages for %d SMS deliveries", len(got), sent)
	}
	for _, m := range got {
		reg, ok := registeredAt[m.To]
		if !ok || !reg.Before(opened[m.Key]) {
			t.Errorf("an SMS went to a number registered at %v for an interaction opened at %v", reg, opened[m.Key])
		}
	}
	if sent == 0 || sent == 40 {
		t.Errorf("%d of 40 cases sent an SMS: the cases do not cover both sides", sent)
	}
	t.Logf("%d of 40 cases sent an SMS", sent)
}
