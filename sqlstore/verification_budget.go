package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coupole/coupole"
)

// Meter-number verifications and the per-access-point budget of failures
// across interactions and advisors (C2, anti-enumeration; issue 10, item 7,
// migration 0007). Counting, locking and the verification's own write are
// one transaction, on the write transaction's connection only.

const alertColumns = `id, COALESCE(interaction_id, ''), staff_id, ean, kind, raised_at, unlocked_at, unlocked_by, reason, target, COALESCE(dedupe_key, ''), acked_at, acked_by, ack_note, reason_facts`

func scanAlert(row rowScanner) (coupole.InteractionAlert, error) {
	var a coupole.InteractionAlert
	var ean string
	var raised, unlocked, acked int64
	var facts string
	err := row.Scan(&a.ID, &a.InteractionID, &a.StaffID, &ean, &a.Kind, &raised, &unlocked, &a.UnlockedBy,
		&a.Reason, &a.Target, &a.DedupeKey, &acked, &a.AckedBy, &a.AckNote, &facts)
	a.EAN, a.RaisedAt, a.UnlockedAt, a.AckedAt = coupole.EAN(ean), fromMicros(raised), fromMicros(unlocked), fromMicros(acked)
	if err == nil && facts != "" {
		if jerr := json.Unmarshal([]byte(facts), &a.ReasonFacts); jerr != nil {
			return a, fmt.Errorf("alert %s: reason facts: %w", a.ID, jerr)
		}
	}
	return a, err
}

