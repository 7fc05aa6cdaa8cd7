package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/retention"
)

// The retention registry and holds (issue 13); see retention.Store.

const retentionItemColumns = `id, kind, source, external_id, channel, interaction_id, customer_id, call_reason, started_at, ended_at,
	media_ref, size, sha256, body, class, class_reason, due_at, state, evidence_idx, purged_at, registered_at, direction, content_type`

// heldItem is true when an active hold covers the item aliased i.
const heldItem = `EXISTS (SELECT 1 FROM retention_holds h WHERE h.lifted_at = 0 AND (
	(h.scope = 'item' AND h.target = i.id) OR
	(h.scope = 'interaction' AND i.interaction_id <> '' AND h.target = i.interaction_id) OR
	(h.scope = 'customer' AND i.customer_id <> '' AND h.target = i.customer_id) OR
	(h.scope = 'period' AND i.started_at >= h.period_from AND i.started_at < h.period_to)))`

func scanRetentionItem(r rowScanner) (retention.Item, error) {
	var it retention.Item
	var start, end, due, purged, reg int64
	err := r.Scan(&it.ID, &it.Kind, &it.Source, &it.ExternalID, &it.Channel, &it.InteractionID, &it.CustomerID, &it.CallReason, &start, &end,
		&it.MediaRef, &it.Size, &it.SHA256, &it.Body, &it.Class, &it.ClassReason, &due, &it.State, &it.EvidenceIndex, &purged, &reg, &it.Direction, &it.ContentType)
	it.Start, it.End, it.Due, it.PurgedAt, it.RegisteredAt = fromMicros(start), fromMicros(end), fromMicros(due), fromMicros(purged), fromMicros(reg)
	return it, err
}

func (db *DB) RegisterItem(ctx context.Context, it retention.Item) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO retention_items (`+retentionItemColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
			it.ID, it.Kind, it.Source, it.ExternalID, it.Channel, it.InteractionID, it.CustomerID, it.CallReason, micros(it.Start), micros(it.End),
			it.MediaRef, it.Size, it.SHA256, it.Body, it.Class, it.ClassReason, micros(it.Due), it.State, it.EvidenceIndex, micros(it.PurgedAt), micros(it.RegisteredAt),
			it.Direction, it.ContentType)
		if isUniqueViolation(err) {
			return coupole.Errorf(coupole.ECONFLICT, "item %s (or its id in %s) is registered already", it.ID, it.Source)
		}
		return storageError(err, "register retention item")
	})
}

// RegisterItems adds items in one transaction, all or none (CSV import,
// test fixtures, own records enrolled by the scheduled job).
func (db *DB) RegisterItems(ctx context.Context, its []retention.Item) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		for _, it := range its {
			if err := db.RegisterItem(context.WithValue(ctx, inGroupKey{}, inGroup{db, tx}), it); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) RetentionItem(ctx context.Context, id string) (retention.Item, error) {
	it, err := scanRetentionItem(db.read.QueryRowContext(ctx, `SELECT `+retentionItemColumns+` FROM retention_items WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return retention.Item{}, coupole.Errorf(coupole.ENOTFOUND, "retention item %s not found", id)
	}
	return it, storageError(err, "read retention item")
}

func (db *DB) SetItemClass(ctx context.Context, id, class, reason string, due time.Time) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE retention_items SET class = $1, class_reason = $2, due_at = $3 WHERE id = $4 AND state = 'kept'`, class, reason, micros(due), id)
		if err != nil {
			return storageError(err, "change retention class")
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return coupole.Errorf(coupole.ECONFLICT, "item %s is not kept any more", id)
		}
		return nil
	})
}

func (db *DB) DueItems(ctx context.Context, now time.Time, limit int) ([]retention.Item, error) {
	return queryList(ctx, db, "list due retention items", scanRetentionItem,
		`SELECT `+retentionItemColumns+` FROM retention_items i WHERE state = 'kept' AND due_at <= $1 AND NOT `+heldItem+` ORDER BY due_at, id LIMIT $2`,
		micros(now), limit)
}

func (db *DB) DeletingItems(ctx context.Context, limit int) ([]retention.Item, error) {
	return queryList(ctx, db, "list retention items being deleted", scanRetentionItem,
		`SELECT `+retentionItemColumns+` FROM retention_items i WHERE state = 'deleting' ORDER BY due_at, id LIMIT $1`, limit)
}

func (db *DB) MarkDeleting(ctx context.Context, id string, evidence int64, at time.Time) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE retention_items SET state = 'deleting', evidence_idx = $1, purged_at = $2
			WHERE id = $3 AND state = 'kept' AND NOT EXISTS (SELECT 1 FROM retention_items i WHERE i.id = $3 AND `+heldItem+`)`,
			evidence, micros(at), id)
		if err != nil {
			return storageError(err, "mark retention item for deletion")
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return coupole.Errorf(coupole.ECONFLICT, "item %s is held or no longer kept", id)
		}
		return nil
	})
}

