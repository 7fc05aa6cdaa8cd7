package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Oversight storage (issue 16, migration 0016): the general alert store,
// the customers' protection flags and the anomaly detector's cursor.

var _ coupole.OversightStore = (*DB)(nil)

// RaiseAlert stores an alert unless its dedupe key is already taken.
func (db *DB) RaiseAlert(ctx context.Context, al coupole.InteractionAlert) (bool, error) {
	if strings.TrimSpace(al.ID) == "" || strings.TrimSpace(al.Kind) == "" {
		return false, coupole.Errorf(coupole.EINVALID, "alert: id and kind are required")
	}
	created := false
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		if al.DedupeKey != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM interaction_alerts WHERE dedupe_key = $1`, al.DedupeKey).Scan(&n); err != nil {
				return storageError(err, "raise alert")
			}
			if n > 0 {
				return nil
			}
		}
		if err := insertAlert(ctx, tx, al); err != nil {
			return err
		}
		created = true
		return nil
	})
	if isUniqueViolation(err) {
		// Raised meanwhile by another node: the same alert.
		return false, nil
	}
	return created, err
}

// AcknowledgeAlert records who acknowledged an alert, when, and their note.
func (db *DB) AcknowledgeAlert(ctx context.Context, id, by, note string, at time.Time) (coupole.InteractionAlert, error) {
	var a coupole.InteractionAlert
	err := db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		a, err = scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM interaction_alerts WHERE id = $1`, id))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return coupole.Errorf(coupole.ENOTFOUND, "alert %s not found", id)
		case err != nil:
			return storageError(err, "acknowledge alert")
		case !a.AckedAt.IsZero():
			return coupole.Errorf(coupole.ECONFLICT, "alert %s is already acknowledged", id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE interaction_alerts SET acked_at = $1, acked_by = $2, ack_note = $3 WHERE id = $4 AND acked_at = 0`,
			micros(at), by, note, id); err != nil {
			return storageError(err, "acknowledge alert")
		}
		a.AckedAt, a.AckedBy, a.AckNote = at, by, note
		return nil
	})
	return a, err
}

// ListAlerts lists alerts, newest first.
func (db *DB) ListAlerts(ctx context.Context, f coupole.AlertFilter) ([]coupole.InteractionAlert, error) {
	where, args := []string{"1 = 1"}, []any{}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if !f.From.IsZero() {
		where = append(where, "raised_at >= "+arg(micros(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "raised_at < "+arg(micros(f.To)))
	}
	if f.Kind != "" {
		where = append(where, "kind = "+arg(f.Kind))
	}
	if f.Unacknowledged {
		where = append(where, "acked_at = 0")
	}
	if f.InteractionID != "" {
		where = append(where, "interaction_id = "+arg(f.InteractionID))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	return queryList(ctx, db, "list alerts", scanAlert, `SELECT `+alertColumns+` FROM interaction_alerts WHERE `+strings.Join(where, " AND ")+
		` ORDER BY raised_at DESC, id LIMIT `+itoa(limit), args...)
}

// CountAlerts counts the alerts raised in [from, to) by kind, and by kind
// and acknowledgement.
func (db *DB) CountAlerts(ctx context.Context, from, to time.Time) (map[string]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT kind, acked_at > 0, count(*) FROM interaction_alerts WHERE raised_at >= $1 AND raised_at < $2 GROUP BY kind, acked_at > 0`,
		micros(from), micros(to))
	if err != nil {
		return nil, storageError(err, "count alerts")
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var kind string
		var acked bool
		var n int64
		if err := rows.Scan(&kind, &acked, &n); err != nil {
			return nil, storageError(err, "count alerts")
		}
		out[kind] += n
		if acked {
			out[kind+"/acknowledged"] += n
		}
	}
	return out, storageError(rows.Err(), "count alerts")
}

