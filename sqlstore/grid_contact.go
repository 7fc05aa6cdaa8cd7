package sqlstore

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/coupole/coupole"
)

// UpdateContact implements coupole.GridStore. Only the columns of the fields
// given are written, in one UPDATE, so that two changes of different fields
// never undo each other; the history rows go in the same transaction (the
// audit event's, when called from its step).
func (db *DB) UpdateContact(ctx context.Context, u coupole.ContactUpdate) error {
	if strings.TrimSpace(u.CustomerID) == "" {
		return coupole.Errorf(coupole.EINVALID, "customer id is required")
	}
	var sets []string
	var args []any
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, col+" = $"+strconv.Itoa(len(args)))
	}
	if u.Mobile != nil {
		if err := coupole.ValidateE164(*u.Mobile); err != nil {
			return err
		}
		if u.At.IsZero() {
			return coupole.Errorf(coupole.EINVALID, "mobile registration time is required with a mobile number")
		}
		set("mobile", *u.Mobile)
		set("mobile_registered_at", instant(u.At))
	}
	if u.Email != nil {
		if !strings.Contains(*u.Email, "@") {
			return coupole.Errorf(coupole.EINVALID, "e-mail address is not valid")
		}
		set("email", *u.Email)
	}
	if u.Language != nil {
		if _, err := coupole.ParseLanguage(string(*u.Language)); err != nil {
			return err
		}
		set("language", string(*u.Language))
	}
	if a := u.PostalAddress; a != nil {
		if err := a.Validate(); err != nil {
			return err
		}
		set("street", a.Street)
		set("house_number", a.Number)
		set("box", a.Box)
		set("postcode", a.Postcode)
		set("town", a.Town)
	}
	if len(sets) == 0 {
		return coupole.Errorf(coupole.EINVALID, "contact details: nothing to change")
	}
	for _, h := range u.History {
		if !slices.Contains(coupole.ContactFields, h.Field) {
			return coupole.Errorf(coupole.EINVALID, "contact history: unknown field %q", h.Field)
		}
	}
	args = append(args, u.CustomerID)
	where := []string{`id = $` + strconv.Itoa(len(args))}
	if p := u.Previous; p != nil {
		still := func(col string, v any) {
			args = append(args, v)
			where = append(where, col+` = $`+strconv.Itoa(len(args)))
		}
		if u.Mobile != nil {
			still(`COALESCE(mobile, '')`, p.Mobile)
		}
		if u.Email != nil {
			still(`COALESCE(email, '')`, p.Email)
		}
		if u.Language != nil {
			still(`language`, string(p.Language))
		}
		if u.PostalAddress != nil {
			a := p.PostalAddress
			still(`street`, a.Street)
			still(`house_number`, a.Number)
			still(`box`, a.Box)
			still(`postcode`, a.Postcode)
			still(`town`, a.Town)
		}
	}
	update := `UPDATE customers SET ` + strings.Join(sets, ", ") + ` WHERE ` + strings.Join(where, " AND ")
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return storageError(err, "update contact details")
		}
		if n, err := res.RowsAffected(); err != nil {
			return storageError(err, "update contact details")
		} else if n == 0 {
			var exists int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE id = $1`, u.CustomerID).Scan(&exists); err != nil {
				return storageError(err, "update contact details")
			}
			if exists > 0 {
				return coupole.Errorf(coupole.ECONFLICT, "contact details: changed meanwhile by another request; read them again")
			}
			return coupole.Errorf(coupole.ENOTFOUND, "no such customer")
		}
		for _, h := range u.History {
			if _, err := tx.ExecContext(ctx, `INSERT INTO contact_changes (customer_id, audit_index, field, interaction_id, staff_id, changed_at, old_masked, new_masked, commitment, nonce)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				u.CustomerID, int64(u.AuditIndex), h.Field, u.InteractionID, u.StaffID, micros(u.At), h.OldMasked, h.NewMasked, h.Commitment, h.Nonce); err != nil {
				if isUniqueViolation(err) {
					return coupole.Wrap(err, coupole.ECONFLICT, "contact history: this change is already recorded")
				}
				return storageError(err, "record contact change")
			}
		}
		return nil
	})
}

// ContactChanges implements coupole.ContactHistory.
func (db *DB) ContactChanges(ctx context.Context, customerID string) ([]coupole.ContactChange, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT customer_id, audit_index, field, interaction_id, staff_id, changed_at, old_masked, new_masked, commitment, nonce
		FROM contact_changes WHERE customer_id = $1 ORDER BY audit_index, field`, customerID)
	if err != nil {
		return nil, storageError(err, "read contact history")
	}
	defer rows.Close()
	out := []coupole.ContactChange{}
	for rows.Next() {
		var c coupole.ContactChange
		var idx, at int64
		if err := rows.Scan(&c.CustomerID, &idx, &c.Field, &c.InteractionID, &c.StaffID, &at, &c.OldMasked, &c.NewMasked, &c.Commitment, &c.Nonce); err != nil {
			return nil, storageError(err, "read contact history")
		}
		c.AuditIndex, c.At = uint64(idx), fromMicros(at)
		out = append(out, c)
	}
	return out, storageError(rows.Err(), "read contact history")
}

// ForgetContactNonces empties the nonces of the contact changes traced by
// the audit events below index below, once `coupole audit erase` has erased
// those events' personal data: without its nonce a change's commitment can
// no longer be checked against guessed values (a mobile number is guessable
// from its masked form), so the old and new values are forgotten too. It
// returns how many nonces it emptied; running it again changes nothing.
//
// Legal holds (R3, issue 13) keep what they cover: a change whose audit
// event erasure kept (audit_kept), or that an active hold names directly
// (its customer, its interaction, or its time inside a held period), keeps
// its nonce. Once the hold is lifted and erasure takes the event, the next
// call forgets it like the others.
func (db *DB) ForgetContactNonces(ctx context.Context, below uint64) (int64, error) {
	var n int64
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE contact_changes SET nonce = '' WHERE audit_index < $1 AND nonce <> ''
			AND NOT EXISTS (SELECT 1 FROM audit_kept k WHERE k.idx = contact_changes.audit_index)
			AND NOT `+heldContactChange, int64(below))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, storageError(err, "forget contact nonces")
}

// heldContactChange is true when an active hold covers the row of
// contact_changes being updated: its customer, its interaction or its time.
const heldContactChange = `EXISTS (SELECT 1 FROM retention_holds h WHERE h.lifted_at = 0 AND (
	(h.scope = 'customer' AND h.target = contact_changes.customer_id) OR
	(h.scope = 'interaction' AND contact_changes.interaction_id <> '' AND h.target = contact_changes.interaction_id) OR
	(h.scope = 'period' AND contact_changes.changed_at >= h.period_from AND contact_changes.changed_at < h.period_to)))`
