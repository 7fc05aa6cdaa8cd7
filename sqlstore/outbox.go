package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// The outbox (issue 11, item 1): the deliveries Execute recorded, claimed
// and sent by the delivery worker (package outbound). A claim takes a lease
// on a few due deliveries in one short write: on PostgreSQL with FOR UPDATE
// SKIP LOCKED, so that several nodes claim different rows without waiting on
// each other; on SQLite through the single writer's group commit, which
// serializes claims. Every later state change is made by the worker in the
// transaction of its audit event (trace first), and only by the lease's
// owner: a worker whose lease expired and was taken changes nothing.

// claimable: not finished, due, and not leased (or the lease expired: its
// worker died between sending and recording).
const claimable = `status IN ('pending', 'sending', 'failed') AND next_attempt_at <= $1 AND lease_expires_at <= $1`

// ClaimDeliveries leases up to c.Limit due deliveries of c.Kinds to
// c.Owner until c.Now + c.Lease, oldest due first.
func (db *DB) ClaimDeliveries(ctx context.Context, c coupole.OutboxClaim) ([]coupole.Delivery, error) {
	if len(c.Kinds) == 0 || c.Limit <= 0 {
		return []coupole.Delivery{}, nil
	}
	args := []any{micros(c.Now), c.Owner, micros(c.Now.Add(c.Lease)), c.Limit}
	marks := make([]string, len(c.Kinds))
	for i, k := range c.Kinds {
		args = append(args, k)
		marks[i] = "$" + strconv.Itoa(len(args))
	}
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE deliveries SET lease_owner = $2, lease_expires_at = $3 WHERE id IN (
		SELECT id FROM deliveries WHERE ` + claimable + ` AND kind IN (` + strings.Join(marks, ", ") + `)
		ORDER BY next_attempt_at, created_at, id LIMIT $4` + lock + `)
		RETURNING ` + deliveryReadColumns
	// Most passes find nothing: a read on the read pool says so without
	// taking the writer (on SQLite, without a commit every second).
	var due int
	readArgs, readMarks := []any{args[0]}, make([]string, len(c.Kinds))
	for i, k := range c.Kinds {
		readArgs = append(readArgs, k)
		readMarks[i] = "$" + strconv.Itoa(len(readArgs))
	}
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM deliveries WHERE `+claimable+` AND kind IN (`+strings.Join(readMarks, ", ")+`) LIMIT 1) AS d`,
		readArgs...).Scan(&due)
	if err != nil {
		return nil, storageError(err, "look for due deliveries")
	}
	if due == 0 {
		return []coupole.Delivery{}, nil
	}
	var out []coupole.Delivery
	err = db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, storageError(err, "claim deliveries")
	}
	if out == nil {
		out = []coupole.Delivery{}
	}
	return out, nil
}

// leased updates delivery id if owner still holds its lease; ECONFLICT
// otherwise (the lease expired and another worker took it).
func (db *DB) leased(ctx context.Context, op, id, owner, set string, args ...any) error {
	args = append([]any{id, owner}, args...)
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET `+set+` WHERE id = $1 AND lease_owner = $2`, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return coupole.Errorf(coupole.ECONFLICT, "delivery %s: the lease was lost to another worker", id)
		}
		return nil
	})
	return storageError(err, op)
}

// MarkDeliverySending records a sending attempt begun at at: the attempt
// counter grows by one and the lease runs until leaseUntil.
func (db *DB) MarkDeliverySending(ctx context.Context, id, owner string, leaseUntil time.Time) error {
	return db.leased(ctx, "mark delivery sending", id, owner, `status = 'sending', attempts = attempts + 1, lease_expires_at = $3`, micros(leaseUntil))
}

// MarkDeliverySent records the provider's acceptance and ends the lease.
func (db *DB) MarkDeliverySent(ctx context.Context, id, owner, providerID string, at time.Time) error {
	return db.leased(ctx, "mark delivery sent", id, owner, `status = 'sent', provider_id = $3, sent_at = $4, last_error = '', lease_owner = '', lease_expires_at = 0`, providerID, micros(at))
}

// MarkDeliveryFailed records a failed attempt (code says why, in a word)
// and schedules the next at next.
func (db *DB) MarkDeliveryFailed(ctx context.Context, id, owner, code string, next time.Time) error {
	return db.leased(ctx, "mark delivery failed", id, owner, `status = 'failed', last_error = $3, next_attempt_at = $4, lease_owner = '', lease_expires_at = 0`, code, micros(next))
}

// MarkDeliveryDead gives up on a delivery: the back office sees it.
func (db *DB) MarkDeliveryDead(ctx context.Context, id, owner, code string) error {
	return db.leased(ctx, "mark delivery dead", id, owner, `status = 'dead', last_error = $3, lease_owner = '', lease_expires_at = 0`, code)
}

// Delivery reads one delivery; ENOTFOUND if there is none.
func (db *DB) Delivery(ctx context.Context, id string) (coupole.Delivery, error) {
	ds, err := queryList(ctx, db, "read delivery", scanDelivery, `SELECT `+deliveryReadColumns+` FROM deliveries WHERE id = $1`, id)
	if err != nil {
		return coupole.Delivery{}, err
	}
	if len(ds) == 0 {
		return coupole.Delivery{}, coupole.Errorf(coupole.ENOTFOUND, "delivery %s not found", id)
	}
	return ds[0], nil
}

// TroubledDeliveries lists the failed and dead deliveries for the back
// office, dead first, then by creation, at most limit.
func (db *DB) TroubledDeliveries(ctx context.Context, limit int) ([]coupole.Delivery, error) {
	return queryList(ctx, db, "list failed deliveries", scanDelivery, `SELECT `+deliveryReadColumns+` FROM deliveries
		WHERE status IN ('failed', 'dead') ORDER BY CASE status WHEN 'dead' THEN 0 ELSE 1 END, created_at, id LIMIT $1`, limit)
}

// PendingDeliveriesByKind counts the deliveries not yet sent, by kind: a
// kind without a provider shows here.
func (db *DB) PendingDeliveriesByKind(ctx context.Context) (map[string]int, error) {
	type row struct {
		kind string
		n    int
	}
	rows, err := queryList(ctx, db, "count pending deliveries", func(r rowScanner) (row, error) {
		var x row
		err := r.Scan(&x.kind, &x.n)
		return x, err
	}, `SELECT kind, COUNT(*) FROM deliveries WHERE status IN ('pending', 'sending', 'failed') GROUP BY kind`)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.kind] = r.n
	}
	return out, nil
}
