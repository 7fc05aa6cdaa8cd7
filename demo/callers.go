package demo

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"github.com/coupole/coupole"
)

// Demo callers (issue 7): a newcomer to `serve --demo` has no EAN, meter
// number or name to type, so cannot get past the verification. Callers picks
// a few people of the synthetic data already in the database, each a
// scenario of the disclosure policy, with what the advisor needs to type.
// They are read from the database and checked with the grid store the
// interaction service uses, never invented: what is shown is what a search
// finds.

// Scenario says which call a demo caller is for.
type Scenario string

const (
	// ScenarioOccupantSMS: the current occupant, with a mobile registered
	// before today, asks their EAN by phone → SMS (D4).
	ScenarioOccupantSMS Scenario = "occupant_sms"
	// ScenarioSmartMeter: the occupant of an access point with a smart meter
	// asks the consumption history → customer portal; the landlord asking
	// the same → refusal (D8).
	ScenarioSmartMeter Scenario = "smart_meter"
	// ScenarioCPAS: a CPAS calls the CPAS line about a beneficiary it holds
	// a valid permanent mandate from → supplier told orally (D6).
	ScenarioCPAS Scenario = "cpas"
)

// Caller is one demo caller: synthetic data, shown only under --demo.
type Caller struct {
	Scenario Scenario
	Name     string // given and family name, as searched by name
	Masked   string // the name as the candidates show it
	EAN      coupole.EAN
	Energy   coupole.Energy
	Town     string
	Meter    coupole.MeterNumber // the meter number the caller gives
	CPASID   string              // ScenarioCPAS: the CPAS's id, to open the line
	CPASName string

	customerID string
}

// Querier runs a read query; *sql.DB is one.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// callerProbe bounds how many rows Callers looks at per scenario: enough to
// find each one in the demo data, small enough to take milliseconds on a
// database of millions.
const callerProbe = 200

// Callers picks one caller per scenario from the data in q (in key order,
// so the same data gives the same callers), checked at instant at through
// grid: current occupancy, meter in place, mobile registered before, mandate
// valid, and found by a search by name. A scenario without a fitting record
// is left out.
func Callers(ctx context.Context, q Querier, grid coupole.GridStore, at time.Time) ([]Caller, error) {
	var out []Caller
	used := map[string]bool{} // customers already picked
	pickPoint := func(sc Scenario, query string, fits func(coupole.Customer) bool) error {
		eans, err := queryStrings(ctx, q, query)
		if err != nil {
			return err
		}
		for _, e := range eans {
			c, ok, err := occupantCaller(ctx, grid, coupole.EAN(e), at, used, fits)
			if err != nil {
				return err
			}
			if ok {
				c.Scenario = sc
				out = append(out, c)
				used[c.customerID] = true
				return nil
			}
		}
		return nil
	}
	limit := " ORDER BY ean LIMIT " + strconv.Itoa(callerProbe)
	if err := pickPoint(ScenarioOccupantSMS, "SELECT ean FROM access_points WHERE energy = 'electricity' AND regime IN ('annual', 'monthly')"+limit,
		func(c coupole.Customer) bool { return c.HasMobileRegisteredBefore(at) }); err != nil {
		return nil, err
	}
	if err := pickPoint(ScenarioSmartMeter, "SELECT ean FROM access_points WHERE regime = 'smart'"+limit,
		func(coupole.Customer) bool { return true }); err != nil {
		return nil, err
	}
	c, ok, err := cpasCaller(ctx, q, grid, at, used)
	if err != nil {
		return nil, err
	}
	if ok {
		out = append(out, c)
	}
	return out, nil
}

func queryStrings(ctx context.Context, q Querier, query string) ([]string, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "demo callers: cannot read the grid")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, coupole.Wrap(err, coupole.EINTERNAL, "demo callers: cannot read the grid")
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "demo callers: cannot read the grid")
	}
	return out, nil
}

