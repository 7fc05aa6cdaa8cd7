package interaction_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/interaction"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// countingGrid counts the reads of access points and customers.
type countingGrid struct {
	coupole.GridStore
	accessPoints, customers atomic.Int64
}

func (g *countingGrid) AccessPoint(ctx context.Context, ean coupole.EAN) (coupole.AccessPoint, error) {
	g.accessPoints.Add(1)
	return g.GridStore.AccessPoint(ctx, ean)
}

func (g *countingGrid) Customer(ctx context.Context, id string) (coupole.Customer, error) {
	g.customers.Add(1)
	return g.GridStore.Customer(ctx, id)
}

// TestGridStaleness: with GridStaleness set, the steps of a call share
// their grid reads for that long by the service's clock and never longer
// than MaxGridStaleness (issue 17); a contact change made through the
// service drops its customer at once; unset, every step reads afresh.
func TestGridStaleness(t *testing.T) {
	for _, tc := range []struct {
		name       string
		staleness  time.Duration
		wantShared bool
	}{
		{"off", 0, false},
		{"500 ms", 500 * time.Millisecond, true},
		{"an hour, capped at a second", time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := sqltest.MustOpenSQLite(t)
			s, _ := mustService(t, db)
			g := &countingGrid{GridStore: db}
			s.Grid, s.GridStaleness = g, tc.staleness
			clock := s.Clock.(*coupole.FixedClock)
			id := verifiedInteraction(t, s, adv)
			decide := func() {
				t.Helper()
				if d, err := s.Decide(ctx, adv, id, interaction.DecideRequest{Item: "ean"}); err != nil || d.Outcome != "sms" {
					t.Fatalf("decide: %+v, %v", d, err)
				}
			}
			decide()
			before := g.accessPoints.Load()
			decide()
			if shared := g.accessPoints.Load() == before; shared != tc.wantShared {
				t.Errorf("a second decision at the same instant read the access point again: %v, want %v", !shared, !tc.wantShared)
			}
			// Past the bound (and past the cap of one second), read afresh.
			clock.T = clock.T.Add(min(max(tc.staleness, 1), interaction.MaxGridStaleness))
			before = g.accessPoints.Load()
			decide()
			if g.accessPoints.Load() == before {
				t.Errorf("the access point was not read again %v later", min(tc.staleness, interaction.MaxGridStaleness))
			}
			// A contact change through the service: the customer is read
			// afresh by the next step, the clock unmoved.
			if _, err := s.ChangeContact(ctx, adv, id, interaction.ContactRequest{Email: str("gerard.new@example.org")}); err != nil {
				t.Fatal(err)
			}
			before = g.customers.Load()
			decide()
			if g.customers.Load() == before {
				t.Error("the customer was not read again after a contact change")
			}
		})
	}
}