// insertAlert stores an alert of any kind (issue 16: the store is
// general); an empty interaction or dedupe key is stored as NULL.
func insertAlert(ctx context.Context, tx *Tx, a coupole.InteractionAlert) error {
	var facts []byte
	if len(a.ReasonFacts) > 0 {
		var err error
		if facts, err = json.Marshal(a.ReasonFacts); err != nil {
			return fmt.Errorf("alert %s: reason facts: %w", a.ID, err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO interaction_alerts (id, interaction_id, staff_id, ean, kind, raised_at, reason, target, dedupe_key, reason_facts)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		a.ID, nullString(a.InteractionID), a.StaffID, string(a.EAN), a.Kind, micros(a.RaisedAt), a.Reason, a.Target, nullString(a.DedupeKey), string(facts))
	return storageError(err, "raise alert")
}

// countFailures counts the failures on ean after since and after the last
// unlock. The same text runs on the read pool and in a transaction.
const countFailures = `SELECT count(*) FROM verification_failures
	WHERE ean = $1 AND failed_at > $2 AND failed_at > COALESCE((SELECT reset_at FROM verification_budgets WHERE ean = $1), 0)`

func budgetState(n int, b coupole.VerificationBudget) coupole.BudgetState {
	return coupole.BudgetState{Failures: n, Spent: b.Failures > 0 && n >= b.Failures}
}

// VerificationBudget reads the budget state of ean at now.
func (db *DB) VerificationBudget(ctx context.Context, ean coupole.EAN, b coupole.VerificationBudget, now time.Time) (coupole.BudgetState, error) {
	if b.Failures <= 0 {
		return coupole.BudgetState{}, nil
	}
	var n int
	if err := db.read.QueryRowContext(ctx, countFailures, string(ean), micros(now.Add(-b.Window))).Scan(&n); err != nil {
		return coupole.BudgetState{}, storageError(err, "read verification budget")
	}
	return budgetState(n, b), nil
}

// RecordVerification records one attempt; see coupole.InteractionStore.
func (db *DB) RecordVerification(ctx context.Context, v coupole.VerificationAttempt) (coupole.InteractionPoint, coupole.BudgetState, error) {
	var p coupole.InteractionPoint
	var b coupole.BudgetState
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		p, err = scanPoint(tx.QueryRowContext(ctx, `SELECT `+pointColumns+` FROM interaction_points WHERE interaction_id = $1 AND ean = $2`, v.InteractionID, string(v.EAN)))
		if errors.Is(err, sql.ErrNoRows) {
			return coupole.Errorf(coupole.EINVALID, "choose an access point among the candidates before verifying")
		} else if err != nil {
			return storageError(err, "record verification")
		}
		if p.Locked {
			return coupole.Errorf(coupole.EFORBIDDEN, "too many failed verifications: this access point is locked for this interaction")
		}
		if v.Budget.Failures > 0 {
			// A failure takes the point's budget row first: on PostgreSQL it
			// stays locked until the commit, so concurrent failures on one
			// point (from any node) count one after the other. A success
			// only reads: it changes no count.
			if !v.OK {
				if _, err := tx.ExecContext(ctx, `INSERT INTO verification_budgets (ean) VALUES ($1) ON CONFLICT (ean) DO UPDATE SET ean = excluded.ean`, string(v.EAN)); err != nil {
					return storageError(err, "record verification")
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, countFailures, string(v.EAN), micros(v.At.Add(-v.Budget.Window))).Scan(&n); err != nil {
				return storageError(err, "record verification")
			}
			if b = budgetState(n, v.Budget); b.Spent {
				return coupole.Errorf(coupole.EFORBIDDEN, "verification budget spent: too many failed verifications on this access point across interactions; a team lead must unlock it")
			}
		}
		if v.OK {
			p.Verified = true
		} else {
			p.FailedAttempts++
			p.Locked = p.FailedAttempts >= v.MaxFailures
		}
		if _, err := tx.ExecContext(ctx, `UPDATE interaction_points SET verified = $1, failed_attempts = $2, locked = $3 WHERE interaction_id = $4 AND ean = $5`,
			p.Verified, p.FailedAttempts, p.Locked, v.InteractionID, string(v.EAN)); err != nil {
			return storageError(err, "record verification")
		}
		if v.OK {
			return nil
		}
		if p.Locked {
			if err := insertAlert(ctx, tx, coupole.InteractionAlert{ID: v.LockAlertID, InteractionID: v.InteractionID, StaffID: v.StaffID, EAN: v.EAN,
				Kind: coupole.AlertVerificationLocked, RaisedAt: v.At}); err != nil {
				return err
			}
		}
		if v.Budget.Failures <= 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO verification_failures (ean, failed_at, interaction_id, staff_id) VALUES ($1, $2, $3, $4)`,
			string(v.EAN), micros(v.At), v.InteractionID, v.StaffID); err != nil {
			return storageError(err, "record verification")
		}
		if b = budgetState(b.Failures+1, v.Budget); b.Spent {
			return insertAlert(ctx, tx, coupole.InteractionAlert{ID: v.BudgetAlertID, InteractionID: v.InteractionID, StaffID: v.StaffID, EAN: v.EAN,
				Kind: coupole.AlertVerificationBudgetSpent, RaisedAt: v.At})
		}
		return nil
	})
	return p, b, err
}

// Alert returns one alert.
func (db *DB) Alert(ctx context.Context, id string) (coupole.InteractionAlert, error) {
	a, err := scanAlert(db.read.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM interaction_alerts WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, coupole.Errorf(coupole.ENOTFOUND, "alert %s not found", id)
	}
	return a, storageError(err, "read alert")
}

// UnlockVerification unlocks the access point of a budget alert; see
// coupole.InteractionStore.
func (db *DB) UnlockVerification(ctx context.Context, alertID, by, reason string, at time.Time) (coupole.InteractionAlert, error) {
	var a coupole.InteractionAlert
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		a, err = scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM interaction_alerts WHERE id = $1`, alertID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return coupole.Errorf(coupole.ENOTFOUND, "alert %s not found", alertID)
		case err != nil:
			return storageError(err, "unlock verification")
		case a.Kind != coupole.AlertVerificationBudgetSpent:
			return coupole.Errorf(coupole.ECONFLICT, "alert %s did not lock its access point across interactions: nothing to unlock", alertID)
		case !a.UnlockedAt.IsZero():
			return coupole.Errorf(coupole.ECONFLICT, "alert %s is already unlocked", alertID)
		}
		// Every budget alert of the point is settled by this unlock.
		if _, err := tx.ExecContext(ctx, `UPDATE interaction_alerts SET unlocked_at = $1, unlocked_by = $2 WHERE ean = $3 AND kind = $4 AND unlocked_at = 0`,
			micros(at), by, string(a.EAN), coupole.AlertVerificationBudgetSpent); err != nil {
			return storageError(err, "unlock verification")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO verification_budgets (ean, reset_at, reset_by, reset_reason) VALUES ($1, $2, $3, $4)
			ON CONFLICT (ean) DO UPDATE SET reset_at = excluded.reset_at, reset_by = excluded.reset_by, reset_reason = excluded.reset_reason`,
			string(a.EAN), micros(at), by, reason); err != nil {
			return storageError(err, "unlock verification")
		}
		a.UnlockedAt, a.UnlockedBy = at, by
		return nil
	})
	return a, err
}
