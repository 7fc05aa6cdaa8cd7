package interaction

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/policy"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// A point whose occupant changed within the last three years, loaded on top
// of the storetest fixture: Paul Ancien (C-20) lived there from 2022-01-01
// to 2023-06-01, Anne Nouvelle (C-21) since. The supplier chosen in 2021 was
// never changed: its contract has no end.
// EANMoved is the moved point.
var EANMoved = storetest.EAN(20)

const movedMeter = "M20"

// MovedFixture is the moved point, its occupants, supply, mandates and
// readings (tests only).
func MovedFixture() *coupole.Batch {
	day := storetest.Day
	reading := func(d string, kwh float64) coupole.Reading {
		return coupole.Reading{EAN: EANMoved, Date: day(d), Meter: coupole.MeterNumber(movedMeter), Registers: coupole.Registers{DayKWh: kwh}, Source: coupole.SourceTechnician, Regime: coupole.RegimeAnnual}
	}
	return &coupole.Batch{
		AccessPoints: []coupole.AccessPoint{{EAN: EANMoved, Energy: coupole.Electricity, Regime: coupole.RegimeAnnual,
			Address: coupole.Address{Street: "Rue des Déménagements", Number: "5", Postcode: "5000", Town: "Namur"},
			Meters:  []coupole.MeterInstallation{{Number: coupole.MeterNumber(movedMeter), From: day("2019-01-01")}}}},
		Customers: []coupole.Customer{
			{ID: "C-20", GivenName: "Paul", FamilyName: "Ancien", Language: coupole.French, PostalAddress: coupole.Address{Street: "Rue Neuve", Number: "1", Postcode: "5000", Town: "Namur"}},
			{ID: "C-21", GivenName: "Anne", FamilyName: "Nouvelle", Language: coupole.French, PostalAddress: coupole.Address{Street: "Rue des Déménagements", Number: "5", Postcode: "5000", Town: "Namur"}},
		},
		Occupancies: []coupole.Occupancy{
			{CustomerID: "C-20", EAN: EANMoved, MoveIn: day("2022-01-01"), MoveOut: day("2023-06-01"), MoveOutIndex: coupole.Registers{DayKWh: 6000}},
			{CustomerID: "C-21", EAN: EANMoved, MoveIn: day("2023-06-01"), MoveInIndex: coupole.Registers{DayKWh: 6000}},
		},
		SupplyPeriods: []coupole.SupplyPeriod{
			{EAN: EANMoved, SupplierID: "SUP-B", From: day("2019-01-01"), To: day("2021-01-01")},
			{EAN: EANMoved, SupplierID: "SUP-A", From: day("2021-01-01")},
		},
		Mandates: []coupole.Mandate{
			{ID: "M-20", CustomerID: "C-20", MandataryName: "CPAS de Namur", CPASID: "CPAS-NAMUR", Scope: coupole.ScopeAll, ValidFrom: day("2022-01-01")},
			{ID: "M-21", CustomerID: "C-21", MandataryName: "Luc Dossier", Scope: coupole.ScopeCase, ValidFrom: day("2023-06-01")},
			{ID: "M-22", CustomerID: "C-21", MandataryName: "Eva Conso", Scope: coupole.ScopeConsumption, ValidFrom: day("2023-06-01")},
			{ID: "M-23", CustomerID: "C-21", MandataryName: "CPAS de Namur", CPASID: "CPAS-NAMUR", Scope: coupole.ScopeConsumption, ValidFrom: day("2023-06-01")},
			{ID: "M-24", CustomerID: "C-21", MandataryName: "Marc Double", Scope: coupole.ScopeCase, ValidFrom: day("2023-06-01")},
			{ID: "M-25", CustomerID: "C-21", MandataryName: "Marc Double", Scope: coupole.ScopeConsumption, ValidFrom: day("2023-07-01")},
		},
		Readings: []coupole.Reading{
			reading("2023-01-10", 5000), // Paul's
			reading("2023-06-01", 6000), // the move: Anne's first
			reading("2024-01-10", 9000), // Anne's
		},
	}
}

// TestDiscloseClipsToTheOccupancy: D1, D8 — issue 10, item 6. What an oral
// answer discloses about the moved point is cut to the customer's own
// occupancy, whoever speaks for them (the customer, a mandatary, a CPAS): a
// supply contract that ran on after the move is shown ending at the move-out,
// never as the successor's open-ended supplier; readings outside the period
// are left out.
func TestDiscloseClipsToTheOccupancy(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC)
	db := sqltest.MustOpenSQLite(t)
	storetest.MustLoad(t, db, storetest.Fixture())
	storetest.MustLoad(t, db, MovedFixture())
	s := &Service{Grid: db, Store: db, Clock: &coupole.FixedClock{T: now}}
	for _, tc := range []struct {
		customer  string
		suppliers []SupplyView
		readings  []string
	}{
		{"C-20", []SupplyView{{Supplier: "Énergie Alpha", From: "2022-01-01", To: "2023-06-01"}}, []string{"2023-01-10"}},
		{"C-21", []SupplyView{{Supplier: "Énergie Alpha", From: "2023-06-01"}}, []string{"2023-06-01", "2024-01-10"}},
	} {
		sj, err := s.subject(ctx, coupole.Interaction{ID: "i-none", CurrentEAN: EANMoved, CurrentCustomer: tc.customer, OpenedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		d, _, err := s.disclose(ctx, sj, policy.ItemSupplier)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Suppliers, tc.suppliers) {
			t.Errorf("%s: suppliers %+v, want %+v", tc.customer, d.Suppliers, tc.suppliers)
		}
		d, _, err = s.disclose(ctx, sj, policy.ItemConsumptionHistory)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range d.Readings {
			got = append(got, r.Date)
		}
		if !slices.Equal(got, tc.readings) {
			t.Errorf("%s: readings %v, want %v", tc.customer, got, tc.readings)
		}
	}
}

// TestPeriodClip: [from, to) cut to a period, open ends included.
func TestPeriodClip(t *testing.T) {
	d := storetest.Day
	p := period{d("2022-01-01"), d("2023-06-01")}
	open := period{from: d("2023-06-01")}
	for _, tc := range []struct {
		p                period
		from, to         time.Time
		wantFrom, wantTo time.Time
		ok               bool
	}{
		{p, d("2021-01-01"), time.Time{}, d("2022-01-01"), d("2023-06-01"), true},
		{p, d("2022-03-01"), d("2022-04-01"), d("2022-03-01"), d("2022-04-01"), true},
		{p, d("2023-06-01"), time.Time{}, d("2023-06-01"), d("2023-06-01"), false},
		{p, d("2019-01-01"), d("2022-01-01"), d("2022-01-01"), d("2022-01-01"), false},
		{open, d("2021-01-01"), time.Time{}, d("2023-06-01"), time.Time{}, true},
		{open, d("2021-01-01"), d("2023-07-01"), d("2023-06-01"), d("2023-07-01"), true},
		{open, d("2021-01-01"), d("2023-06-01"), d("2023-06-01"), d("2023-06-01"), false},
	} {
		from, to, ok := tc.p.clip(tc.from, tc.to)
		if ok != tc.ok || (ok && (!from.Equal(tc.wantFrom) || !to.Equal(tc.wantTo))) {
			t.Errorf("%v clip [%s, %s) = [%s, %s) %v, want [%s, %s) %v", tc.p, day(tc.from), day(tc.to), day(from), day(to), ok, day(tc.wantFrom), day(tc.wantTo), tc.ok)
		}
	}
}
