package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
)

// RunGridStoreTests runs the conformance suite of coupole.GridStore.
// newStore returns a fresh, empty store for each subtest.
func RunGridStoreTests(t *testing.T, newStore func(t *testing.T) coupole.GridStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s coupole.GridStore)
	}{
		{"AccessPointByEAN", testAccessPoint},
		{"AccessPointNotFoundMasksEAN", testAccessPointNotFound},
		{"AccessPointsByMeter", testAccessPointsByMeter},
		{"AccessPointsByAddress", testAccessPointsByAddress},
		{"Customer", testCustomer},
		{"CustomersByName", testCustomersByName},
		{"Occupancies", testOccupancies},
		{"Mandates", testMandates},
		{"CPASAndSupplier", testCPASAndSupplier},
		{"SupplyPeriods", testSupplyPeriods},
		{"Readings", testReadings},
		{"AddReadingOnce", testAddReadingOnce},
		{"PublicNotices", testPublicNotices},
		{"ReloadIsIdempotent", testReloadIsIdempotent},
		{"ReloadUpdatesByNaturalKey", testReloadUpdates},
		{"InvalidRecordRollsBackBatch", testInvalidRecordRollsBack},
		{"MissingReferenceIsInvalid", testMissingReference},
		{"DuplicateKeyInBatchIsInvalid", testDuplicateInBatch},
		{"EmptyAndNilBatch", testEmptyBatch},
		{"UpdateContact", testUpdateContact},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

// MustLoad loads b into s or fails the test.
func MustLoad(tb testing.TB, s coupole.GridStore, b *coupole.Batch) {
	tb.Helper()
	if err := s.Load(context.Background(), b); err != nil {
		tb.Fatalf("Load: %v", err)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := coupole.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func testAccessPoint(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	f := Fixture()
	MustLoad(t, s, f)
	for _, want := range f.AccessPoints {
		got, err := s.AccessPoint(ctx, want.EAN)
		if err != nil {
			t.Fatalf("AccessPoint(%s): %v", want.EAN.Masked(), err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("AccessPoint(%s) =\n %+v\nwant\n %+v", want.EAN.Masked(), got, want)
		}
	}
	// EANs typed with spaces are accepted (DESIGN.md: accept spaces on input).
	if _, err := s.AccessPoint(ctx, coupole.EAN(EANGasNamur.Grouped())); err != nil {
		t.Errorf("AccessPoint with grouped EAN: %v", err)
	}
	_, err := s.AccessPoint(ctx, "541448820000000001")
	wantCode(t, "AccessPoint with a wrong check digit", err, coupole.EINVALID)
}

func testAccessPointNotFound(t *testing.T, s coupole.GridStore) {
	MustLoad(t, s, Fixture())
	missing := EAN(999)
	_, err := s.AccessPoint(context.Background(), missing)
	wantCode(t, "AccessPoint(missing)", err, coupole.ENOTFOUND)
	if err != nil && strings.Contains(err.Error(), string(missing)) {
		t.Error("the not-found error repeats the EAN; it must be masked")
	}
	if err != nil && !strings.Contains(coupole.ErrorMessage(err), missing.Masked()) {
		t.Errorf("the not-found message %q does not show the masked EAN", coupole.ErrorMessage(err))
	}
}

func eans(aps []coupole.AccessPoint) []coupole.EAN {
	out := []coupole.EAN{}
	for _, ap := range aps {
		out = append(out, ap.EAN)
	}
	return out
}

// C2: identify by meter number; the number is normalised like an advisor's
// input (case, spaces, suffix after a dash), leading zeros kept.
func testAccessPointsByMeter(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	MustLoad(t, s, Fixture())
	tests := []struct {
		meter string
		want  []coupole.EAN
	}{
		{"9876543a", []coupole.EAN{EANElecNamur}},
		{" 9876 543A-02 ", []coupole.EAN{EANElecNamur}},
		{"0012345", []coupole.EAN{EANElecNamur}}, // a removed meter still identifies its access point
		{"12345", []coupole.EAN{}},               // leading zeros matter
		{"l1000-2", []coupole.EAN{EANElecLiege}},
		{"NOPE", []coupole.EAN{}},
	}
	for _, tt := range tests {
		aps, err := s.AccessPointsByMeter(ctx, coupole.MeterNumber(tt.meter))
		if err != nil {
			t.Errorf("AccessPointsByMeter(%q): %v", tt.meter, err)
			continue
		}
		if got := eans(aps); !slices.Equal(got, tt.want) {
			t.Errorf("AccessPointsByMeter(%q) = %v, want %v", tt.meter, got, tt.want)
		}
		if len(aps) == 1 && len(aps[0].Meters) == 0 {
			t.Errorf("AccessPointsByMeter(%q) returned an access point without its meters", tt.meter)
		}
	}
	_, err := s.AccessPointsByMeter(ctx, " ")
	wantCode(t, "AccessPointsByMeter(blank)", err, coupole.EINVALID)
}

// C2: identify by address: postcode, street prefix ignoring case and accents,
// optional house number.
func testAccessPointsByAddress(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	MustLoad(t, s, Fixture())
	tests := []struct {
		q    coupole.AddressQuery
		want []coupole.EAN
	}{
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "rue de l'eglise"}, []coupole.EAN{EANElecNamur, EANGasNamur}},
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "RUE DE L ÉG"}, []coupole.EAN{EANElecNamur, EANGasNamur}},
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "rue", Number: "14"}, []coupole.EAN{EANGasNamur}},
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "rue", Limit: 1}, []coupole.EAN{EANElecNamur}},
		// Issue 15, item 6: abbreviations, the street without its type and
		// articles, house number ranges.
		{coupole.AddressQuery{Postcode: "4000", StreetPrefix: "bd"}, []coupole.EAN{EANElecLiege}},
		{coupole.AddressQuery{Postcode: "4000", StreetPrefix: "avroy", Number: "7b"}, []coupole.EAN{EANElecLiege}},
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "r. de l'église"}, []coupole.EAN{EANElecNamur, EANGasNamur}},
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "Eglise", Number: "10-13"}, []coupole.EAN{EANElecNamur}},
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "rue de l'eglise", Number: "12 à 20"}, []coupole.EAN{EANElecNamur, EANGasNamur}},
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "avenue de l'eglise"}, []coupole.EAN{}}, // another type
		{coupole.AddressQuery{Postcode: "4000", StreetPrefix: "glise"}, []coupole.EAN{}},
		{coupole.AddressQuery{Postcode: "4000", StreetPrefix: "boulevard d'av", Number: "7B"}, []coupole.EAN{EANElecLiege}},
		{coupole.AddressQuery{Postcode: "4000", StreetPrefix: "rue de l'eglise"}, []coupole.EAN{}},
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "eglise"}, []coupole.EAN{EANElecNamur, EANGasNamur}}, // without type and articles
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "glise"}, []coupole.EAN{}},                           // a prefix of words, not a substring
		{coupole.AddressQuery{Postcode: "5000", StreetPrefix: "rue de l'eglise", Number: "13"}, []coupole.EAN{}},
	}
	for _, tt := range tests {
		aps, err := s.AccessPointsByAddress(ctx, tt.q)
		if err != nil {
			t.Errorf("AccessPointsByAddress(%+v): %v", tt.q, err)
			continue
		}
		if got := eans(aps); !slices.Equal(got, tt.want) {
			t.Errorf("AccessPointsByAddress(%+v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	for _, q := range []coupole.AddressQuery{{Postcode: "500", StreetPrefix: "rue"}, {Postcode: "5000", StreetPrefix: " - "}} {
		_, err := s.AccessPointsByAddress(ctx, q)
		wantCode(t, "AccessPointsByAddress(bad query)", err, coupole.EINVALID)
	}
}

func testCustomer(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	f := Fixture()
	MustLoad(t, s, f)
	for _, want := range f.Customers {
		got, err := s.Customer(ctx, want.ID)
		if err != nil {
			t.Fatalf("Customer(%s): %v", want.ID, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Customer(%s) =\n %+v\nwant\n %+v", want.ID, got, want)
		}
	}
	_, err := s.Customer(ctx, "C-404")
	wantCode(t, "Customer(missing)", err, coupole.ENOTFOUND)
}

func customerIDs(cs []coupole.Customer) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}

// C2: identify by name, ignoring case and accents, each typed word a prefix
// of a word of the name, in any order.
func testCustomersByName(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	MustLoad(t, s, Fixture())
	tests := []struct {
		name string
		want []string
	}{
		{"gerard", []string{"C-1", "C-2"}},
		{"GÉRARD", []string{"C-1", "C-2"}},
		{"gér", []string{"C-1", "C-2"}},
		{"dupont g", []string{"C-1"}},
		{"g dupont", []string{"C-1"}},
		{"gérard dupon", []string{"C-1", "C-2"}},
		{"dupond", []string{"C-2"}},
		{"eloise", []string{"C-3"}},
		{"van den berg", []string{"C-3"}},
		{"Van den Berg él", []string{"C-3"}}, // family name first, as advisors type it
		{"den berg", []string{"C-3"}},
		{"eloise van d", []string{"C-3"}},
		{"berg", []string{"C-3"}},
		{"jean-pierre", []string{"C-4"}},
		{"pierre d'hondt", []string{"C-4"}},
		{"hondt", []string{"C-4"}},
		{"d", []string{"C-1", "C-2", "C-3", "C-4"}},
		{"dupont eloise", []string{}},
		{"ard", []string{}}, // prefixes, not substrings
		{"zzz", []string{}},
	}
	for _, tt := range tests {
		cs, err := s.CustomersByName(ctx, tt.name, 10)
		if err != nil {
			t.Errorf("CustomersByName(%q): %v", tt.name, err)
			continue
		}
		if got := customerIDs(cs); !slices.Equal(got, tt.want) {
			t.Errorf("CustomersByName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
	cs, err := s.CustomersByName(ctx, "d", 2)
	if err != nil || len(cs) != 2 || cs[0].ID == cs[1].ID {
		t.Errorf("CustomersByName(d, limit 2) = %v, %v; want 2 different customers", customerIDs(cs), err)
	}
	for _, blank := range []string{"", "  ", "-'"} {
		_, err := s.CustomersByName(ctx, blank, 10)
		wantCode(t, "CustomersByName(blank)", err, coupole.EINVALID)
	}
}

// D1: occupancies bound what a customer may learn; open-ended while current.
func testOccupancies(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	f := Fixture()
	MustLoad(t, s, f)
	got, err := s.OccupanciesOfAccessPoint(ctx, EANElecNamur)
	if err != nil {
		t.Fatal(err)
	}
	want := []coupole.Occupancy{f.Occupancies[0], f.Occupancies[1]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("OccupanciesOfAccessPoint =\n %+v\nwant\n %+v", got, want)
	}
	if len(got) == 2 && !got[1].MoveOut.IsZero() {
		t.Error("the current occupancy has a move-out date")
	}
	got, err = s.OccupanciesOfCustomer(ctx, "C-1")
	if err != nil {
		t.Fatal(err)
	}
	want = []coupole.Occupancy{f.Occupancies[3], f.Occupancies[1]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("OccupanciesOfCustomer =\n %+v\nwant\n %+v", got, want)
	}
	got, err = s.OccupanciesOfAccessPoint(ctx, EANElecLiege)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("OccupanciesOfAccessPoint(no occupant) = %v, %v; want an empty slice", got, err)
	}
	got, err = s.OccupanciesOfCustomer(ctx, "C-404")
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("OccupanciesOfCustomer(unknown) = %v, %v; want an empty slice", got, err)
	}
	_, err = s.OccupanciesOfAccessPoint(ctx, "12")
	wantCode(t, "OccupanciesOfAccessPoint(bad EAN)", err, coupole.EINVALID)
}

// D6: a CPAS holds permanent mandates for its beneficiaries.
func testMandates(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	f := Fixture()
	MustLoad(t, s, f)
	got, err := s.MandatesOfCustomer(ctx, "C-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []coupole.Mandate{f.Mandates[2], f.Mandates[0]}; !reflect.DeepEqual(got, want) {
		t.Errorf("MandatesOfCustomer =\n %+v\nwant\n %+v", got, want)
	}
	got, err = s.MandatesOfCPAS(ctx, "CPAS-NAMUR")
	if err != nil {
		t.Fatal(err)
	}
	if want := []coupole.Mandate{f.Mandates[2], f.Mandates[1]}; !reflect.DeepEqual(got, want) {
		t.Errorf("MandatesOfCPAS =\n %+v\nwant\n %+v", got, want)
	}
	for _, m := range got {
		if !m.ValidTo.IsZero() || m.ValidityOn(Day("2030-01-01")) != coupole.MandateValid {
			t.Errorf("CPAS mandate %s is not permanent", m.ID)
		}
	}
	got, err = s.MandatesOfCustomer(ctx, "C-2")
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("MandatesOfCustomer(none) = %v, %v; want an empty slice", got, err)
	}
	got, err = s.MandatesOfCPAS(ctx, "CPAS-OTHER")
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("MandatesOfCPAS(unknown) = %v, %v; want an empty slice", got, err)
	}
}

