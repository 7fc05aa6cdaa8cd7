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
		var err error
		l.Item, err = scanRetentionItem(heldScanner{r, &l.Held})
		l.Item.Body = nil // a screen never carries a body
		return l, err
	}, `SELECT `+retentionItemColumns+`, `+heldItem+` FROM retention_items i WHERE state = 'kept' AND due_at < $1 ORDER BY due_at, id LIMIT $2`,
		micros(dueBefore), limit)
}

// heldScanner scans an item's columns followed by the heldItem flag.
type heldScanner struct {
	rowScanner
	held *bool
}

func (h heldScanner) Scan(dest ...any) error { return h.rowScanner.Scan(append(dest, h.held)...) }

// KnownExternalIDs returns those of ids already registered from source
// (the CSV import refuses a file that repeats them).
func (db *DB) KnownExternalIDs(ctx context.Context, source string, ids []string) ([]string, error) {
	var out []string
	const chunk = 500
	for lo := 0; lo < len(ids); lo += chunk {
		part := ids[lo:min(len(ids), lo+chunk)]
		args := []any{source}
		for _, id := range part {
			args = append(args, id)
		}
		got, err := queryList(ctx, db, "look up registered recordings", func(r rowScanner) (string, error) {
			var s string
			return s, r.Scan(&s)
		}, `SELECT external_id FROM retention_items WHERE source = $1 AND external_id IN (`+placeholders(2, len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// UnrecordedCalls returns at most limit phone interactions closed in
// [from, to) with no registered call recording and no recording_missing
// alert yet (R1 proven for calls, issue 13 item 4). It walks the
// interactions_idle index by closed_at.
func (db *DB) UnrecordedCalls(ctx context.Context, from, to time.Time, limit int) ([]retention.Unrecorded, error) {
	return queryList(ctx, db, "list calls without a recording", func(r rowScanner) (retention.Unrecorded, error) {
		var u retention.Unrecorded
		var closed int64
		err := r.Scan(&u.InteractionID, &u.StaffID, &u.Channel, &closed)
		u.ClosedAt = fromMicros(closed)
		return u, err
	}, `SELECT i.id, i.staff_id, i.channel, i.closed_at FROM interactions i
		WHERE i.closed_at >= $1 AND i.closed_at < $2 AND i.channel IN ('phone', 'cpas_line')
		AND NOT EXISTS (SELECT 1 FROM retention_items r WHERE r.interaction_id = i.id AND r.kind = 'recording')
		AND NOT EXISTS (SELECT 1 FROM interaction_alerts a WHERE a.dedupe_key = CAST($3 AS TEXT) || i.id)
		ORDER BY i.closed_at, i.id LIMIT $4`, micros(from), micros(to), retention.AlertRecordingMissing+"/", limit)
}