func (db *DB) MarkPurged(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		_, err := tx.ExecContext(ctx, `UPDATE retention_items SET state = 'purged', body = NULL, media_ref = '' WHERE state = 'deleting' AND id IN (`+placeholders(1, len(ids))+`)`, args...)
		return storageError(err, "mark retention items purged")
	})
}

func (db *DB) ItemHeld(ctx context.Context, id string) (bool, error) {
	var held bool
	err := db.read.QueryRowContext(ctx, `SELECT `+heldItem+` FROM retention_items i WHERE i.id = $1`, id).Scan(&held)
	if errors.Is(err, sql.ErrNoRows) {
		return false, coupole.Errorf(coupole.ENOTFOUND, "retention item %s not found", id)
	}
	return held, storageError(err, "check retention holds")
}

const holdColumns = `id, scope, target, period_from, period_to, reason, reference, placed_by, placed_at,
	lift_requested_by, lift_requested_at, lift_reason, lifted_by, lifted_at`

func scanHold(r rowScanner) (retention.Hold, error) {
	var h retention.Hold
	var from, to, placed, asked, lifted int64
	err := r.Scan(&h.ID, &h.Scope, &h.Target, &from, &to, &h.Reason, &h.Reference, &h.PlacedBy, &placed,
		&h.LiftRequestedBy, &asked, &h.LiftReason, &h.LiftedBy, &lifted)
	h.From, h.To, h.PlacedAt, h.LiftRequestedAt, h.LiftedAt = fromMicros(from), fromMicros(to), fromMicros(placed), fromMicros(asked), fromMicros(lifted)
	return h, err
}

func (db *DB) PlaceHold(ctx context.Context, h retention.Hold) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO retention_holds (id, scope, target, period_from, period_to, reason, reference, placed_by, placed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			h.ID, h.Scope, h.Target, micros(h.From), micros(h.To), h.Reason, h.Reference, h.PlacedBy, micros(h.PlacedAt))
		return storageError(err, "place hold")
	})
}

func (db *DB) Hold(ctx context.Context, id string) (retention.Hold, error) {
	h, err := scanHold(db.read.QueryRowContext(ctx, `SELECT `+holdColumns+` FROM retention_holds WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return retention.Hold{}, coupole.Errorf(coupole.ENOTFOUND, "hold %s not found", id)
	}
	return h, storageError(err, "read hold")
}

func (db *DB) Holds(ctx context.Context, activeOnly bool) ([]retention.Hold, error) {
	q := `SELECT ` + holdColumns + ` FROM retention_holds`
	if activeOnly {
		q += ` WHERE lifted_at = 0`
	}
	return queryList(ctx, db, "list holds", scanHold, q+` ORDER BY placed_at, id`)
}

func (db *DB) RequestLift(ctx context.Context, id, by, reason string, at time.Time) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE retention_holds SET lift_requested_by = $1, lift_requested_at = $2, lift_reason = $3 WHERE id = $4 AND lifted_at = 0`,
			by, micros(at), reason, id)
		if err != nil {
			return storageError(err, "request hold lift")
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return coupole.Errorf(coupole.ECONFLICT, "hold %s is not active", id)
		}
		return nil
	})
}

