package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/coupole/coupole/audit"
)

// Several Coupole nodes append to one audit log (issue 18, item 1). Each
// batch transaction takes the log's writer lock (on PostgreSQL a
// transaction-scoped advisory lock; on SQLite the write transaction itself),
// then reads the tail and lets the node number its events from it: the
// sequence is decided inside the database, so a node never writes from a
// stale view and never has to retry. PostgreSQL releases the advisory lock
// only after the commit is visible to every later transaction, so the next
// holder always reads the tail its predecessor left.

var _ audit.SequencingStorage = (*AuditStore)(nil)

// AppendAtTail implements audit.SequencingStorage.
func (s *AuditStore) AppendAtTail(ctx context.Context, build func(ctx context.Context, tail audit.Tail) ([]audit.Record, []audit.Node, error)) error {
	return s.db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		if s.db.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockID); err != nil {
				return storageError(err, "lock audit log")
			}
		}
		tail := audit.Tail{LeafHashes: func(ctx context.Context, begin, end uint64) ([][]byte, error) {
			return leafHashesIn(ctx, tx, begin, end)
		}}
		var idx, t int64
		switch err := tx.QueryRowContext(ctx, `SELECT idx, time_ns FROM audit_log ORDER BY idx DESC LIMIT 1`).Scan(&idx, &t); err {
		case nil:
			tail.Size, tail.Last = uint64(idx)+1, time.Unix(0, t).UTC()
		case sql.ErrNoRows:
		default:
			return storageError(err, "read audit log tail")
		}
		recs, nodes, err := build(ctx, tail)
		if err != nil {
			return err
		}
		// Append, joining this transaction, checks the size again (it
		// cannot have changed: the lock is held) and writes the batch.
		return s.Append(context.WithValue(ctx, inGroupKey{}, inGroup{s.db, tx}), tail.Size, recs, nodes)
	})
}

func leafHashesIn(ctx context.Context, tx *Tx, begin, end uint64) ([][]byte, error) {
	rows, err := tx.QueryContext(ctx, `SELECT leaf_hash FROM audit_log WHERE idx >= $1 AND idx < $2 ORDER BY idx`, int64(begin), int64(end))
	if err != nil {
		return nil, storageError(err, "read audit leaves")
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			return nil, storageError(err, "read audit leaves")
		}
		out = append(out, h)
	}
	return out, storageError(rows.Err(), "read audit leaves")
}