// occupantCaller returns the current occupant of ean if they fit, with the
// meter in place at at and a name a search finds.
func occupantCaller(ctx context.Context, grid coupole.GridStore, ean coupole.EAN, at time.Time, used map[string]bool, fits func(coupole.Customer) bool) (Caller, bool, error) {
	occs, err := grid.OccupanciesOfAccessPoint(ctx, ean)
	if err != nil {
		return Caller{}, false, err
	}
	for _, o := range occs {
		if !o.Current(at) {
			continue
		}
		c, ok, err := checkedCaller(ctx, grid, ean, o.CustomerID, at, used)
		if err != nil || !ok {
			return Caller{}, false, err
		}
		cust, err := grid.Customer(ctx, o.CustomerID)
		if err != nil {
			return Caller{}, false, err
		}
		return c, fits(cust), nil
	}
	return Caller{}, false, nil
}

// checkedCaller builds the caller customerID at ean and checks what the
// advisor will meet: the customer currently occupies the point, its meter is
// in place, and a search by the name finds the customer among a few.
func checkedCaller(ctx context.Context, grid coupole.GridStore, ean coupole.EAN, customerID string, at time.Time, used map[string]bool) (Caller, bool, error) {
	ap, err := grid.AccessPoint(ctx, ean)
	if err != nil {
		return Caller{}, false, err
	}
	m, inPlace := ap.MeterOn(coupole.Date(at))
	if !inPlace {
		return Caller{}, false, nil
	}
	occs, err := grid.OccupanciesOfCustomer(ctx, customerID)
	if err != nil {
		return Caller{}, false, err
	}
	var here []coupole.Occupancy
	for _, o := range occs {
		if o.EAN == ean {
			here = append(here, o)
		}
	}
	if coupole.RelationOn(here, at) != coupole.OccupancyCurrent {
		return Caller{}, false, nil
	}
	cust, err := grid.Customer(ctx, customerID)
	if err != nil {
		return Caller{}, false, err
	}
	if used[customerID] {
		return Caller{}, false, nil
	}
	found, err := grid.CustomersByName(ctx, cust.Name(), 4)
	if err != nil {
		return Caller{}, false, err
	}
	if len(found) > 3 || !slices.ContainsFunc(found, func(c coupole.Customer) bool { return c.ID == customerID }) {
		return Caller{}, false, nil
	}
	return Caller{customerID: customerID, Name: cust.Name(), Masked: cust.MaskedName(), EAN: ean, Energy: ap.Energy, Town: ap.Address.Town, Meter: m.Number}, true, nil
}

// cpasCaller picks a beneficiary of a CPAS, with a valid permanent mandate.
func cpasCaller(ctx context.Context, q Querier, grid coupole.GridStore, at time.Time, used map[string]bool) (Caller, bool, error) {
	ids, err := queryStrings(ctx, q, "SELECT id FROM cpas ORDER BY id LIMIT 50")
	if err != nil {
		return Caller{}, false, err
	}
	for _, id := range ids {
		cp, err := grid.CPAS(ctx, id)
		if err != nil {
			return Caller{}, false, err
		}
		ms, err := grid.MandatesOfCPAS(ctx, id)
		if err != nil {
			return Caller{}, false, err
		}
		slices.SortFunc(ms, func(a, b coupole.Mandate) int {
			if a.ID < b.ID {
				return -1
			} else if a.ID > b.ID {
				return 1
			}
			return 0
		})
		for _, m := range ms[:min(len(ms), callerProbe)] {
			if m.ValidityOn(at) != coupole.MandateValid {
				continue
			}
			occs, err := grid.OccupanciesOfCustomer(ctx, m.CustomerID)
			if err != nil {
				return Caller{}, false, err
			}
			for _, o := range occs {
				if !o.Current(at) {
					continue
				}
				c, ok, err := checkedCaller(ctx, grid, o.EAN, m.CustomerID, at, used)
				if err != nil {
					return Caller{}, false, err
				}
				if ok {
					c.Scenario, c.CPASID, c.CPASName = ScenarioCPAS, cp.ID, cp.Name
					return c, true, nil
				}
			}
		}
	}
	return Caller{}, false, nil
}
