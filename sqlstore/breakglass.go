package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/coupole/coupole"
)

// Break-glass decisions beyond the approval (issue 12, item 4, S3):
// rejection, early withdrawal and the record of the expiry.

var _ coupole.BreakGlassDecisionStore = (*DB)(nil)

// RejectGrant rejects a pending grant: it can never be approved after.
func (db *DB) RejectGrant(ctx context.Context, id, by string, at time.Time) (coupole.BreakGlassGrant, error) {
	var out coupole.BreakGlassGrant
	err := db.InTx(ctx, func(tx *Tx) error {
		g, err := scanGrant(tx.QueryRowContext(ctx, `SELECT `+grantColumns+` FROM break_glass_grants WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return coupole.Errorf(coupole.ENOTFOUND, "no such break-glass grant")
		} else if err != nil {
			return storageError(err, "read grant")
		}
		if g.ApprovedBy != "" || !g.RevokedAt.IsZero() {
			return coupole.Errorf(coupole.ECONFLICT, "break-glass grant %s is not pending", id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE break_glass_grants SET rejected_by = $2, revoked_at = $3, ended_at = $3, end_reason = 'rejected' WHERE id = $1`,
			id, by, micros(at)); err != nil {
			return storageError(err, "reject grant")
		}
		g.RejectedBy, g.RevokedAt, g.EndedAt, g.EndReason = by, at, at, "rejected"
		out = g
		return nil
	})
	return out, err
}

// EndGrant records the end of a grant: "withdrawn" (a pending request
// cancelled, or an approved one ended early) or "expired" (an approved
// grant past its end). Any other state is ECONFLICT.
func (db *DB) EndGrant(ctx context.Context, id, reason string, at time.Time) error {
	var q string
	switch reason {
	case "withdrawn":
		q = `UPDATE break_glass_grants SET revoked_at = $2, ended_at = $2, end_reason = 'withdrawn'
			WHERE id = $1 AND revoked_at = 0 AND ended_at = 0 AND (approved_by = '' OR expires_at > $2)`
	case "expired":
		q = `UPDATE break_glass_grants SET ended_at = $2, end_reason = 'expired'
			WHERE id = $1 AND approved_by <> '' AND revoked_at = 0 AND ended_at = 0 AND expires_at <= $2`
	default:
		return coupole.Errorf(coupole.EINVALID, "break-glass grant: unknown end %q", reason)
	}
	res, err := db.write.ExecContext(ctx, q, id, micros(at))
	if err != nil {
		return storageError(err, "end grant")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := db.Grant(ctx, id); err != nil {
			return err
		}
		return coupole.Errorf(coupole.ECONFLICT, "break-glass grant %s cannot be %s now", id, reason)
	}
	return nil
}

// DueGrants lists the approved grants past their end whose expiry is not
// recorded yet.
func (db *DB) DueGrants(ctx context.Context, now time.Time) ([]coupole.BreakGlassGrant, error) {
	return db.grants(ctx, `WHERE approved_by <> '' AND revoked_at = 0 AND ended_at = 0 AND expires_at <= $1`, micros(now))
}
