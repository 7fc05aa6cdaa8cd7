package sqlstore

import (
	"context"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/retention"
)

// Coupole's own records under retention (issue 13, R4); see
// retention.OwnStore. An own record is enrolled once: its item has source
// 'coupole' and external id '<kind>:<ref>', unique (retention_items_external).

const notEnrolled = `NOT EXISTS (SELECT 1 FROM retention_items r WHERE r.source = 'coupole' AND r.external_id <> '' AND r.external_id = `

// enrolMargin: interactions are looked for from this long before the last
// one enrolled, not from the beginning: one closed with an earlier closing
// time (another node's clock) after the last enrolment is still found.
const enrolMargin = 24 * time.Hour

func (db *DB) OwnCandidates(ctx context.Context, kind string, now time.Time, limit int) ([]retention.Item, error) {
	switch kind {
	case retention.KindInteraction:
		last, err := db.LastOwnStart(ctx, kind)
		if err != nil {
			return nil, err
		}
		from := int64(1)
		if !last.IsZero() {
			from = max(1, micros(last.Add(-enrolMargin)))
		}
		return queryList(ctx, db, "list closed interactions to enrol", func(r rowScanner) (retention.Item, error) {
			var it retention.Item
			var closed int64
			err := r.Scan(&it.InteractionID, &closed, &it.CustomerID, &it.CallReason)
			it.Kind, it.ExternalID = kind, kind+":"+it.InteractionID
			it.Start = fromMicros(closed)
			it.End = it.Start
			return it, err
		}, `SELECT id, closed_at, current_customer, call_reasons FROM interactions i
			WHERE closed_at >= $1 AND closed_at <= $2 AND `+notEnrolled+`'interaction:' || i.id)
			ORDER BY closed_at, id LIMIT $3`, from, micros(now), limit)
	case retention.KindDelivery:
		// Finished: sent or dead; a back-office case's delivery is the
		// case's creation and is never sent by the worker.
		return queryList(ctx, db, "list finished deliveries to enrol", func(r rowScanner) (retention.Item, error) {
			var it retention.Item
			var id string
			var created int64
			err := r.Scan(&id, &it.InteractionID, &it.CustomerID, &created)
			it.Kind, it.ExternalID = kind, kind+":"+id
			it.Start = fromMicros(created)
			it.End = it.Start
			return it, err
		}, `SELECT id, interaction_id, customer_id, created_at FROM deliveries d
			WHERE (status IN ('sent', 'dead') OR kind = 'back_office_case') AND created_at <= $1 AND `+notEnrolled+`'delivery:' || d.id)
			ORDER BY created_at, id LIMIT $2`, micros(now), limit)
	case retention.KindSession:
		return queryList(ctx, db, "list expired sessions to enrol", func(r rowScanner) (retention.Item, error) {
			var it retention.Item
			var hash string
			var expires int64
			err := r.Scan(&hash, &expires)
			it.Kind, it.ExternalID = kind, kind+":"+hash
			it.Start = fromMicros(expires)
			it.End = it.Start
			return it, err
		}, `SELECT id_hash, expires_at FROM staff_sessions s
			WHERE expires_at <= $1 AND `+notEnrolled+`'session:' || s.id_hash)
			ORDER BY expires_at, id_hash LIMIT $2`, micros(now), limit)
	}
	return nil, coupole.Errorf(coupole.EINVALID, "own records of kind %q are not enrolled from the store", kind)
}

func (db *DB) LastOwnStart(ctx context.Context, kind string) (time.Time, error) {
	var last int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(started_at), 0) FROM retention_items WHERE kind = $1 AND source = 'coupole'`, kind).Scan(&last)
	return fromMicros(last), storageError(err, "read the last enrolled own record")
}

func (db *DB) FirstAuditTime(ctx context.Context) (time.Time, error) {
	var ns int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MIN(time_ns), 0) FROM audit_log`).Scan(&ns)
	if err != nil || ns == 0 {
		return time.Time{}, storageError(err, "read the first audit event's time")
	}
	return time.Unix(0, ns).UTC(), nil
}

// EraseOwnRecord deletes the personal data of a record whose retention
// ended. An interaction keeps what the figures of the yearly report count
// (staff, channel, requester, times, call reasons, CPAS) and loses the
// caller's number, the mandatary's name, its current customer and access
// point, and its candidates and points (EANs, customer ids). A delivery
// keeps its kind, item, status and times, and loses its recipient, text,
// EAN, customer and last error. An expired session is deleted.
func (db *DB) EraseOwnRecord(ctx context.Context, kind, ref string) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		var stmts []string
		switch kind {
		case retention.KindInteraction:
			stmts = []string{
				`UPDATE interactions SET caller_number = '', mandatary_name = '', current_ean = '', current_customer = '' WHERE id = $1 AND closed_at > 0`,
				`DELETE FROM interaction_candidates WHERE interaction_id = $1 AND EXISTS (SELECT 1 FROM interactions WHERE id = $1 AND closed_at > 0)`,
				`DELETE FROM interaction_points WHERE interaction_id = $1 AND EXISTS (SELECT 1 FROM interactions WHERE id = $1 AND closed_at > 0)`,
			}
		case retention.KindDelivery:
			stmts = []string{`UPDATE deliveries SET recipient = '', text = '', ean = '', customer_id = '', last_error = '' WHERE id = $1`}
		case retention.KindSession:
			stmts = []string{`DELETE FROM staff_sessions WHERE id_hash = $1`}
		default:
			return coupole.Errorf(coupole.EINVALID, "own records of kind %q are not erased from the store", kind)
		}
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q, ref); err != nil {
				return storageError(err, "erase an own record's personal data")
			}
		}
		return nil
	})
}

var _ retention.OwnStore = (*DB)(nil)
