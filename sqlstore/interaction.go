package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Interaction storage (issue 6, migration 0004).

var _ coupole.InteractionStore = (*DB)(nil)

const interactionColumns = `id, staff_id, channel, requester, caller_number, cpas_id, mandatary_name, opened_at, closed_at, call_reasons, current_ean, current_customer, last_activity_at, close_reason`

func scanInteraction(row rowScanner) (coupole.Interaction, error) {
	var i coupole.Interaction
	var opened, closed, active int64
	var reasons, ean string
	err := row.Scan(&i.ID, &i.StaffID, &i.Channel, &i.Requester, &i.CallerNumber, &i.CPASID, &i.MandataryName, &opened, &closed, &reasons, &ean, &i.CurrentCustomer, &active, &i.CloseReason)
	if err != nil {
		return i, err
	}
	i.OpenedAt, i.ClosedAt, i.CurrentEAN, i.LastActivityAt = fromMicros(opened), fromMicros(closed), coupole.EAN(ean), fromMicros(active)
	if reasons != "" {
		i.CallReasons = strings.Split(reasons, ",")
	}
	return i, nil
}

// CreateInteraction stores a new, open interaction.
func (db *DB) CreateInteraction(ctx context.Context, i coupole.Interaction) error {
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO interactions (`+interactionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, '', '', '', $8, '')`,
			i.ID, i.StaffID, i.Channel, i.Requester, i.CallerNumber, i.CPASID, i.MandataryName, micros(i.OpenedAt))
		return err
	})
	switch {
	case isUniqueViolation(err):
		return coupole.Wrap(err, coupole.ECONFLICT, "interaction %s already exists", i.ID)
	case isCheckViolation(err):
		return coupole.Wrap(err, coupole.EINVALID, "interaction: unknown staff member, channel or requester")
	}
	return storageError(err, "create interaction")
}

// Interaction returns one interaction.
func (db *DB) Interaction(ctx context.Context, id string) (coupole.Interaction, error) {
	i, err := scanInteraction(db.read.QueryRowContext(ctx, `SELECT `+interactionColumns+` FROM interactions WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return i, coupole.Errorf(coupole.ENOTFOUND, "interaction %s not found", id)
	}
	return i, storageError(err, "read interaction")
}

// OpenInteractions lists the open interactions of staffID (all if empty).
func (db *DB) OpenInteractions(ctx context.Context, staffID string) ([]coupole.Interaction, error) {
	q := `SELECT ` + interactionColumns + ` FROM interactions WHERE closed_at = 0`
	args := []any{}
	if staffID != "" {
		q = `SELECT ` + interactionColumns + ` FROM interactions WHERE staff_id = $1 AND closed_at = 0`
		args = append(args, staffID)
	}
	return queryList(ctx, db, "list interactions", scanInteraction, q+` ORDER BY opened_at, id`, args...)
}

// CloseInteraction closes an open interaction with its call reasons.
func (db *DB) CloseInteraction(ctx context.Context, id string, reasons []string, at time.Time) error {
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE interactions SET closed_at = $1, call_reasons = $2 WHERE id = $3 AND closed_at = 0`,
			micros(at), strings.Join(reasons, ","), id)
		if err != nil {
			return storageError(err, "close interaction")
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		// Why nothing was closed, asked in the same transaction: it sees
		// an interaction opened earlier in the same group commit, and
		// takes no second connection (issue 10, item 1).
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM interactions WHERE id = $1`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return coupole.Errorf(coupole.ENOTFOUND, "interaction %s not found", id)
		} else if err != nil {
			return storageError(err, "close interaction")
		}
		return coupole.Errorf(coupole.ECONFLICT, "interaction %s is already closed", id)
	})
	return storageError(err, "close interaction")
}

// SetCandidates replaces the candidates of the last identification.
func (db *DB) SetCandidates(ctx context.Context, id string, cs []coupole.InteractionCandidate) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM interaction_candidates WHERE interaction_id = $1`, id); err != nil {
			return storageError(err, "set candidates")
		}
		for _, c := range cs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO interaction_candidates (interaction_id, ref, ean, customer_id) VALUES ($1, $2, $3, $4)`,
				id, c.Ref, string(c.EAN), c.CustomerID); err != nil {
				if isCheckViolation(err) {
					return coupole.Wrap(err, coupole.ENOTFOUND, "interaction %s not found", id)
				}
				return storageError(err, "set candidates")
			}
		}
		return nil
	})
}

// Candidates returns the candidates of the last identification, by ref.
func (db *DB) Candidates(ctx context.Context, id string) ([]coupole.InteractionCandidate, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT ref, ean, customer_id FROM interaction_candidates WHERE interaction_id = $1 ORDER BY ref`, id)
	if err != nil {
		return nil, storageError(err, "read candidates")
	}
	defer rows.Close()
	out := []coupole.InteractionCandidate{}
	for rows.Next() {
		var c coupole.InteractionCandidate
		var ean string
		if err := rows.Scan(&c.Ref, &ean, &c.CustomerID); err != nil {
			return nil, storageError(err, "read candidates")
		}
		c.EAN = coupole.EAN(ean)
		out = append(out, c)
	}
	return out, storageError(rows.Err(), "read candidates")
}