func testCPASAndSupplier(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	f := Fixture()
	MustLoad(t, s, f)
	c, err := s.CPAS(ctx, "CPAS-NAMUR")
	if err != nil || c != f.CPAS[0] {
		t.Errorf("CPAS = %+v, %v; want %+v", c, err, f.CPAS[0])
	}
	_, err = s.CPAS(ctx, "CPAS-X")
	wantCode(t, "CPAS(missing)", err, coupole.ENOTFOUND)
	sup, err := s.Supplier(ctx, "SUP-A")
	if err != nil || sup != f.Suppliers[0] {
		t.Errorf("Supplier = %+v, %v; want %+v", sup, err, f.Suppliers[0])
	}
	_, err = s.Supplier(ctx, "SUP-X")
	wantCode(t, "Supplier(missing)", err, coupole.ENOTFOUND)
}

func testSupplyPeriods(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	f := Fixture()
	MustLoad(t, s, f)
	got, err := s.SupplyPeriods(ctx, EANElecNamur)
	if err != nil {
		t.Fatal(err)
	}
	if want := []coupole.SupplyPeriod{f.SupplyPeriods[1], f.SupplyPeriods[0]}; !reflect.DeepEqual(got, want) {
		t.Errorf("SupplyPeriods =\n %+v\nwant\n %+v", got, want)
	}
	got, err = s.SupplyPeriods(ctx, EANElecLiege)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("SupplyPeriods(none) = %v, %v; want an empty slice", got, err)
	}
}

