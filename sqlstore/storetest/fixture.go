// Package storetest is the conformance suite of coupole.GridStore: every
// implementation (sqlstore on SQLite and on PostgreSQL) runs the same tests,
// on a fresh empty store per test.
package storetest

import (
	"fmt"
	"time"

	"github.com/coupole/coupole"
)

// EAN returns the n-th synthetic Belgian EAN: 5414 4882 then n on 11 digits
// and a valid check digit. Different n give different EANs.
func EAN(n int) coupole.EAN {
	s := fmt.Sprintf("541448%011d", n)
	return coupole.EAN(s + string(coupole.GS1CheckDigit(s)))
}

// Day returns a date from "YYYY-MM-DD"; it panics on a bad literal.
func Day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Fixture EANs and ids, for tests that read the fixture back.
var (
	EANElecNamur = EAN(1) // electricity, annual, two meters over time
	EANGasNamur  = EAN(2) // gas, smart
	EANElecLiege = EAN(3) // electricity, monthly, no occupant
)

// Fixture returns a small grid with the cases the suite checks: accents in
// names and streets, a meter change, open-ended periods, a CPAS permanent
// mandate, readings on period boundaries, street and postcode notices.
func Fixture() *coupole.Batch {
	namur := func(street, number string) coupole.Address {
		return coupole.Address{Street: street, Number: number, Postcode: "5000", Town: "Namur"}
	}
	reg := time.Date(2022, 3, 4, 9, 30, 0, 0, time.UTC)
	return &coupole.Batch{
		Suppliers: []coupole.Supplier{{ID: "SUP-A", Name: "Énergie Alpha"}, {ID: "SUP-B", Name: "Beta Power"}},
		CPAS:      []coupole.CPAS{{ID: "CPAS-NAMUR", Name: "CPAS de Namur", Town: "Namur"}},
		AccessPoints: []coupole.AccessPoint{
			{EAN: EANElecNamur, Energy: coupole.Electricity, Regime: coupole.RegimeAnnual,
				Address: coupole.Address{Street: "Rue de l'Église", Number: "12", Box: "3", Postcode: "5000", Town: "Namur"},
				Meters: []coupole.MeterInstallation{
					{Number: "0012345", From: Day("2015-05-01"), To: Day("2021-06-15")},
					{Number: "9876543A", From: Day("2021-06-15")},
				}},
			{EAN: EANGasNamur, Energy: coupole.Gas, Regime: coupole.RegimeSmart,
				Address: namur("Rue de l'Église", "14"),
				Meters:  []coupole.MeterInstallation{{Number: "G555", From: Day("2019-01-01")}}},
			{EAN: EANElecLiege, Energy: coupole.Electricity, Regime: coupole.RegimeMonthly,
				Address: coupole.Address{Street: "Boulevard d'Avroy", Number: "7b", Postcode: "4000", Town: "Liège"},
				Meters:  []coupole.MeterInstallation{{Number: "L1000", From: Day("2018-01-01")}}},
		},
		Customers: []coupole.Customer{
			{ID: "C-1", GivenName: "Gérard", FamilyName: "Dupont", Language: coupole.French,
				Mobile: "+32470123456", MobileRegisteredAt: reg, Email: "gd@example.be", PostalAddress: namur("Rue de l'Église", "12")},
			{ID: "C-2", GivenName: "Gerard", FamilyName: "Dupond", Language: coupole.French, PostalAddress: namur("Rue de Fer", "1")},
			{ID: "C-3", GivenName: "Éloïse", FamilyName: "Van den Berg", Language: coupole.Dutch, PostalAddress: namur("Rue de l'Église", "14")},
			{ID: "C-4", GivenName: "Jean-Pierre", FamilyName: "D'Hondt", Language: coupole.French, PostalAddress: namur("Rue de Fer", "2")},
		},
		Occupancies: []coupole.Occupancy{
			{CustomerID: "C-2", EAN: EANElecNamur, MoveIn: Day("2015-05-01"), MoveOut: Day("2020-09-01"),
				MoveInIndex: coupole.Registers{DayKWh: 100, NightKWh: 50}, MoveOutIndex: coupole.Registers{DayKWh: 9100.5, NightKWh: 4050.25}},
			{CustomerID: "C-1", EAN: EANElecNamur, MoveIn: Day("2020-09-01"),
				MoveInIndex: coupole.Registers{DayKWh: 9100.5, NightKWh: 4050.25}},
			{CustomerID: "C-3", EAN: EANGasNamur, MoveIn: Day("2019-01-01"), MoveInIndex: coupole.Registers{GasM3: 12}},
			{CustomerID: "C-1", EAN: EANGasNamur, MoveIn: Day("2016-01-01"), MoveOut: Day("2019-01-01"), MoveOutIndex: coupole.Registers{GasM3: 12}},
		},
		SupplyPeriods: []coupole.SupplyPeriod{
			{EAN: EANElecNamur, SupplierID: "SUP-B", From: Day("2021-01-01")},
			{EAN: EANElecNamur, SupplierID: "SUP-A", From: Day("2015-05-01"), To: Day("2021-01-01")},
			{EAN: EANGasNamur, SupplierID: "SUP-A", From: Day("2019-01-01")},
		},
		Mandates: []coupole.Mandate{
			{ID: "M-1", CustomerID: "C-1", MandataryName: "Marie Dupont", Scope: coupole.ScopeAll, ValidFrom: Day("2023-01-01"), ValidTo: Day("2024-01-01")},
			{ID: "M-2", CustomerID: "C-3", MandataryName: "CPAS de Namur", CPASID: "CPAS-NAMUR", Scope: coupole.ScopeAll, ValidFrom: Day("2022-02-01")},
			{ID: "M-3", CustomerID: "C-1", MandataryName: "CPAS de Namur", CPASID: "CPAS-NAMUR", Scope: coupole.ScopeCase, ValidFrom: Day("2021-02-01")},
		},
		Readings: []coupole.Reading{
			{EAN: EANElecNamur, Date: Day("2022-01-10"), Meter: "9876543A", Registers: coupole.Registers{DayKWh: 12000, NightKWh: 5000}, Source: coupole.SourceTechnician, Regime: coupole.RegimeAnnual},
			{EAN: EANElecNamur, Date: Day("2023-01-10"), Meter: "9876543A", Registers: coupole.Registers{DayKWh: 14500.5, NightKWh: 6100}, Source: coupole.SourceCustomer, Regime: coupole.RegimeAnnual},
			{EAN: EANElecNamur, Date: Day("2023-01-10"), Meter: "9876543A", Registers: coupole.Registers{DayKWh: 14400, NightKWh: 6000}, Source: coupole.SourceEstimated, Regime: coupole.RegimeAnnual},
			{EAN: EANElecNamur, Date: Day("2024-01-10"), Meter: "9876543A", Registers: coupole.Registers{DayKWh: 17000, NightKWh: 7200}, Source: coupole.SourceContactCenter, Regime: coupole.RegimeAnnual},
			{EAN: EANGasNamur, Date: Day("2024-01-01"), Meter: "G555", Registers: coupole.Registers{GasM3: 2500}, Source: coupole.SourceRemote, Regime: coupole.RegimeSmart},
		},
		PublicNotices: []coupole.PublicNotice{
			{ID: "N-1", Kind: coupole.PlannedWorks, Energy: coupole.Gas, Postcode: "5000", Town: "Namur", Street: "Rue de l'Église",
				From: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 3, 17, 0, 0, 0, time.UTC), Description: "Remplacement de conduite"},
			{ID: "N-2", Kind: coupole.Outage, Energy: coupole.Electricity, Postcode: "5000", Town: "Namur",
				From: time.Date(2024, 4, 30, 22, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 1, 2, 0, 0, 0, time.UTC), Description: "Panne générale"},
			{ID: "N-3", Kind: coupole.Outage, Energy: coupole.Electricity, Postcode: "5000", Town: "Namur", Street: "Rue de Fer",
				From: time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 2, 12, 0, 0, 0, time.UTC), Description: "Panne"},
			{ID: "N-4", Kind: coupole.PlannedWorks, Energy: coupole.Electricity, Postcode: "4000", Town: "Liège",
				From: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC), To: time.Date(2024, 5, 9, 17, 0, 0, 0, time.UTC), Description: "Travaux"},
		},
	}
}