// CustomerProtections returns the flagged customers.
func (db *DB) CustomerProtections(ctx context.Context) (map[string]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT customer_id, flag FROM customer_protection`)
	if err != nil {
		return nil, storageError(err, "read customer protection")
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, flag string
		if err := rows.Scan(&id, &flag); err != nil {
			return nil, storageError(err, "read customer protection")
		}
		out[id] = flag
	}
	return out, storageError(rows.Err(), "read customer protection")
}

// SetCustomerProtection flags a customer, or clears its flag.
func (db *DB) SetCustomerProtection(ctx context.Context, customerID, flag string) error {
	if _, err := coupole.ParseProtection(flag); err != nil {
		return err
	}
	if strings.TrimSpace(customerID) == "" {
		return coupole.Errorf(coupole.EINVALID, "protection: customer id is empty")
	}
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		var err error
		if flag == "" {
			_, err = tx.ExecContext(ctx, `DELETE FROM customer_protection WHERE customer_id = $1`, customerID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO customer_protection (customer_id, flag) VALUES ($1, $2)
				ON CONFLICT (customer_id) DO UPDATE SET flag = excluded.flag`, customerID, flag)
		}
		return storageError(err, "set customer protection")
	})
}

// OversightCursor is the index of the next trace event the detector reads.
func (db *DB) OversightCursor(ctx context.Context) (uint64, error) {
	var next int64
	err := db.read.QueryRowContext(ctx, `SELECT next_index FROM oversight_cursor WHERE id = 1`).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return uint64(next), storageError(err, "read oversight cursor")
}

// AdvanceOversight moves the detector's cursor from from to to and adds
// the hourly counts of the events in between, in one transaction: the
// counts are added once even when two nodes read the same events.
func (db *DB) AdvanceOversight(ctx context.Context, from, to uint64, counts []coupole.HourlyCount) error {
	return db.groupTx(ctx, func(ctx context.Context, tx *Tx) error {
		var res sql.Result
		var err error
		if from == 0 {
			res, err = tx.ExecContext(ctx, `INSERT INTO oversight_cursor (id, next_index) VALUES (1, $1)
				ON CONFLICT (id) DO UPDATE SET next_index = excluded.next_index WHERE oversight_cursor.next_index = 0`, int64(to))
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE oversight_cursor SET next_index = $1 WHERE id = 1 AND next_index = $2`, int64(to), int64(from))
		}
		if err != nil {
			return storageError(err, "move oversight cursor")
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return coupole.Errorf(coupole.ECONFLICT, "oversight cursor moved meanwhile (another node read these events)")
		}
		for _, c := range counts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO oversight_hourly (hour, metric, key, n) VALUES ($1, $2, $3, $4)
				ON CONFLICT (hour, metric, key) DO UPDATE SET n = oversight_hourly.n + excluded.n`, c.Hour.Unix(), c.Metric, c.Key, c.N); err != nil {
				return storageError(err, "count oversight volumes")
			}
		}
		return nil
	})
}

// HourlyCounts sums the volumes of the hours in [from, to).
func (db *DB) HourlyCounts(ctx context.Context, from, to time.Time) ([]coupole.HourlyCount, error) {
	return queryList(ctx, db, "read oversight volumes", func(row rowScanner) (coupole.HourlyCount, error) {
		var c coupole.HourlyCount
		err := row.Scan(&c.Metric, &c.Key, &c.N)
		return c, err
	}, `SELECT metric, key, SUM(n) FROM oversight_hourly WHERE hour >= $1 AND hour < $2 GROUP BY metric, key ORDER BY metric, key`, from.Unix(), to.Unix())
}

// DeliveryStatusCounts counts the deliveries waiting (pending, sending)
// or failed (failed, dead), by kind and status.
func (db *DB) DeliveryStatusCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT kind, status, count(*) FROM deliveries WHERE status IN ('pending', 'sending', 'failed', 'dead') GROUP BY kind, status`)
	if err != nil {
		return nil, storageError(err, "count deliveries")
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var kind, status string
		var n int64
		if err := rows.Scan(&kind, &status, &n); err != nil {
			return nil, storageError(err, "count deliveries")
		}
		out[kind+"/"+status] = n
	}
	return out, storageError(rows.Err(), "count deliveries")
}
