package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Back-office cases (D4, issue 11). Every change is one conditional update:
// the status a change starts from is in its WHERE clause, so of two
// concurrent takes of the same case one updates the row and the other finds
// it taken (ECONFLICT), on SQLite's single writer as on PostgreSQL's row
// locks.

const caseColumns = `id, interaction_id, opened_by, customer_id, eans, kind, item, channel, note, status, taken_by,
	opened_at, taken_at, answered_at, closed_at, answer_delivery, audit_index`

func scanCase(row rowScanner) (coupole.Case, error) {
	var c coupole.Case
	var eans string
	var opened, taken, answered, closed, idx int64
	err := row.Scan(&c.ID, &c.InteractionID, &c.OpenedBy, &c.CustomerID, &eans, &c.Kind, &c.Item, &c.Channel, &c.Note, &c.Status, &c.TakenBy,
		&opened, &taken, &answered, &closed, &c.AnswerDelivery, &idx)
	c.OpenedAt, c.TakenAt, c.AnsweredAt, c.ClosedAt = fromMicros(opened), fromMicros(taken), fromMicros(answered), fromMicros(closed)
	c.AuditIndex = uint64(idx)
	c.EANs = []coupole.EAN{}
	for _, e := range strings.Split(eans, ",") {
		if e != "" {
			c.EANs = append(c.EANs, coupole.EAN(e))
		}
	}
	return c, err
}

func joinEANs(eans []coupole.EAN) string {
	s := make([]string, len(eans))
	for i, e := range eans {
		s[i] = string(e)
	}
	return strings.Join(s, ",")
}

// CreateCase stores a new open case.
func (db *DB) CreateCase(ctx context.Context, c coupole.Case) error {
	for _, e := range c.EANs {
		if _, err := coupole.ParseEAN(string(e)); err != nil {
			return err
		}
	}
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cases (`+caseColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', '', $10, 0, 0, 0, '', $11)`,
			c.ID, c.InteractionID, c.OpenedBy, c.CustomerID, joinEANs(c.EANs), c.Kind, c.Item, c.Channel, c.Note, micros(c.OpenedAt), int64(c.AuditIndex))
		return err
	})
	switch {
	case isCheckViolation(err):
		return coupole.Wrap(err, coupole.EINVALID, "case: unknown interaction or kind")
	case isUniqueViolation(err):
		return coupole.Wrap(err, coupole.ECONFLICT, "case %s already exists", c.ID)
	}
	return storageError(err, "create case")
}

// Case reads one case.
func (db *DB) Case(ctx context.Context, id string) (coupole.Case, error) {
	c, err := scanCase(db.read.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, coupole.Errorf(coupole.ENOTFOUND, "case %s not found", id)
	}
	return c, storageError(err, "read case")
}

// Cases lists the cases in status (all when empty), oldest first.
func (db *DB) Cases(ctx context.Context, status string, limit int) ([]coupole.Case, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	if status == "" {
		return queryList(ctx, db, "list cases", scanCase, `SELECT `+caseColumns+` FROM cases ORDER BY opened_at, id LIMIT $1`, limit)
	}
	return queryList(ctx, db, "list cases", scanCase, `SELECT `+caseColumns+` FROM cases WHERE status = $1 ORDER BY opened_at, id LIMIT $2`, status, limit)
}

// CasesOfCustomer lists the customer's cases about ean, oldest first. EANs
// have 18 digits and no comma: a substring of the list is one of them.
func (db *DB) CasesOfCustomer(ctx context.Context, customerID string, ean coupole.EAN) ([]coupole.Case, error) {
	return queryList(ctx, db, "list cases", scanCase, `SELECT `+caseColumns+` FROM cases WHERE customer_id = $1 AND eans LIKE $2 ORDER BY opened_at, id`,
		customerID, "%"+string(ean)+"%")
}

// changeCase runs a conditional update of case id and reads the case back in
// the same transaction; a case the update did not match is ENOTFOUND if it
// does not exist, else ECONFLICT with conflict as the message.
func (db *DB) changeCase(ctx context.Context, id, conflict string, before func(ctx context.Context, tx *Tx) error, update string, args ...any) (coupole.Case, error) {
	var c coupole.Case
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM cases WHERE id = $1`, id).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return coupole.Errorf(coupole.ENOTFOUND, "case %s not found", id)
			} else if err != nil {
				return err
			}
			return coupole.Errorf(coupole.ECONFLICT, "case %s: %s", id, conflict)
		}
		if before != nil {
			if err := before(ctx, tx); err != nil {
				return err
			}
		}
		c, err = scanCase(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id))
		return err
	})
	return c, storageError(err, "change case")
}

// TakeCase makes staffID the handler of an open case.
func (db *DB) TakeCase(ctx context.Context, id, staffID string, at time.Time) (coupole.Case, error) {
	return db.changeCase(ctx, id, "already taken or no longer open", nil,
		`UPDATE cases SET status = 'taken', taken_by = $1, taken_at = $2 WHERE id = $3 AND status = 'open'`, staffID, micros(at), id)
}

// AnswerCase stores the answer's delivery and marks the case answered, in
// one transaction.
func (db *DB) AnswerCase(ctx context.Context, id, staffID string, d coupole.Delivery, at time.Time) (coupole.Case, error) {
	if d.Status == "" {
		d.Status = "pending"
	}
	insert := func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO deliveries (`+deliveryColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			d.ID, d.InteractionID, d.StaffID, d.Kind, d.Item, string(d.EAN), d.CustomerID, d.Recipient, d.IdempotencyKey, d.RequestHash, int64(d.AuditIndex), d.Status, micros(d.CreatedAt), d.Text)
		return err
	}
	c, err := db.changeCase(ctx, id, "not taken by you, or already answered", insert,
		`UPDATE cases SET status = 'answered', answered_at = $1, answer_delivery = $2 WHERE id = $3 AND status = 'taken' AND taken_by = $4`, micros(at), d.ID, id, staffID)
	if isCheckViolation(err) || isUniqueViolation(err) {
		return c, coupole.Wrap(err, coupole.EINVALID, "case %s: the answer's delivery is invalid", id)
	}
	return c, err
}

// CloseCase closes a case staffID handles.
func (db *DB) CloseCase(ctx context.Context, id, staffID string, at time.Time) (coupole.Case, error) {
	return db.changeCase(ctx, id, "not taken by you, or already closed", nil,
		`UPDATE cases SET status = 'closed', closed_at = $1 WHERE id = $2 AND status IN ('taken', 'answered') AND taken_by = $3`, micros(at), id, staffID)
}

var _ coupole.CaseStore = (*DB)(nil)
