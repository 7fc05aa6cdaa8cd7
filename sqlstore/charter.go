package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// The confidentiality charter, its acknowledgements and the awareness
// campaigns (issue 12, item 6: S1).

var _ coupole.CharterStore = (*DB)(nil)

// PublishCharter records a new version.
func (db *DB) PublishCharter(ctx context.Context, c coupole.Charter) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO charters (version, published_at, published_by, text_fr, text_nl, text_de, text_en)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.Version, micros(c.PublishedAt), c.PublishedBy,
		c.Text[coupole.French], c.Text[coupole.Dutch], c.Text[coupole.German], c.Text[coupole.English])
	if isUniqueViolation(err) {
		return coupole.Wrap(err, coupole.ECONFLICT, "charter version %s exists already: publish a new version", c.Version)
	} else if isCheckViolation(err) {
		return coupole.Wrap(err, coupole.EINVALID, "charter: the version and the four texts (fr, nl, de, en) are required")
	} else if err != nil {
		return storageError(err, "publish charter")
	}
	return nil
}

const charterColumns = `version, published_at, published_by, text_fr, text_nl, text_de, text_en`

func scanCharter(s rowScanner) (coupole.Charter, error) {
	var c coupole.Charter
	var at int64
	var fr, nl, de, en string
	if err := s.Scan(&c.Version, &at, &c.PublishedBy, &fr, &nl, &de, &en); err != nil {
		return c, err
	}
	c.PublishedAt = fromMicros(at)
	c.Text = map[coupole.Language]string{coupole.French: fr, coupole.Dutch: nl, coupole.German: de, coupole.English: en}
	return c, nil
}

// CurrentCharter returns the last published version.
func (db *DB) CurrentCharter(ctx context.Context) (coupole.Charter, error) {
	c, err := scanCharter(db.read.QueryRowContext(ctx, `SELECT `+charterColumns+` FROM charters ORDER BY published_at DESC, version DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return c, coupole.Errorf(coupole.ENOTFOUND, "no confidentiality charter is published")
	} else if err != nil {
		return c, storageError(err, "read charter")
	}
	return c, nil
}

// ListCharters lists the versions, newest first.
func (db *DB) ListCharters(ctx context.Context) ([]coupole.Charter, error) {
	return queryList(ctx, db, "read charters", scanCharter, `SELECT `+charterColumns+` FROM charters ORDER BY published_at DESC, version DESC`)
}

// AcknowledgeCharter records that staffID acknowledged version at at.
func (db *DB) AcknowledgeCharter(ctx context.Context, staffID, version string, at time.Time) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO charter_acknowledgements (staff_id, version, acknowledged_at) VALUES ($1, $2, $3)`,
		staffID, version, micros(at))
	if isUniqueViolation(err) {
		return nil // the same instant twice: one acknowledgement
	} else if isForeignKeyViolation(err) {
		return coupole.Wrap(err, coupole.ENOTFOUND, "no such staff member or charter version")
	} else if err != nil {
		return storageError(err, "acknowledge charter")
	}
	return nil
}

// LastAcknowledgement returns when staffID last acknowledged version.
func (db *DB) LastAcknowledgement(ctx context.Context, staffID, version string) (time.Time, error) {
	var at int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(acknowledged_at), 0) FROM charter_acknowledgements WHERE staff_id = $1 AND version = $2`,
		staffID, version).Scan(&at)
	if err != nil {
		return time.Time{}, storageError(err, "read charter acknowledgement")
	}
	return fromMicros(at), nil
}

// RecordAwareness records an awareness campaign and its attendance.
func (db *DB) RecordAwareness(ctx context.Context, c coupole.AwarenessCampaign) error {
	return db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO awareness_campaigns (id, title, held_on, audience, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.Title, micros(c.HeldOn), c.Audience, c.RecordedBy, micros(c.RecordedAt))
		if isCheckViolation(err) {
			return coupole.Wrap(err, coupole.EINVALID, "awareness: title and audience are required")
		} else if err != nil {
			return storageError(err, "record awareness campaign")
		}
		for _, s := range c.Attendees {
			_, err := tx.ExecContext(ctx, `INSERT INTO awareness_attendance (campaign_id, staff_id) VALUES ($1, $2)`, c.ID, s)
			if isUniqueViolation(err) {
				continue
			} else if isForeignKeyViolation(err) {
				return coupole.Wrap(err, coupole.EINVALID, "awareness: attendee %s is no staff member", s)
			} else if err != nil {
				return storageError(err, "record awareness attendance")
			}
		}
		return nil
	})
}

// ListAwareness lists the campaigns, newest first, with their attendees.
func (db *DB) ListAwareness(ctx context.Context) ([]coupole.AwarenessCampaign, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, title, held_on, audience, recorded_by, recorded_at FROM awareness_campaigns ORDER BY held_on DESC, id`)
	if err != nil {
		return nil, storageError(err, "read awareness campaigns")
	}
	var out []coupole.AwarenessCampaign
	for rows.Next() {
		var c coupole.AwarenessCampaign
		var held, rec int64
		if err := rows.Scan(&c.ID, &c.Title, &held, &c.Audience, &c.RecordedBy, &rec); err != nil {
			rows.Close()
			return nil, storageError(err, "read awareness campaigns")
		}
		c.HeldOn, c.RecordedAt = fromMicros(held), fromMicros(rec)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read awareness campaigns")
	}
	for i := range out {
		r, err := db.read.QueryContext(ctx, `SELECT staff_id FROM awareness_attendance WHERE campaign_id = $1 ORDER BY staff_id`, out[i].ID)
		if err != nil {
			return nil, storageError(err, "read awareness attendance")
		}
		for r.Next() {
			var s string
			if err := r.Scan(&s); err != nil {
				r.Close()
				return nil, storageError(err, "read awareness attendance")
			}
			out[i].Attendees = append(out[i].Attendees, s)
		}
		r.Close()
	}
	return out, nil
}

func isForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "FOREIGN KEY constraint failed") || strings.Contains(s, "SQLSTATE 23503")
}
