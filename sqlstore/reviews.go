package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/coupole/coupole"
)

// Access-review campaigns (issue 12, item 5: S5).

var _ coupole.ReviewStore = (*DB)(nil)

const reviewCampaignColumns = `id, started_by, started_at, ends_at, status, closed_by, closed_at`

func scanReviewCampaign(s rowScanner) (coupole.ReviewCampaign, error) {
	var c coupole.ReviewCampaign
	var status string
	var started, ends, closed int64
	if err := s.Scan(&c.ID, &c.StartedBy, &started, &ends, &status, &c.ClosedBy, &closed); err != nil {
		return c, err
	}
	c.StartedAt, c.EndsAt, c.ClosedAt, c.Open = fromMicros(started), fromMicros(ends), fromMicros(closed), status == "open"
	return c, nil
}

// CreateReviewCampaign records an open campaign and its items.
func (db *DB) CreateReviewCampaign(ctx context.Context, c coupole.ReviewCampaign, items []coupole.ReviewItem) error {
	return db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO review_campaigns (`+reviewCampaignColumns+`) VALUES ($1, $2, $3, $4, 'open', '', 0)`,
			c.ID, c.StartedBy, micros(c.StartedAt), micros(c.EndsAt))
		if isUniqueViolation(err) {
			return coupole.Wrap(err, coupole.ECONFLICT, "a review campaign is open already: close it first")
		} else if err != nil {
			return storageError(err, "start review campaign")
		}
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO review_items (id, campaign_id, staff_id, role, reviewer, decision)
				VALUES ($1, $2, $3, $4, $5, 'pending')`, it.ID, c.ID, it.StaffID, string(it.Role), it.Reviewer); err != nil {
				return storageError(err, "start review campaign")
			}
		}
		return nil
	})
}

// ReviewCampaign returns one campaign.
func (db *DB) ReviewCampaign(ctx context.Context, id string) (coupole.ReviewCampaign, error) {
	c, err := scanReviewCampaign(db.read.QueryRowContext(ctx, `SELECT `+reviewCampaignColumns+` FROM review_campaigns WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, coupole.Errorf(coupole.ENOTFOUND, "no such review campaign %s", id)
	} else if err != nil {
		return c, storageError(err, "read review campaign")
	}
	return c, nil
}

// OpenReviewCampaign returns the open campaign, or ENOTFOUND.
func (db *DB) OpenReviewCampaign(ctx context.Context) (coupole.ReviewCampaign, error) {
	c, err := scanReviewCampaign(db.read.QueryRowContext(ctx, `SELECT `+reviewCampaignColumns+` FROM review_campaigns WHERE status = 'open'`))
	if errors.Is(err, sql.ErrNoRows) {
		return c, coupole.Errorf(coupole.ENOTFOUND, "no review campaign is open")
	} else if err != nil {
		return c, storageError(err, "read review campaign")
	}
	return c, nil
}

// ListReviewCampaigns lists the campaigns, newest first.
func (db *DB) ListReviewCampaigns(ctx context.Context) ([]coupole.ReviewCampaign, error) {
	return queryList(ctx, db, "read review campaigns", scanReviewCampaign, `SELECT `+reviewCampaignColumns+` FROM review_campaigns ORDER BY started_at DESC, id`)
}

const reviewItemColumns = `id, campaign_id, staff_id, role, reviewer, decision, decided_by, decided_at`

func scanReviewItem(s rowScanner) (coupole.ReviewItem, error) {
	var it coupole.ReviewItem
	var role, decision string
	var decided int64
	if err := s.Scan(&it.ID, &it.CampaignID, &it.StaffID, &role, &it.Reviewer, &decision, &it.DecidedBy, &decided); err != nil {
		return it, err
	}
	it.Role, it.Decision, it.DecidedAt = coupole.Role(role), coupole.ReviewDecision(decision), fromMicros(decided)
	return it, nil
}

// ReviewItems lists a campaign's items by staff member and role.
func (db *DB) ReviewItems(ctx context.Context, campaignID string) ([]coupole.ReviewItem, error) {
	return queryList(ctx, db, "read review items", scanReviewItem, `SELECT `+reviewItemColumns+` FROM review_items WHERE campaign_id = $1 ORDER BY staff_id, role`, campaignID)
}

// ReviewItem returns one item.
func (db *DB) ReviewItem(ctx context.Context, id string) (coupole.ReviewItem, error) {
	it, err := scanReviewItem(db.read.QueryRowContext(ctx, `SELECT `+reviewItemColumns+` FROM review_items WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, coupole.Errorf(coupole.ENOTFOUND, "no such review item %s", id)
	} else if err != nil {
		return it, storageError(err, "read review item")
	}
	return it, nil
}

// ReviewProgress counts a campaign's items by decision, in one query.
func (db *DB) ReviewProgress(ctx context.Context, campaignID string) (coupole.ReviewProgress, error) {
	var p coupole.ReviewProgress
	rows, err := db.read.QueryContext(ctx, `SELECT decision, COUNT(*) FROM review_items WHERE campaign_id = $1 GROUP BY decision`, campaignID)
	if err != nil {
		return p, storageError(err, "read review progress")
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return p, storageError(err, "read review progress")
		}
		p.Total += n
		switch coupole.ReviewDecision(d) {
		case coupole.ReviewPending:
			p.Pending = n
		case coupole.ReviewKept:
			p.Kept = n
		case coupole.ReviewRemoved:
			p.Removed = n
		case coupole.ReviewExpired:
			p.Expired = n
		case coupole.ReviewGone:
			p.Gone = n
		}
	}
	if err := rows.Err(); err != nil {
		return p, storageError(err, "read review progress")
	}
	return p, nil
}

// DecideReviewItem records the decision of a pending item.
func (db *DB) DecideReviewItem(ctx context.Context, id string, d coupole.ReviewDecision, by string, at time.Time) error {
	if d == coupole.ReviewPending {
		return coupole.Errorf(coupole.EINVALID, "review: a decision is kept, removed, expired or gone")
	}
	res, err := db.write.ExecContext(ctx, `UPDATE review_items SET decision = $1, decided_by = $2, decided_at = $3
		WHERE id = $4 AND decision = 'pending'`, string(d), by, micros(at), id)
	if isCheckViolation(err) {
		return coupole.Wrap(err, coupole.EINVALID, "review: unknown decision %q", d)
	} else if err != nil {
		return storageError(err, "decide review item")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := db.ReviewItem(ctx, id); err != nil {
			return err
		}
		return coupole.Errorf(coupole.ECONFLICT, "review item %s is decided already", id)
	}
	return nil
}

// CloseReviewCampaign marks an open campaign closed.
func (db *DB) CloseReviewCampaign(ctx context.Context, id, by string, at time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE review_campaigns SET status = 'closed', closed_by = $1, closed_at = $2
		WHERE id = $3 AND status = 'open'`, by, micros(at), id)
	if err != nil {
		return storageError(err, "close review campaign")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := db.ReviewCampaign(ctx, id); err != nil {
			return err
		}
		return coupole.Errorf(coupole.ECONFLICT, "review campaign %s is closed already", id)
	}
	return nil
}
