package sqlstore

import (
	"context"
	"time"

	"github.com/coupole/coupole"
)

// Need-to-know that ends (issue 10, migration 0007): every traced step of an
// interaction records its activity in the step's own transaction, and the
// system closes the interactions left idle, or those of a revoked member.

// TouchInteraction records a step's activity on an open interaction. Called
// from a step's audit write, it joins that group transaction.
func (db *DB) TouchInteraction(ctx context.Context, id string, at time.Time) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE interactions SET last_activity_at = $1 WHERE id = $2 AND closed_at = 0 AND last_activity_at < $1`, micros(at), id)
		return storageError(err, "record interaction activity")
	})
}

// IdleInteractions lists the open interactions idle since idleSince.
func (db *DB) IdleInteractions(ctx context.Context, idleSince time.Time) ([]coupole.Interaction, error) {
	return queryList(ctx, db, "list idle interactions", scanInteraction,
		`SELECT `+interactionColumns+` FROM interactions WHERE closed_at = 0 AND last_activity_at <= $1 ORDER BY last_activity_at, id`, micros(idleSince))
}

// CloseIdleInteraction closes an interaction still idle since idleSince.
func (db *DB) CloseIdleInteraction(ctx context.Context, id string, idleSince, at time.Time) error {
	var n int64
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE interactions SET closed_at = $1, close_reason = $2 WHERE id = $3 AND closed_at = 0 AND last_activity_at <= $4`,
			micros(at), coupole.CloseIdle, id, micros(idleSince))
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return storageError(err, "close idle interaction")
	}
	if n == 0 {
		return coupole.Errorf(coupole.ECONFLICT, "interaction %s is closed or active again", id)
	}
	return nil
}

// closeInteractionsOf closes every open interaction of staffID with a
// system reason, in tx; it returns their ids.
func closeInteractionsOf(ctx context.Context, tx *Tx, staffID, reason string, at time.Time) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM interactions WHERE staff_id = $1 AND closed_at = 0 ORDER BY opened_at, id`, staffID)
	if err != nil {
		return nil, storageError(err, "close interactions")
	}
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, storageError(err, "close interactions")
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "close interactions")
	}
	if len(ids) == 0 {
		return ids, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE interactions SET closed_at = $1, close_reason = $2 WHERE staff_id = $3 AND closed_at = 0`, micros(at), reason, staffID)
	return ids, storageError(err, "close interactions")
}