// D8: consumption history is read by date range, [from, to).
func testReadings(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	f := Fixture()
	MustLoad(t, s, f)
	r := f.Readings
	tests := []struct {
		from, to time.Time
		want     []coupole.Reading
	}{
		{Day("2022-01-10"), Day("2024-01-10"), []coupole.Reading{r[0], r[1], r[2]}}, // to excluded
		{Day("2022-01-11"), Day("2024-01-11"), []coupole.Reading{r[1], r[2], r[3]}},
		{Day("2023-01-10"), time.Time{}, []coupole.Reading{r[1], r[2], r[3]}}, // open-ended
		{Day("2025-01-01"), Day("2026-01-01"), []coupole.Reading{}},
	}
	for _, tt := range tests {
		got, err := s.Readings(ctx, EANElecNamur, tt.from, tt.to)
		if err != nil {
			t.Errorf("Readings(%s, %s): %v", day(tt.from), day(tt.to), err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Readings(%s, %s) =\n %+v\nwant\n %+v", day(tt.from), day(tt.to), got, tt.want)
		}
	}
	_, err := s.Readings(ctx, EANElecNamur, Day("2024-01-01"), Day("2023-01-01"))
	wantCode(t, "Readings(reversed period)", err, coupole.EINVALID)
}

// C3: an index taken at the contact center is added once; the same meter,
// day and source again is a conflict, and nothing changes.
func testAddReadingOnce(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	f := Fixture()
	MustLoad(t, s, f)
	last := f.Readings[3]
	r := coupole.Reading{EAN: EANElecNamur, Date: Day("2026-11-30"), Meter: last.Meter, Source: coupole.SourceContactCenter, Regime: last.Regime,
		Registers: coupole.Registers{DayKWh: last.Registers.DayKWh + 10, NightKWh: last.Registers.NightKWh + 5}}
	if err := s.AddReading(ctx, r); err != nil {
		t.Fatalf("AddReading: %v", err)
	}
	again := r
	again.Registers.DayKWh += 1
	wantCode(t, "AddReading(same meter, day and source)", s.AddReading(ctx, again), coupole.ECONFLICT)
	got, err := s.Readings(ctx, EANElecNamur, r.Date, r.Date.AddDate(0, 0, 1))
	if err != nil || len(got) != 1 || got[0].Registers != r.Registers {
		t.Errorf("readings of the day = %+v, %v; want the first index only", got, err)
	}
	bad := r
	bad.Date = Day("2026-11-29")
	bad.Registers.DayKWh = -1
	wantCode(t, "AddReading(negative index)", s.AddReading(ctx, bad), coupole.EINVALID)
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

// D9: public notices by postcode and street, current or upcoming.
func testPublicNotices(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	MustLoad(t, s, Fixture())
	ids := func(ns []coupole.PublicNotice) []string {
		out := []string{}
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}
	tests := []struct {
		postcode, street string
		at               time.Time
		want             []string
	}{
		{"5000", "", time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), []string{"N-2", "N-1", "N-3"}},
		{"5000", "rue de l'EGLISE", time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), []string{"N-2", "N-1"}},
		{"5000", "Rue de Fer", time.Date(2024, 5, 1, 3, 0, 0, 0, time.UTC), []string{"N-3"}}, // N-2 is over
		{"5000", "", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), []string{}},
		{"4000", "", time.Date(2024, 5, 5, 0, 0, 0, 0, time.UTC), []string{"N-4"}},
	}
	for _, tt := range tests {
		got, err := s.PublicNotices(ctx, tt.postcode, tt.street, tt.at)
		if err != nil {
			t.Errorf("PublicNotices(%s, %q): %v", tt.postcode, tt.street, err)
			continue
		}
		if !slices.Equal(ids(got), tt.want) {
			t.Errorf("PublicNotices(%s, %q, %s) = %v, want %v", tt.postcode, tt.street, tt.at, ids(got), tt.want)
		}
	}
	got, _ := s.PublicNotices(ctx, "4000", "", time.Date(2024, 5, 5, 0, 0, 0, 0, time.UTC))
	if f := Fixture().PublicNotices[3]; len(got) != 1 || !reflect.DeepEqual(got[0], f) {
		t.Errorf("PublicNotices read back %+v, want %+v", got, f)
	}
	_, err := s.PublicNotices(ctx, "50", "", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	wantCode(t, "PublicNotices(bad postcode)", err, coupole.EINVALID)
}