func scanPoint(row rowScanner) (coupole.InteractionPoint, error) {
	var p coupole.InteractionPoint
	var ean string
	err := row.Scan(&ean, &p.CustomerID, &p.Verified, &p.FailedAttempts, &p.Locked)
	p.EAN = coupole.EAN(ean)
	return p, err
}

const pointColumns = `ean, customer_id, verified, failed_attempts, locked`

// SelectPoint makes p the interaction's current point.
func (db *DB) SelectPoint(ctx context.Context, id string, p coupole.InteractionPoint) (coupole.InteractionPoint, error) {
	var out coupole.InteractionPoint
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE interactions SET current_ean = $1, current_customer = $2 WHERE id = $3 AND closed_at = 0`,
			string(p.EAN), p.CustomerID, id)
		if err != nil {
			return storageError(err, "select access point")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return coupole.Errorf(coupole.ECONFLICT, "interaction %s is not open", id)
		}
		// A point asked about before keeps its verification state; asking
		// about it for another customer starts that customer's check anew.
		row := tx.QueryRowContext(ctx, `SELECT `+pointColumns+` FROM interaction_points WHERE interaction_id = $1 AND ean = $2`, id, string(p.EAN))
		have, err := scanPoint(row)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO interaction_points (interaction_id, ean, customer_id) VALUES ($1, $2, $3)`, id, string(p.EAN), p.CustomerID)
			out = coupole.InteractionPoint{EAN: p.EAN, CustomerID: p.CustomerID}
			return storageError(err, "select access point")
		case err != nil:
			return storageError(err, "select access point")
		case have.CustomerID != p.CustomerID:
			_, err = tx.ExecContext(ctx, `UPDATE interaction_points SET customer_id = $1, verified = $2 WHERE interaction_id = $3 AND ean = $4`,
				p.CustomerID, false, id, string(p.EAN))
			have.CustomerID, have.Verified = p.CustomerID, false
		}
		out = have
		return storageError(err, "select access point")
	})
	return out, err
}

// InteractionPoints lists the points asked about in an interaction.
func (db *DB) InteractionPoints(ctx context.Context, id string) ([]coupole.InteractionPoint, error) {
	return queryList(ctx, db, "read interaction points", scanPoint, `SELECT `+pointColumns+` FROM interaction_points WHERE interaction_id = $1 ORDER BY ean`, id)
}

const deliveryColumns = `id, interaction_id, staff_id, kind, item, ean, customer_id, recipient, idempotency_key, request_hash, audit_index, status, created_at, text`

// deliveryReadColumns adds the outbox's columns (issue 11, outbox.go) to
// those Execute writes.
const deliveryReadColumns = deliveryColumns + `, attempts, next_attempt_at, lease_owner, lease_expires_at, provider_id, last_error, sent_at`

