package main

import (
	"context"
	"testing"

	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// demo seed on PostgreSQL goes through the COPY load (issue 18, item 5),
// is idempotent, and leaves the planner statistics of the grid tables
// fresh, as an import does: without them the planner of a freshly seeded
// database scans where it should search an index.
func TestDemoSeedOnPostgres(t *testing.T) {
	dsn := sqltest.MustCreatePostgres(t)
	for i := 0; i < 2; i++ {
		if r := runCLI(t, nil, "", "demo", "seed", "--access-points", "300", "--seed", "4", "--batch", "120", "--db", dsn); r.code != 0 {
			t.Fatalf("demo seed %d: exit %d, stderr %s", i+1, r.code, r.stderr)
		}
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var aps, analyzed int
	if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM access_points`).Scan(&aps); err != nil || aps != 300 {
		t.Errorf("access points after two seeds: %d (%v), want 300", aps, err)
	}
	err = db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_user_tables
		WHERE relname IN ('access_points', 'meters', 'customers', 'customer_name_keys', 'readings') AND last_analyze IS NOT NULL`).Scan(&analyzed)
	if err != nil || analyzed != 5 {
		t.Errorf("%d of 5 grid tables analyzed after demo seed (%v)", analyzed, err)
	}
}
