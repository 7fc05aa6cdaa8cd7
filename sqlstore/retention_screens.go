package sqlstore

import (
	"context"
	"time"

	"github.com/coupole/coupole/retention"
)

// What the privacy officer's screens read of the registry (issue 13 item 5).

// KeptItems returns at most limit kept items due before dueBefore, earliest
// due first, each with whether an active hold covers it.
func (db *DB) KeptItems(ctx context.Context, dueBefore time.Time, limit int) ([]retention.Listed, error) {
	return queryList(ctx, db, "list kept retention items", func(r rowScanner) (retention.Listed, error) {
		var l retention.Listed
		var start, end, due, purged, reg int64
		it := &l.Item
		err := r.Scan(&it.ID, &it.Kind, &it.Source, &it.ExternalID, &it.Channel, &it.InteractionID, &it.CustomerID, &it.CallReason, &start, &end,
			&it.MediaRef, &it.Size, &it.SHA256, &it.Body, &it.Class, &it.ClassReason, &due, &it.State, &it.EvidenceIndex, &purged, &reg, &l.Held)
		it.Start, it.End, it.Due, it.PurgedAt, it.RegisteredAt = fromMicros(start), fromMicros(end), fromMicros(due), fromMicros(purged), fromMicros(reg)
		it.Body = nil // a screen never carries a body
		return l, err
	}, `SELECT `+retentionItemColumns+`, `+heldItem+` FROM retention_items i WHERE state = 'kept' AND due_at < $1 ORDER BY due_at, id LIMIT $2`,
		micros(dueBefore), limit)
}
