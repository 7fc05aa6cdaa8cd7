package sqlstore

import (
	"context"
	"time"

	"github.com/coupole/coupole"
)

// governanceFigures are the figures of identity governance for the yearly
// report (issue 12, item 8): each one query (over staff_lifecycle,
// role_grants, review_items, charter_acknowledgements), whose
// text is the Figure's Query so that an auditor can recount it. $1 and $2
// are the period's bounds in microseconds since the epoch, [from, to).
var governanceFigures = []struct {
	key, requirement, unit, query string
}{
	{"governance.joiners", "S4", "count", `SELECT COUNT(*) FROM staff_lifecycle WHERE kind = 'joiner' AND at >= $1 AND at < $2`},
	{"governance.movers", "S4", "count", `SELECT COUNT(*) FROM staff_lifecycle WHERE kind = 'mover' AND at >= $1 AND at < $2`},
	{"governance.leavers", "S4", "count", `SELECT COUNT(*) FROM staff_lifecycle WHERE kind = 'leaver' AND at >= $1 AND at < $2`},
	{"governance.leaver_revocation_max", "S4", "seconds",
		`SELECT COALESCE(MAX(at - effective_at), 0) / 1000000 FROM staff_lifecycle WHERE kind = 'leaver' AND effective_at > 0 AND at >= $1 AND at < $2`},
	{"governance.leaver_revocation_avg", "S4", "seconds",
		`SELECT CAST(COALESCE(AVG(at - effective_at), 0) / 1000000 AS BIGINT) FROM staff_lifecycle WHERE kind = 'leaver' AND effective_at > 0 AND at >= $1 AND at < $2`},
	{"governance.sod_refusals", "S7", "count", `SELECT COUNT(*) FROM staff_lifecycle WHERE kind = 'sod_refused' AND at >= $1 AND at < $2`},
	// Privileged access (S3) by outcome, over the requests made in the
	// period: granted (approved, whether since expired or withdrawn),
	// rejected, withdrawn early, still pending; and the mean granted duration.
	{"governance.privileged_requests", "S3", "count", `SELECT COUNT(*) FROM privileged_requests WHERE requested_at >= $1 AND requested_at < $2`},
	{"governance.privileged_granted", "S3", "count",
		`SELECT COUNT(*) FROM privileged_requests WHERE status IN ('approved', 'expired', 'withdrawn') AND decided_at > 0 AND requested_at >= $1 AND requested_at < $2`},
	{"governance.privileged_rejected", "S3", "count", `SELECT COUNT(*) FROM privileged_requests WHERE status = 'rejected' AND requested_at >= $1 AND requested_at < $2`},
	{"governance.privileged_withdrawn", "S3", "count", `SELECT COUNT(*) FROM privileged_requests WHERE status = 'withdrawn' AND requested_at >= $1 AND requested_at < $2`},
	{"governance.privileged_pending", "S3", "count", `SELECT COUNT(*) FROM privileged_requests WHERE status = 'pending' AND requested_at >= $1 AND requested_at < $2`},
	{"governance.privileged_granted_minutes_avg", "S3", "minutes",
		`SELECT CAST(COALESCE(AVG(duration_s), 0) / 60 AS BIGINT) FROM privileged_requests WHERE status IN ('approved', 'expired', 'withdrawn') AND decided_at > 0 AND requested_at >= $1 AND requested_at < $2`},
	// Break-glass grants (S3) by outcome, the same way.
	{"governance.breakglass_requests", "S3", "count", `SELECT COUNT(*) FROM break_glass_grants WHERE requested_at >= $1 AND requested_at < $2`},
	{"governance.breakglass_granted", "S3", "count", `SELECT COUNT(*) FROM break_glass_grants WHERE approved_by <> '' AND requested_at >= $1 AND requested_at < $2`},
	{"governance.breakglass_rejected", "S3", "count", `SELECT COUNT(*) FROM break_glass_grants WHERE end_reason = 'rejected' AND requested_at >= $1 AND requested_at < $2`},
	{"governance.breakglass_withdrawn", "S3", "count", `SELECT COUNT(*) FROM break_glass_grants WHERE end_reason = 'withdrawn' AND requested_at >= $1 AND requested_at < $2`},
	// Business validation (item 5, S5): the grants due in the period, and
	// the share of them validated before their due time (a grant still
	// pending past its due time, suspended or rejected is not on time).
	{"governance.grants_due", "S5", "count",
		`SELECT COUNT(*) FROM role_grants WHERE status <> 'closed' AND due_at >= $1 AND due_at < $2`},
	{"governance.validations_on_time_pct", "S5", "percent",
		`SELECT COALESCE(100 * SUM(CASE WHEN status = 'validated' AND decided_at < due_at THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0), 0) FROM role_grants WHERE status <> 'closed' AND due_at >= $1 AND due_at < $2`},
	{"governance.grants_suspended", "S5", "count",
		`SELECT COUNT(*) FROM role_grants WHERE status = 'suspended' AND decided_at >= $1 AND decided_at < $2`},
	// Access reviews (item 5, S5): the items of the campaigns started in the
	// period, and the share a reviewer decided (kept or removed) rather than
	// removed unreviewed at the end (items whose account or role went away
	// meanwhile are left out).
	{"governance.review_items", "S5", "count",
		`SELECT COUNT(*) FROM review_items i JOIN review_campaigns c ON c.id = i.campaign_id WHERE i.decision <> 'gone' AND c.started_at >= $1 AND c.started_at < $2`},
	{"governance.review_completion_pct", "S5", "percent",
		`SELECT COALESCE(100 * SUM(CASE WHEN i.decision IN ('kept', 'removed') THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0), 0) FROM review_items i JOIN review_campaigns c ON c.id = i.campaign_id WHERE i.decision <> 'gone' AND c.started_at >= $1 AND c.started_at < $2`},
	// The confidentiality charter (item 6, S1): at the period's end, the
	// share of the accounts then active (demo accounts aside) that had
	// acknowledged the version then current within the year before.
	{"governance.charter_ack_pct", "S1", "percent",
		`SELECT COALESCE(100 * SUM(CASE WHEN EXISTS (SELECT 1 FROM charter_acknowledgements a WHERE a.staff_id = s.id
			AND a.version = (SELECT c.version FROM charters c WHERE c.published_at < CAST($2 AS BIGINT) ORDER BY c.published_at DESC, c.version DESC LIMIT 1)
			AND a.acknowledged_at < CAST($2 AS BIGINT) AND a.acknowledged_at >= CAST($2 AS BIGINT) - 31536000000000) THEN 1 ELSE 0 END) / NULLIF(COUNT(*), 0), 0)
		FROM staff s WHERE s.kind <> 'demo' AND s.created_at < CAST($2 AS BIGINT) AND (s.status = 'active' OR s.revoked_at >= CAST($2 AS BIGINT)) AND CAST($1 AS BIGINT) < CAST($2 AS BIGINT)`},
}

// GovernanceFigures computes the governance figures for [from, to).
func (db *DB) GovernanceFigures(ctx context.Context, from, to time.Time) ([]coupole.Figure, error) {
	if !from.Before(to) {
		return nil, coupole.Errorf(coupole.EINVALID, "figures: the period's start must be before its end")
	}
	out := make([]coupole.Figure, 0, len(governanceFigures))
	for _, f := range governanceFigures {
		var v int64
		if err := db.read.QueryRowContext(ctx, f.query, micros(from), micros(to)).Scan(&v); err != nil {
			return nil, storageError(err, "governance figure "+f.key)
		}
		out = append(out, coupole.Figure{Key: f.key, Requirement: f.requirement, Query: f.query, Value: v, Unit: f.unit})
	}
	return out, nil
}