// snapshot reads back everything the fixture holds.
func snapshot(t *testing.T, s coupole.GridStore) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	f := Fixture()
	for _, ap := range f.AccessPoints {
		got, err := s.AccessPoint(ctx, ap.EAN)
		o, err2 := s.OccupanciesOfAccessPoint(ctx, ap.EAN)
		p, err3 := s.SupplyPeriods(ctx, ap.EAN)
		r, err4 := s.Readings(ctx, ap.EAN, Day("2000-01-01"), time.Time{})
		if err := errors.Join(err, err2, err3, err4); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join([]string{sprint(got), sprint(o), sprint(p), sprint(r)}, "\n"))
	}
	for _, c := range f.Customers {
		got, err := s.Customer(ctx, c.ID)
		m, err2 := s.MandatesOfCustomer(ctx, c.ID)
		if err := errors.Join(err, err2); err != nil {
			t.Fatal(err)
		}
		b.WriteString(sprint(got) + sprint(m))
	}
	return b.String()
}

func sprint(v any) string { return fmt.Sprintf("%+v\n", v) }

func testReloadIsIdempotent(t *testing.T, s coupole.GridStore) {
	MustLoad(t, s, Fixture())
	before := snapshot(t, s)
	MustLoad(t, s, Fixture())
	if after := snapshot(t, s); after != before {
		t.Errorf("loading the same batch twice changed the data:\nbefore %s\nafter  %s", before, after)
	}
	cs, err := s.CustomersByName(context.Background(), "gerard", 10)
	if err != nil || len(cs) != 2 {
		t.Errorf("after a reload, CustomersByName(gerard) = %v, %v; want 2 customers once each", customerIDs(cs), err)
	}
}