func scanDelivery(row rowScanner) (coupole.Delivery, error) {
	var d coupole.Delivery
	var ean string
	var idx, created, next, lease, sent int64
	err := row.Scan(&d.ID, &d.InteractionID, &d.StaffID, &d.Kind, &d.Item, &ean, &d.CustomerID, &d.Recipient, &d.IdempotencyKey, &d.RequestHash, &idx, &d.Status, &created, &d.Text,
		&d.Attempts, &next, &d.LeaseOwner, &lease, &d.ProviderID, &d.LastError, &sent)
	d.EAN, d.AuditIndex, d.CreatedAt = coupole.EAN(ean), uint64(idx), fromMicros(created)
	d.NextAttemptAt, d.LeaseExpiresAt, d.SentAt = fromMicros(next), fromMicros(lease), fromMicros(sent)
	return d, err
}

// CreateDelivery stores d, or returns the delivery already stored under the
// same staff member and idempotency key. Both happen in the one transaction
// (issue 10, item 1): the insert gives way to an existing key instead of
// failing, and the delivery that holds it is read through the same
// transaction, which sees a key taken earlier in the same group commit (a
// double click) and never waits for another connection.
func (db *DB) CreateDelivery(ctx context.Context, d coupole.Delivery) (coupole.Delivery, bool, error) {
	if d.Status == "" {
		d.Status = "pending"
	}
	var have coupole.Delivery
	created := false
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO deliveries (`+deliveryColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (staff_id, idempotency_key) DO NOTHING`,
			d.ID, d.InteractionID, d.StaffID, d.Kind, d.Item, string(d.EAN), d.CustomerID, d.Recipient, d.IdempotencyKey, d.RequestHash, int64(d.AuditIndex), d.Status, micros(d.CreatedAt), d.Text)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			created = true
			return nil
		}
		have, err = scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryReadColumns+` FROM deliveries WHERE staff_id = $1 AND idempotency_key = $2`, d.StaffID, d.IdempotencyKey))
		return err
	})
	switch {
	case isCheckViolation(err):
		return d, false, coupole.Wrap(err, coupole.EINVALID, "delivery: unknown interaction or kind")
	case isUniqueViolation(err):
		return d, false, coupole.Wrap(err, coupole.ECONFLICT, "delivery %s already exists", d.ID)
	case err != nil:
		return d, false, storageError(err, "create delivery")
	case !created:
		return have, false, nil
	}
	return d, true, nil
}

// DeliveryByKey finds a delivery by creator and idempotency key. It reads
// committed deliveries on the read pool: on SQLite the write pool's one
// connection belongs to the group commit.
func (db *DB) DeliveryByKey(ctx context.Context, staffID, key string) (coupole.Delivery, error) {
	d, err := scanDelivery(db.read.QueryRowContext(ctx, `SELECT `+deliveryReadColumns+` FROM deliveries WHERE staff_id = $1 AND idempotency_key = $2`, staffID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return d, coupole.Errorf(coupole.ENOTFOUND, "no delivery with this idempotency key")
	}
	return d, storageError(err, "read delivery")
}

// Deliveries lists the deliveries of an interaction, oldest first.
func (db *DB) Deliveries(ctx context.Context, interactionID string) ([]coupole.Delivery, error) {
	return queryList(ctx, db, "list deliveries", scanDelivery, `SELECT `+deliveryReadColumns+` FROM deliveries WHERE interaction_id = $1 ORDER BY created_at, id`, interactionID)
}

// Alerts lists the alerts raised at or after since, newest first.
func (db *DB) Alerts(ctx context.Context, since time.Time) ([]coupole.InteractionAlert, error) {
	return queryList(ctx, db, "list alerts", scanAlert, `SELECT `+alertColumns+` FROM interaction_alerts WHERE raised_at >= $1 ORDER BY raised_at DESC, id LIMIT 500`, micros(since))
}
