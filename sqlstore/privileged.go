package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/coupole/coupole"
)

// Privileged-access requests (issue 12, item 4; S3).

var _ coupole.PrivilegedStore = (*DB)(nil)

const privilegedColumns = `id, staff_id, role, justification, duration_s, requested_at, status, decided_by, decided_at, ends_at, ended_at`

func scanPrivileged(row rowScanner) (coupole.PrivilegedRequest, error) {
	var p coupole.PrivilegedRequest
	var role, status string
	var dur, req, dec, ends, ended int64
	err := row.Scan(&p.ID, &p.StaffID, &role, &p.Justification, &dur, &req, &status, &p.DecidedBy, &dec, &ends, &ended)
	p.Role, p.Status, p.Duration = coupole.Role(role), coupole.PrivilegedStatus(status), time.Duration(dur)*time.Second
	p.RequestedAt, p.DecidedAt, p.EndsAt, p.EndedAt = fromMicros(req), fromMicros(dec), fromMicros(ends), fromMicros(ended)
	return p, err
}

// CreatePrivilegedRequest records a pending request.
func (db *DB) CreatePrivilegedRequest(ctx context.Context, r coupole.PrivilegedRequest) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO privileged_requests (id, staff_id, role, justification, duration_s, requested_at, status)
		VALUES ($1, $2, $3, $4, $5, $6, 'pending')`,
		r.ID, r.StaffID, string(r.Role), r.Justification, int64(r.Duration/time.Second), micros(r.RequestedAt))
	switch {
	case isUniqueViolation(err):
		return coupole.Wrap(err, coupole.ECONFLICT, "privileged request %s already exists", r.ID)
	case isCheckViolation(err):
		return coupole.Wrap(err, coupole.EINVALID, "privileged request: unknown staff member or role, empty justification or duration")
	case err != nil:
		return storageError(err, "create privileged request")
	}
	return nil
}

// PrivilegedRequest returns one request.
func (db *DB) PrivilegedRequest(ctx context.Context, id string) (coupole.PrivilegedRequest, error) {
	p, err := scanPrivileged(db.read.QueryRowContext(ctx, `SELECT `+privilegedColumns+` FROM privileged_requests WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, coupole.Errorf(coupole.ENOTFOUND, "no such privileged request")
	} else if err != nil {
		return p, storageError(err, "read privileged request")
	}
	return p, nil
}

func (db *DB) privilegedList(ctx context.Context, where string, args ...any) ([]coupole.PrivilegedRequest, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+privilegedColumns+` FROM privileged_requests `+where+` ORDER BY requested_at, id`, args...)
	if err != nil {
		return nil, storageError(err, "read privileged requests")
	}
	defer rows.Close()
	var out []coupole.PrivilegedRequest
	for rows.Next() {
		p, err := scanPrivileged(rows)
		if err != nil {
			return nil, storageError(err, "read privileged requests")
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read privileged requests")
	}
	return out, nil
}

// ListPrivilegedRequests lists every request, oldest first.
func (db *DB) ListPrivilegedRequests(ctx context.Context) ([]coupole.PrivilegedRequest, error) {
	return db.privilegedList(ctx, "")
}

// DuePrivilegedRequests lists the approved requests whose end is past.
func (db *DB) DuePrivilegedRequests(ctx context.Context, now time.Time) ([]coupole.PrivilegedRequest, error) {
	return db.privilegedList(ctx, `WHERE status = 'approved' AND ends_at <= $1`, micros(now))
}

// DecidePrivilegedRequest approves or rejects a pending request, in one
// conditional update: two approvers at once cannot both decide.
func (db *DB) DecidePrivilegedRequest(ctx context.Context, id string, approve bool, by string, at time.Time) (coupole.PrivilegedRequest, error) {
	status := string(coupole.PrivilegedRejected)
	if approve {
		status = string(coupole.PrivilegedApproved)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE privileged_requests SET status = $2, decided_by = $3, decided_at = $4,
			ends_at = CASE WHEN $2 = 'approved' THEN $4 + duration_s * 1000000 ELSE 0 END
		WHERE id = $1 AND status = 'pending'`, id, status, by, micros(at))
	if err != nil {
		return coupole.PrivilegedRequest{}, storageError(err, "decide privileged request")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		p, err := db.PrivilegedRequest(ctx, id)
		if err != nil {
			return p, err
		}
		return p, coupole.Errorf(coupole.ECONFLICT, "privileged request %s is %s, not pending", id, p.Status)
	}
	return db.PrivilegedRequest(ctx, id)
}

// EndPrivilegedRequest ends an approved request (withdrawn or expired).
func (db *DB) EndPrivilegedRequest(ctx context.Context, id string, status coupole.PrivilegedStatus, at time.Time) error {
	if status != coupole.PrivilegedWithdrawn && status != coupole.PrivilegedExpired {
		return coupole.Errorf(coupole.EINVALID, "privileged request: an end is withdrawn or expired, not %s", status)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE privileged_requests SET status = $2, ended_at = $3,
			ends_at = CASE WHEN ends_at > $3 THEN $3 ELSE ends_at END
		WHERE id = $1 AND status = 'approved'`, id, string(status), micros(at))
	if err != nil {
		return storageError(err, "end privileged request")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		p, err := db.PrivilegedRequest(ctx, id)
		if err != nil {
			return err
		}
		return coupole.Errorf(coupole.ECONFLICT, "privileged request %s is %s, not approved", id, p.Status)
	}
	return nil
}

// ElevatedRoles lists the roles staffID holds at now by approved,
// unexpired requests, in the order of coupole.Roles.
func (db *DB) ElevatedRoles(ctx context.Context, staffID string, now time.Time) ([]coupole.Role, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT role FROM privileged_requests WHERE staff_id = $1 AND status = 'approved' AND ends_at > $2`,
		staffID, micros(now))
	if err != nil {
		return nil, storageError(err, "read elevated roles")
	}
	defer rows.Close()
	have := map[coupole.Role]bool{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, storageError(err, "read elevated roles")
		}
		have[coupole.Role(r)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read elevated roles")
	}
	var out []coupole.Role
	for _, r := range coupole.Roles {
		if have[r] {
			out = append(out, r)
		}
	}
	return out, nil
}