// Re-importing a corrected file updates the records in place.
func testReloadUpdates(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	MustLoad(t, s, Fixture())
	changed := &coupole.Batch{
		Customers:    []coupole.Customer{Fixture().Customers[1]},
		Occupancies:  []coupole.Occupancy{Fixture().Occupancies[1]},
		AccessPoints: []coupole.AccessPoint{Fixture().AccessPoints[1]},
	}
	changed.Customers[0].FamilyName = "Lambert"
	changed.Occupancies[0].MoveOut = Day("2024-06-30")
	changed.AccessPoints[0].Regime = coupole.RegimeMonthly
	MustLoad(t, s, changed)
	if cs, _ := s.CustomersByName(ctx, "dupond", 10); len(cs) != 0 {
		t.Errorf("the old name still finds the renamed customer: %v", customerIDs(cs))
	}
	if cs, _ := s.CustomersByName(ctx, "lambert gerard", 10); !slices.Equal(customerIDs(cs), []string{"C-2"}) {
		t.Errorf("the new name does not find the renamed customer: %v", customerIDs(cs))
	}
	occ, _ := s.OccupanciesOfCustomer(ctx, "C-1")
	if len(occ) != 2 || !occ[1].MoveOut.Equal(Day("2024-06-30")) {
		t.Errorf("the move-out was not recorded: %+v", occ)
	}
	ap, _ := s.AccessPoint(ctx, EANGasNamur)
	if ap.Regime != coupole.RegimeMonthly {
		t.Errorf("regime = %s, want monthly", ap.Regime)
	}
}

