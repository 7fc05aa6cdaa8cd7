package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
	"github.com/coupole/coupole/sqlstore/storetest"
)

// gridTables are the tables a Load writes, each with the ORDER BY of its key.
var gridTables = map[string]string{
	"suppliers": "id", "cpas": "id", "access_points": "ean", "meters": "ean, installed_on",
	"customers": "id", "customer_name_keys": "name_key, customer_id",
	"occupancies": "ean, move_in, customer_id", "supply_periods": "ean, starts_on",
	"mandates": "id", "readings": "ean, read_on, meter_number, source", "public_notices": "id",
}

// mustDumpGrid returns every row of the grid tables as text.
func mustDumpGrid(tb testing.TB, db *sqlstore.DB) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for table, order := range gridTables {
		var s string
		q := fmt.Sprintf(`SELECT coalesce(string_agg(t::text, E'\n' ORDER BY %s), '') FROM %s t`, order, table)
		if err := db.Writer().QueryRowContext(context.Background(), q).Scan(&s); err != nil {
			tb.Fatalf("dump %s: %v", table, err)
		}
		out[table] = s
	}
	return out
}

// copyFixture is the store fixture with values whose encoding the COPY path
// must get right: an instant with nanoseconds outside UTC, a day written in
// a zone where it is already the next day in UTC.
func copyFixture() *coupole.Batch {
	b := storetest.Fixture()
	east := time.FixedZone("UTC+14", 14*3600)
	for i := range b.Customers {
		if b.Customers[i].Mobile != "" {
			b.Customers[i].MobileRegisteredAt = time.Date(2022, 3, 4, 9, 30, 0, 123456789, east)
		}
	}
	b.Occupancies[0].MoveIn = time.Date(b.Occupancies[0].MoveIn.Year(), b.Occupancies[0].MoveIn.Month(), b.Occupancies[0].MoveIn.Day(), 0, 30, 0, 0, east)
	return b
}

// On PostgreSQL, Load copies batches with the COPY protocol (issue 18,
// item 5). It must write exactly what the multi-row INSERTs write, count
// the same changes, and find nothing to change when the other path loaded
// the same batch before: first loads (copied straight into the tables) and
// loads over existing rows (staged and merged) alike.
func TestPostgresCopyLoadWritesWhatInsertsWrite(t *testing.T) {
	copied, inserted := sqltest.MustOpenPostgres(t), sqltest.MustOpenPostgres(t)
	ctx := context.Background()

	second := copyFixture()
	second.Customers[0].GivenName, second.Customers[0].FamilyName = "Anne-Marie", "Dupont-Lejeune" // renamed
	second.Customers[1].Email = "autre@example.be"
	second.AccessPoints = append(second.AccessPoints, coupole.AccessPoint{EAN: storetest.EAN(77), Energy: coupole.Gas,
		Regime: coupole.RegimeAnnual, Address: coupole.Address{Street: "Rue Haute", Number: "1", Postcode: "5000", Town: "Namur"}})

	for i, b := range []*coupole.Batch{copyFixture(), second} {
		nc, err := copied.LoadCounted(ctx, b)
		if err != nil {
			t.Fatalf("batch %d: COPY load: %v", i, err)
		}
		ni, err := inserted.LoadCountedMultiRow(ctx, b)
		if err != nil {
			t.Fatalf("batch %d: INSERT load: %v", i, err)
		}
		if nc != ni || nc == 0 {
			t.Errorf("batch %d: COPY load changed %d rows, INSERT load %d", i, nc, ni)
		}
		dc, di := mustDumpGrid(t, copied), mustDumpGrid(t, inserted)
		for table := range gridTables {
			if dc[table] != di[table] {
				t.Errorf("batch %d: %s differs:\nCOPY:\n%s\nINSERT:\n%s", i, table, dc[table], di[table])
			}
		}
		// Each path finds nothing to change in what the other wrote.
		if n, err := inserted.LoadCounted(ctx, b); err != nil || n != 0 {
			t.Errorf("batch %d: COPY reload over INSERTed rows changed %d (%v), want 0", i, n, err)
		}
		if n, err := copied.LoadCountedMultiRow(ctx, b); err != nil || n != 0 {
			t.Errorf("batch %d: INSERT reload over COPied rows changed %d (%v), want 0", i, n, err)
		}
	}
	cs, err := copied.CustomersByName(ctx, "dupont-lejeune", 10)
	if err != nil || len(cs) != 1 {
		t.Errorf("the renamed customer is not found by its new name: %d found (%v)", len(cs), err)
	}
}

// A batch is loaded whole or not at all on the COPY path too: a failure in
// the last table written leaves none of the others behind, whether the
// tables were copied into directly (a first load) or through staging.
func TestPostgresCopyLoadIsAllOrNothing(t *testing.T) {
	db := sqltest.MustOpenPostgres(t)
	ctx := context.Background()
	exec := func(q string) {
		t.Helper()
		if _, err := db.Writer().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Public notices are written last: a trigger refuses them.
	exec(`CREATE FUNCTION refuse_notice() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by test'; END $$`)
	exec(`CREATE TRIGGER refuse_notice BEFORE INSERT OR UPDATE ON public_notices FOR EACH ROW EXECUTE FUNCTION refuse_notice()`)

	for _, tc := range []struct {
		name  string
		setup func()
	}{
		{"first load", func() {}},
		{"over existing rows", func() {
			exec(`ALTER TABLE public_notices DISABLE TRIGGER refuse_notice`)
			if _, err := db.LoadCounted(ctx, storetest.Fixture()); err != nil {
				t.Fatal(err)
			}
			exec(`ALTER TABLE public_notices ENABLE TRIGGER refuse_notice`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			before := mustDumpGrid(t, db)
			b := storetest.Fixture()
			b.Customers[0].FamilyName = "Changé"
			b.AccessPoints = append(b.AccessPoints, coupole.AccessPoint{EAN: storetest.EAN(88), Energy: coupole.Gas,
				Regime: coupole.RegimeAnnual, Address: coupole.Address{Street: "Rue Basse", Number: "2", Postcode: "5000", Town: "Namur"}})
			b.PublicNotices[0].Description += " (changed)"
			_, err := db.LoadCounted(ctx, b)
			var ce *coupole.Error
			if err == nil || !errors.As(err, &ce) {
				t.Fatalf("Load with a refused notice: %v, want an error", err)
			}
			if strings.Contains(err.Error(), "Changé") {
				t.Error("the error repeats personal data")
			}
			after := mustDumpGrid(t, db)
			for table := range gridTables {
				if before[table] != after[table] {
					t.Errorf("a refused load changed %s", table)
				}
			}
		})
	}
}
