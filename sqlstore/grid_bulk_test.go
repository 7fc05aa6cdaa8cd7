package sqlstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// queryStrings reads one text column of every row q returns.
func queryStrings(tb testing.TB, db *sqlstore.DB, q string) []string {
	tb.Helper()
	rows, err := db.Reader().QueryContext(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			tb.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// gridIndexes lists the grid's secondary indexes as SQLite holds them.
func gridIndexes(t *testing.T, db *sqlstore.DB) []string {
	return queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' AND tbl_name IN
		('access_points', 'meters', 'occupancies', 'mandates', 'public_notices') ORDER BY name`)
}

// nameKeyRows reads the whole name key table, in key order.
func nameKeyRows(t *testing.T, db *sqlstore.DB) []string {
	return queryStrings(t, db, `SELECT name_key || '/' || customer_id FROM customer_name_keys ORDER BY 1`)
}

// loadChunks loads 3 chunks of 300 synthetic access points, as a seed does.
func loadChunks(ctx context.Context, db *sqlstore.DB) error {
	for c := 0; c < 3; c++ {
		if err := db.Load(ctx, benchBatch(c*300, 300)); err != nil {
			return err
		}
	}
	return nil
}

// TestBulkLoadBuildsWhatARowByRowLoadBuilds (issue 17, item 4): a bulk load
// into an empty grid ends with the same indexes and the same name keys as
// the same batches loaded with the indexes maintained, and searches find
// the same customers.
func TestBulkLoadBuildsWhatARowByRowLoadBuilds(t *testing.T) {
	ctx := context.Background()
	plain, bulk := sqltest.MustOpenSQLite(t), sqltest.MustOpenSQLite(t)
	want := gridIndexes(t, plain)
	if len(want) < 7 {
		t.Fatalf("the schema has %d grid indexes: %v", len(want), want)
	}
	if err := loadChunks(ctx, plain); err != nil {
		t.Fatal(err)
	}
	var during []string
	err := bulk.BulkLoad(ctx, func(ctx context.Context) error {
		during = gridIndexes(t, bulk)
		return loadChunks(ctx, bulk)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(during) >= len(want) {
		t.Errorf("indexes during the bulk load: %v; want the secondary ones dropped", during)
	}
	if got := gridIndexes(t, bulk); !slices.Equal(got, want) {
		t.Errorf("indexes after the bulk load: %v; want %v", got, want)
	}
	pk, bk := nameKeyRows(t, plain), nameKeyRows(t, bulk)
	if len(pk) == 0 || !slices.Equal(pk, bk) {
		t.Errorf("name keys: %d after a plain load, %d after a bulk load (or different)", len(pk), len(bk))
	}
	for _, q := range []string{"dupont", "lambert ma", "van den berg"} {
		a, err1 := plain.CustomersByName(ctx, q, 20)
		b, err2 := bulk.CustomersByName(ctx, q, 20)
		if err1 != nil || err2 != nil || len(a) == 0 || len(a) != len(b) {
			t.Errorf("search %q: %d (%v) after a plain load, %d (%v) after a bulk load", q, len(a), err1, len(b), err2)
		}
	}
	if err := bulk.CheckSchema(ctx); err != nil {
		t.Errorf("CheckSchema after a bulk load: %v", err)
	}
}

// TestBulkLoadInterruptedIsCompletedByMigrate: a bulk load killed before it
// built its indexes leaves a database CheckSchema refuses to serve, and
// Migrate completes it.
func TestBulkLoadInterruptedIsCompletedByMigrate(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/grid.db"
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	want := gridIndexes(t, db)
	// The kill: the load's function never returns; the process dies with
	// the indexes dropped and the first chunks written.
	killed := errors.New("killed")
	sqlstore.InterruptBulkLoad(t, db, func(ctx context.Context) error {
		if err := loadChunks(ctx, db); err != nil {
			return err
		}
		return killed
	})
	db.Close()

	db, err = sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "coupole migrate") {
		t.Fatalf("CheckSchema after an interrupted bulk load: %v; want a refusal that says to run coupole migrate", err)
	}
	if n := len(nameKeyRows(t, db)); n != 0 {
		t.Fatalf("%d name keys before the completion; the bulk load writes none", n)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Errorf("CheckSchema after Migrate: %v", err)
	}
	if got := gridIndexes(t, db); !slices.Equal(got, want) {
		t.Errorf("indexes after Migrate: %v; want %v", got, want)
	}
	if cs, err := db.CustomersByName(ctx, "dupont", 5); err != nil || len(cs) == 0 {
		t.Errorf("search after Migrate: %d customers, %v", len(cs), err)
	}
}

// TestBulkLoadFailedOrNotEmpty: a bulk load whose batches are refused
// still leaves the indexes; into a grid that already holds data, the load
// runs as usual with its indexes in place.
func TestBulkLoadFailedOrNotEmpty(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	want := gridIndexes(t, db)
	bad := benchBatch(0, 2)
	bad.Occupancies[0].CustomerID = "nobody"
	err := db.BulkLoad(ctx, func(ctx context.Context) error { return db.Load(ctx, bad) })
	if coupole.ErrorCode(err) != coupole.EINVALID {
		t.Fatalf("bulk load of a bad batch: %v; want EINVALID", err)
	}
	if got := gridIndexes(t, db); !slices.Equal(got, want) {
		t.Errorf("indexes after a failed bulk load: %v; want %v", got, want)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Errorf("CheckSchema after a failed bulk load: %v", err)
	}
	if err := db.Load(ctx, benchBatch(0, 10)); err != nil {
		t.Fatal(err)
	}
	err = db.BulkLoad(ctx, func(ctx context.Context) error {
		if got := gridIndexes(t, db); !slices.Equal(got, want) {
			t.Errorf("indexes while loading into a non-empty grid: %v; want %v", got, want)
		}
		return db.Load(ctx, benchBatch(10, 10))
	})
	if err != nil {
		t.Fatal(err)
	}
	if cs, err := db.CustomersByName(ctx, "dupont", 50); err != nil || len(cs) == 0 {
		t.Errorf("search after loading into a non-empty grid: %d, %v", len(cs), err)
	}
}
