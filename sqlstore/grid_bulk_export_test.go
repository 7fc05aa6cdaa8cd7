package sqlstore

import (
	"context"
	"testing"
)

// InterruptBulkLoad runs the start of a bulk load and load, then stops as a
// kill would: the indexes stay dropped and the pending record stays.
func InterruptBulkLoad(tb testing.TB, db *DB, load func(ctx context.Context) error) {
	tb.Helper()
	ctx := context.Background()
	if err := db.deferGridIndexes(ctx); err != nil {
		tb.Fatal(err)
	}
	db.bulkGrid.Store(true)
	defer db.bulkGrid.Store(false)
	if err := load(ctx); err == nil {
		tb.Fatal("an interrupted load ends with an error")
	}
}
