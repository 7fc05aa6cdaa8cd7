package sqlstore

import (
	"context"

	"github.com/coupole/coupole"
)

// LoadCountedMultiRow loads b with grid.go's multi-row INSERTs, the path a
// Load takes inside a group transaction, so that tests can hold the
// PostgreSQL COPY path (grid_copy.go) against it.
func (db *DB) LoadCountedMultiRow(ctx context.Context, b *coupole.Batch) (changed int64, err error) {
	err = db.InTx(ctx, func(tx *Tx) error {
		changed, err = db.LoadCounted(context.WithValue(ctx, inGroupKey{}, inGroup{db, tx}), b)
		return err
	})
	return changed, err
}