func (db *DB) LiftHold(ctx context.Context, id, by string, at time.Time) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE retention_holds SET lifted_by = $1, lifted_at = $2
			WHERE id = $3 AND lifted_at = 0 AND lift_requested_by <> '' AND lift_requested_by <> $1`, by, micros(at), id)
		if err != nil {
			return storageError(err, "lift hold")
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return coupole.Errorf(coupole.ECONFLICT, "hold %s cannot be lifted by %s: not active, no lift asked, or asked by the same person", id, by)
		}
		return nil
	})
}

// ActiveHolds returns the active holds (for audit erase).
func (db *DB) ActiveHolds(ctx context.Context) ([]retention.Hold, error) { return db.Holds(ctx, true) }

func (db *DB) RetentionCounts(ctx context.Context, from, to time.Time) (retention.Counts, error) {
	c := retention.Counts{ByClass: map[string]int64{}}
	f, t := micros(from), micros(to)
	rows, err := db.read.QueryContext(ctx, `SELECT class, COUNT(*) FROM retention_items WHERE kind IN ('recording', 'email', 'chat') AND started_at >= $1 AND started_at < $2 GROUP BY class`, f, t)
	if err != nil {
		return c, storageError(err, "count retention items")
	}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return c, storageError(err, "count retention items")
		}
		c.ByClass[k] = n
	}
	rows.Close()
	err = db.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state <> 'kept' AND purged_at >= $1 AND purged_at < $2 AND purged_at - due_at <= $3 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state <> 'kept' AND purged_at >= $1 AND purged_at < $2 AND purged_at - due_at > $3 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'kept' AND due_at < $2 THEN 1 ELSE 0 END), 0)
		FROM retention_items`, f, t, int64(retention.MaxLateness/time.Microsecond)).Scan(&c.PurgedOnTime, &c.PurgedLate, &c.Due)
	if err != nil {
		return c, storageError(err, "count purged retention items")
	}
	err = db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM retention_items i WHERE state = 'kept' AND `+heldItem).Scan(&c.Held)
	return c, storageError(err, "count held retention items")
}

var _ retention.Store = (*DB)(nil)

// AuditKeptCount is how many trace payloads erasure skipped for a hold.
func (db *DB) AuditKeptCount(ctx context.Context) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_kept`).Scan(&n)
	return n, storageError(err, "count payloads kept by holds")
}

func (db *DB) PurgedItems(ctx context.Context, from, to time.Time) ([]retention.Item, error) {
	return queryList(ctx, db, "list purged retention items", scanRetentionItem,
		`SELECT `+retentionItemColumns+` FROM retention_items i WHERE state <> 'kept' AND purged_at >= $1 AND purged_at < $2 ORDER BY purged_at, id`,
		micros(from), micros(to))
}

// TakeWebhookEvent records a notification's event id; ECONFLICT when it
// was taken already (a replay). Ids older than keep are pruned first, at
// most once per keep/10 by this process: the prune scans the table (no
// index on received_at), and a row kept a little longer is harmless — a
// replay that old fails the signature's time window anyway.
func (db *DB) TakeWebhookEvent(ctx context.Context, id string, at time.Time, keep time.Duration) error {
	v, _ := webhookPrunes.LoadOrStore(db, new(atomic.Int64))
	last := v.(*atomic.Int64)
	prune := at.Sub(time.UnixMicro(last.Load())) >= keep/10
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		if prune {
			if _, err := tx.ExecContext(ctx, `DELETE FROM retention_webhook_events WHERE received_at < $1`, micros(at.Add(-keep))); err != nil {
				return storageError(err, "prune notification ids")
			}
			last.Store(at.UnixMicro())
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO retention_webhook_events (event_id, received_at) VALUES ($1, $2)`, id, micros(at))
		if isUniqueViolation(err) {
			return coupole.Errorf(coupole.ECONFLICT, "notification %s was received already: refused as a replay", id)
		}
		return storageError(err, "record notification id")
	})
}

// WebhookEventTaken reports whether a notification id was taken already:
// the intake asks before it traces anything, so that a replay writes
// nothing, not even an event. Two deliveries of one id at the same instant
// both pass it; TakeWebhookEvent, in the registration's transaction, still
// refuses the second.
func (db *DB) WebhookEventTaken(ctx context.Context, id string) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM retention_webhook_events WHERE event_id = $1`, id).Scan(&n)
	return n > 0, storageError(err, "look up notification id")
}

// webhookPrunes remembers, per database, when this process last pruned the
// notification ids (Unix microseconds).
var webhookPrunes sync.Map

// ForgetWebhookEvent forgets an id whose processing failed, so the
// platform's retry is taken.
func (db *DB) ForgetWebhookEvent(ctx context.Context, id string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM retention_webhook_events WHERE event_id = $1`, id)
	return storageError(err, "forget notification id")
}

// InteractionItems returns the registered items of an interaction, oldest first.
func (db *DB) InteractionItems(ctx context.Context, interactionID string) ([]retention.Item, error) {
	return queryList(ctx, db, "list an interaction's retention items", scanRetentionItem,
		`SELECT `+retentionItemColumns+` FROM retention_items i WHERE interaction_id = $1 AND interaction_id <> '' ORDER BY started_at, id`, interactionID)
}
