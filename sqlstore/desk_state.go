package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/coupole/coupole"
)

// The advisor's desk state (issue 15, migration 0020): the page state of an
// open interaction, kept for its handler in the database so that every
// node shows the same page. The state is opaque here (the web package's
// JSON); this file keeps who it belongs to and when it was last touched.

// UpdateDeskState runs change on the state of interaction id, in one write
// transaction, and stores what it returns as staffID's, touched at at.
// change gets nil when there is no state, or only a stale one (untouched
// since before stale). The state of an interaction kept for another staff
// member is left alone and change is not called. The states untouched
// since before stale, of any interaction, go in the same transaction.
func (db *DB) UpdateDeskState(ctx context.Context, id, staffID string, at, stale time.Time, change func(old []byte) ([]byte, error)) error {
	if id == "" || staffID == "" {
		return coupole.Errorf(coupole.EINVALID, "desk state: interaction and staff member are required")
	}
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM desk_states WHERE touched_at < $1`, micros(stale)); err != nil {
			return storageError(err, "purge stale desk states")
		}
		lock := ""
		if db.Dialect == Postgres {
			lock = " FOR UPDATE" // two nodes updating the same call take turns
		}
		var owner, state string
		err := tx.QueryRowContext(ctx, `SELECT staff_id, state FROM desk_states WHERE interaction_id = $1`+lock, id).Scan(&owner, &state)
		var old []byte
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return storageError(err, "read desk state")
		case owner != staffID:
			return nil
		default:
			old = []byte(state)
		}
		next, err := change(old)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO desk_states (interaction_id, staff_id, touched_at, state) VALUES ($1, $2, $3, $4)
			ON CONFLICT (interaction_id) DO UPDATE SET touched_at = excluded.touched_at, state = excluded.state`, id, staffID, micros(at), string(next))
		return storageError(err, "write desk state")
	})
}

// DeskState returns the state of interaction id as staffID sees it: nil
// when there is none, it is stale (untouched since before stale) or it is
// somebody else's.
func (db *DB) DeskState(ctx context.Context, id, staffID string, stale time.Time) ([]byte, error) {
	var state string
	err := db.read.QueryRowContext(ctx, `SELECT state FROM desk_states WHERE interaction_id = $1 AND staff_id = $2 AND touched_at >= $3`, id, staffID, micros(stale)).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, storageError(err, "read desk state")
	}
	return []byte(state), nil
}

// DeleteDeskState drops the state of interaction id (it was closed).
func (db *DB) DeleteDeskState(ctx context.Context, id string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM desk_states WHERE interaction_id = $1`, id)
	return storageError(err, "delete desk state")
}
