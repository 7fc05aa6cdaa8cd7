package demo_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/demo"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// TestCallersComeFromTheData: the demo callers of `serve --demo` (issue 7)
// are people of the seeded data, each fitting its scenario on the day of the
// call — checked here again through the store, independently of how they
// were picked — and the same data gives the same callers.
func TestCallersComeFromTheData(t *testing.T) {
	ref := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	at := ref.Add(9 * time.Hour)
	cfg := demo.Config{AccessPoints: 2000, Seed: 1, Reference: ref}
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if got, err := demo.Callers(ctx, db.Reader(), db, at); err != nil || len(got) != 0 {
			t.Fatalf("callers of an empty grid = %d, %v; want none", len(got), err)
		}
		if _, err := demo.Seed(ctx, db, cfg, nil); err != nil {
			t.Fatal(err)
		}
		callers, err := demo.Callers(ctx, db.Reader(), db, at)
		if err != nil {
			t.Fatal(err)
		}
		var scenarios []demo.Scenario
		for _, c := range callers {
			scenarios = append(scenarios, c.Scenario)
			checkCaller(t, db, c, at)
		}
		if want := []demo.Scenario{demo.ScenarioOccupantSMS, demo.ScenarioSmartMeter, demo.ScenarioCPAS}; !slices.Equal(scenarios, want) {
			t.Fatalf("scenarios = %v, want %v", scenarios, want)
		}
		again, err := demo.Callers(ctx, db.Reader(), db, at)
		if err != nil || !reflect.DeepEqual(again, callers) {
			t.Errorf("second pick differs (err %v)", err)
		}
	})
}

func checkCaller(t *testing.T, db *sqlstore.DB, c demo.Caller, at time.Time) {
	t.Helper()
	ctx := context.Background()
	byMeter, err := db.AccessPointsByMeter(ctx, c.Meter)
	if err != nil || len(byMeter) != 1 || byMeter[0].EAN != c.EAN {
		t.Fatalf("%s: the meter number does not find the access point (err %v)", c.Scenario, err)
	}
	ap := byMeter[0]
	if m, ok := ap.MeterOn(coupole.Date(at)); !ok || m.Number != c.Meter {
		t.Errorf("%s: the meter given is not the one in place", c.Scenario)
	}
	found, err := db.CustomersByName(ctx, c.Name, 10)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(found, func(x coupole.Customer) bool { return x.Name() == c.Name && x.MaskedName() == c.Masked })
	if i < 0 {
		t.Fatalf("%s: a search by the name does not find the caller", c.Scenario)
	}
	cust := found[i]
	occs, err := db.OccupanciesOfCustomer(ctx, cust.ID)
	if err != nil {
		t.Fatal(err)
	}
	var here []coupole.Occupancy
	for _, o := range occs {
		if o.EAN == c.EAN {
			here = append(here, o)
		}
	}
	if coupole.RelationOn(here, at) != coupole.OccupancyCurrent {
		t.Errorf("%s: the caller does not occupy the access point now", c.Scenario)
	}
	switch c.Scenario {
	case demo.ScenarioOccupantSMS:
		if !cust.HasMobileRegisteredBefore(at) {
			t.Errorf("%s: no mobile registered before the call", c.Scenario)
		}
	case demo.ScenarioSmartMeter:
		if ap.Regime != coupole.RegimeSmart {
			t.Errorf("%s: regime %s", c.Scenario, ap.Regime)
		}
	case demo.ScenarioCPAS:
		ms, err := db.MandatesOfCustomer(ctx, cust.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(ms, func(m coupole.Mandate) bool { return m.CPASID == c.CPASID && m.ValidityOn(at) == coupole.MandateValid }) {
			t.Errorf("%s: no valid mandate of CPAS %s", c.Scenario, c.CPASID)
		}
		if cp, err := db.CPAS(ctx, c.CPASID); err != nil || cp.Name != c.CPASName {
			t.Errorf("%s: CPAS %q, %v", c.Scenario, cp.Name, err)
		}
	}
}
