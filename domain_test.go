package coupole_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func namurAddress() coupole.Address {
	return coupole.Address{Street: "Rue de Fer", Number: "12", Postcode: "5000", Town: "Namur"}
}

func TestAddressValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*coupole.Address)
		wantErr string
	}{
		{"complete", func(*coupole.Address) {}, ""},
		{"no street", func(a *coupole.Address) { a.Street = " " }, "street"},
		{"no number", func(a *coupole.Address) { a.Number = "" }, "house number"},
		{"no town", func(a *coupole.Address) { a.Town = "" }, "town"},
		{"short postcode", func(a *coupole.Address) { a.Postcode = "500" }, "postcode"},
		{"postcode starting with 0", func(a *coupole.Address) { a.Postcode = "0500" }, "postcode"},
		{"postcode with letters", func(a *coupole.Address) { a.Postcode = "50A0" }, "postcode"},
	}
	for _, tt := range tests {
		a := namurAddress()
		tt.edit(&a)
		err := a.Validate()
		if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: Validate = %v, want error containing %q", tt.name, err, tt.wantErr)
		}
	}
	a := namurAddress()
	a.Box = "3"
	if got := a.String(); got != "Rue de Fer 12 bte 3, 5000 Namur" {
		t.Errorf("String = %q", got)
	}
	if got := a.Masked(); strings.Contains(got, "12") {
		t.Errorf("Masked reveals the house number: %q", got)
	}
}

func TestAccessPointMeters(t *testing.T) {
	ap := coupole.AccessPoint{
		EAN: coupole.EAN(validEAN("54144882000012345")), Energy: coupole.Electricity,
		Address: namurAddress(), Regime: coupole.RegimeSmart,
		Meters: []coupole.MeterInstallation{
			{Number: "000111", From: day("2015-03-01"), To: day("2024-06-10")},
			{Number: "1SAG0042", From: day("2024-06-10")},
		},
	}
	if err := ap.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	for _, tt := range []struct {
		on   string
		want coupole.MeterNumber
		ok   bool
	}{
		{"2014-01-01", "", false},
		{"2015-03-01", "000111", true},
		{"2024-06-09", "000111", true},
		{"2024-06-10", "1SAG0042", true},
		{"2030-01-01", "1SAG0042", true},
	} {
		m, ok := ap.MeterOn(day(tt.on))
		if ok != tt.ok || m.Number != tt.want {
			t.Errorf("MeterOn(%s) = %q, %v; want %q, %v", tt.on, m.Number, ok, tt.want, tt.ok)
		}
	}

	overlap := ap
	overlap.Meters = []coupole.MeterInstallation{
		{Number: "000111", From: day("2015-03-01")},
		{Number: "1SAG0042", From: day("2024-06-10")},
	}
	if err := overlap.Validate(); err == nil || !strings.Contains(err.Error(), "before the previous meter was removed") {
		t.Errorf("two meters in place at once: Validate = %v", err)
	}
	badEnum := ap
	badEnum.Regime = "weekly"
	if err := badEnum.Validate(); err == nil || !strings.Contains(err.Error(), `reading_regime: unknown value "weekly"`) {
		t.Errorf("unknown regime: Validate = %v", err)
	}
}

func TestCustomerMobileRegisteredBefore(t *testing.T) {
	// D4: an SMS goes only to a number registered before the interaction.
	c := coupole.Customer{ID: "C1", FamilyName: "Dupont", GivenName: "Gérard", Language: coupole.French,
		Mobile: "+32470123412", MobileRegisteredAt: day("2026-01-10"), PostalAddress: namurAddress()}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !c.HasMobileRegisteredBefore(day("2026-02-01")) {
		t.Error("mobile registered in January not usable in February")
	}
	if c.HasMobileRegisteredBefore(day("2026-01-10")) {
		t.Error("mobile registered at the very moment of the interaction must not count")
	}
	c.Mobile = ""
	if c.HasMobileRegisteredBefore(day("2027-01-01")) {
		t.Error("no mobile, yet HasMobileRegisteredBefore")
	}
	if got := (coupole.Customer{GivenName: "Élodie", FamilyName: "Lejeune"}).MaskedName(); got != "É••• L•••" {
		t.Errorf("MaskedName = %q", got)
	}
	if got := coupole.MaskPhone("+32470123412"); got != "+32 ••• •• •• 12" {
		t.Errorf("MaskPhone = %q", got)
	}
	for _, bad := range []string{"0470123412", "+32 470", "+32470ABC412"} {
		if coupole.ValidateE164(bad) == nil {
			t.Errorf("ValidateE164(%q) accepted", bad)
		}
	}
}

