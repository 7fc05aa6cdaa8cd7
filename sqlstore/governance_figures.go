package sqlstore

import (
	"context"
	"time"

	"github.com/coupole/coupole"
)

// governanceFigures are the figures of identity governance for the yearly
// report (issue 12, item 8): each one query over staff_lifecycle, whose
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