// Bad input leaves nothing half-written: one invalid record, nothing loaded.
func testInvalidRecordRollsBack(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	b := Fixture()
	b.Readings[3].Registers.DayKWh = -1
	err := s.Load(ctx, b)
	wantCode(t, "Load(batch with a negative index)", err, coupole.EINVALID)
	var rec *coupole.BatchRecordError
	if !errors.As(err, &rec) || rec.Kind != "Readings" || rec.Index != 3 {
		t.Errorf("Load error %v does not locate Readings[3]", err)
	}
	_, err = s.AccessPoint(ctx, EANElecNamur)
	wantCode(t, "AccessPoint after a refused batch", err, coupole.ENOTFOUND)
	b = Fixture()
	b.AccessPoints[2].EAN = "541448820000000001" // wrong check digit
	err = s.Load(ctx, b)
	wantCode(t, "Load(batch with a bad EAN)", err, coupole.EINVALID)
	if err != nil && strings.Contains(err.Error(), "541448820000000001") {
		t.Error("the error repeats the EAN")
	}
	if cs, _ := s.CustomersByName(ctx, "gerard", 10); len(cs) != 0 {
		t.Errorf("a refused batch left customers behind: %v", customerIDs(cs))
	}
}

// A record that refers to something absent is refused with a clear error,
// and the whole batch with it.
func testMissingReference(t *testing.T, s coupole.GridStore) {
	ctx := context.Background()
	MustLoad(t, s, Fixture())
	b := &coupole.Batch{
		Customers: []coupole.Customer{{ID: "C-9", FamilyName: "Neuf", Language: coupole.French,
			PostalAddress: coupole.Address{Street: "Rue Neuve", Number: "9", Postcode: "5000", Town: "Namur"}}},
		Occupancies: []coupole.Occupancy{
			{CustomerID: "C-9", EAN: EANElecLiege, MoveIn: Day("2024-01-01")}, // customer in the batch
			{CustomerID: "C-1", EAN: EANElecLiege, MoveIn: Day("2010-01-01")}, // customer in the store
			{CustomerID: "C-404", EAN: EANElecLiege, MoveIn: Day("2011-01-01")},
		},
	}
	err := s.Load(ctx, b)
	wantCode(t, "Load(occupancy of an unknown customer)", err, coupole.EINVALID)
	var rec *coupole.BatchRecordError
	if !errors.As(err, &rec) || rec.Kind != "Occupancies" || rec.Index != 2 {
		t.Errorf("Load error %v does not locate Occupancies[2]", err)
	}
	if msg := coupole.ErrorMessage(err); !strings.Contains(msg, "customer") {
		t.Errorf("message %q does not say that the customer is missing", msg)
	}
	if _, err := s.Customer(ctx, "C-9"); coupole.ErrorCode(err) != coupole.ENOTFOUND {
		t.Errorf("a refused batch left a customer behind (%v)", err)
	}
	b = &coupole.Batch{SupplyPeriods: []coupole.SupplyPeriod{{EAN: EANElecLiege, SupplierID: "SUP-X", From: Day("2020-01-01")}}}
	err = s.Load(ctx, b)
	wantCode(t, "Load(supply period of an unknown supplier)", err, coupole.EINVALID)
	if msg := coupole.ErrorMessage(err); !strings.Contains(msg, "supplier") {
		t.Errorf("message %q does not say that the supplier is missing", msg)
	}
	b = &coupole.Batch{Readings: []coupole.Reading{{EAN: EAN(77), Date: Day("2020-01-01"), Source: coupole.SourceCustomer, Regime: coupole.RegimeAnnual}}}
	err = s.Load(ctx, b)
	wantCode(t, "Load(reading of an unknown access point)", err, coupole.EINVALID)
	if err != nil && strings.Contains(err.Error(), string(EAN(77))) {
		t.Error("the error repeats the EAN")
	}
}

func testDuplicateInBatch(t *testing.T, s coupole.GridStore) {
	b := Fixture()
	b.Customers = append(b.Customers, b.Customers[0])
	err := s.Load(context.Background(), b)
	wantCode(t, "Load(customer twice)", err, coupole.EINVALID)
	var rec *coupole.BatchRecordError
	if !errors.As(err, &rec) || rec.Kind != "Customers" || rec.Index != 4 {
		t.Errorf("Load error %v does not locate Customers[4]", err)
	}
}

func testEmptyBatch(t *testing.T, s coupole.GridStore) {
	if err := s.Load(context.Background(), &coupole.Batch{}); err != nil {
		t.Errorf("Load(empty batch): %v", err)
	}
	wantCode(t, "Load(nil)", s.Load(context.Background(), nil), coupole.EINVALID)
}