func TestRelationOn(t *testing.T) {
	// D1: data is given only about the requester's own occupancy periods.
	occ := []coupole.Occupancy{
		{CustomerID: "C1", MoveIn: day("2019-05-01"), MoveOut: day("2022-08-31")},
		{CustomerID: "C1", MoveIn: day("2024-01-15")},
	}
	for _, tt := range []struct {
		on   string
		want coupole.OccupancyRelation
	}{
		{"2018-01-01", coupole.OccupancyNone},
		{"2020-01-01", coupole.OccupancyCurrent},
		{"2023-01-01", coupole.OccupancyPast},
		{"2024-01-15", coupole.OccupancyCurrent},
	} {
		if got := coupole.RelationOn(occ, day(tt.on)); got != tt.want {
			t.Errorf("RelationOn(%s) = %s, want %s", tt.on, got, tt.want)
		}
	}
	if got := coupole.RelationOn(nil, day("2020-01-01")); got != coupole.OccupancyNone {
		t.Errorf("no occupancy: %s", got)
	}
	bad := coupole.Occupancy{CustomerID: "C1", EAN: coupole.EAN(validEAN("54144882000012345")), MoveIn: day("2020-01-01"), MoveOut: day("2020-01-01")}
	if err := bad.Validate(); err == nil {
		t.Error("occupancy ending the day it starts accepted")
	}
}

func TestMandateValidity(t *testing.T) {
	m := coupole.Mandate{ID: "M1", CustomerID: "C1", MandataryName: "Marie Lambert", Scope: coupole.ScopeAll,
		ValidFrom: day("2025-01-01"), ValidTo: day("2026-01-01")}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		on   string
		want coupole.MandateValidity
	}{
		{"2024-12-31", coupole.MandateNone},
		{"2025-01-01", coupole.MandateValid},
		{"2025-12-31", coupole.MandateValid},
		{"2026-01-01", coupole.MandateExpired},
	} {
		if got := m.ValidityOn(day(tt.on)); got != tt.want {
			t.Errorf("ValidityOn(%s) = %s, want %s", tt.on, got, tt.want)
		}
	}
	cpas := coupole.Mandate{ID: "M2", CustomerID: "C2", MandataryName: "CPAS de Namur", CPASID: "CPAS-5000",
		Scope: coupole.ScopeAll, ValidFrom: day("2020-01-01")}
	if got := cpas.ValidityOn(day("2040-01-01")); got != coupole.MandateValid {
		t.Errorf("permanent CPAS mandate (D6) not valid in 2040: %s", got)
	}
	m.Scope = "everything"
	if err := m.Validate(); err == nil || !strings.Contains(err.Error(), "mandate scope") {
		t.Errorf("unknown scope: %v", err)
	}
}

func TestErrorHelpers(t *testing.T) {
	err := coupole.Wrap(errString("disk full"), coupole.EUNAVAILABLE, "cannot write")
	if coupole.ErrorCode(err) != coupole.EUNAVAILABLE || coupole.ErrorMessage(err) != "cannot write" {
		t.Errorf("got %s / %s", coupole.ErrorCode(err), coupole.ErrorMessage(err))
	}
	if coupole.ErrorCode(errString("x")) != coupole.EINTERNAL || coupole.ErrorMessage(errString("secret")) == "secret" {
		t.Error("a foreign error must be internal with a generic message")
	}
	if coupole.ErrorCode(nil) != "" {
		t.Error("nil error has a code")
	}
}

type errString string

func (e errString) Error() string { return string(e) }
