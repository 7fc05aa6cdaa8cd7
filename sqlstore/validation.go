package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Business validation of the roles granted by IT (issue 12, item 5: S5).

var _ coupole.ValidationStore = (*DB)(nil)

const roleGrantColumns = `id, staff_id, role, source, granted_by, granter_id, granted_at, due_at, status, decided_by, decided_at`

func scanRoleGrant(s rowScanner) (coupole.RoleGrant, error) {
	var g coupole.RoleGrant
	var role, status string
	var granted, due, decided int64
	if err := s.Scan(&g.ID, &g.StaffID, &role, &g.Source, &g.GrantedBy, &g.GranterID, &granted, &due, &status, &g.DecidedBy, &decided); err != nil {
		return g, err
	}
	g.Role, g.Status = coupole.Role(role), coupole.GrantStatus(status)
	g.GrantedAt, g.DueAt, g.DecidedAt = fromMicros(granted), fromMicros(due), fromMicros(decided)
	return g, nil
}

// CreateRoleGrants records new pending grants in one transaction.
func (db *DB) CreateRoleGrants(ctx context.Context, gs []coupole.RoleGrant) error {
	if len(gs) == 0 {
		return nil
	}
	return db.InTx(ctx, func(tx *Tx) error {
		for _, g := range gs {
			if _, err := coupole.ParseRole(string(g.Role)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO role_grants (`+roleGrantColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', '', 0)`,
				g.ID, g.StaffID, string(g.Role), g.Source, g.GrantedBy, g.GranterID, micros(g.GrantedAt), micros(g.DueAt))
			if isUniqueViolation(err) {
				return coupole.Wrap(err, coupole.ECONFLICT, "role grant %s already exists", g.ID)
			} else if isCheckViolation(err) {
				return coupole.Wrap(err, coupole.EINVALID, "role grant: empty field")
			} else if err != nil {
				return storageError(err, "record role grant")
			}
		}
		return nil
	})
}

// RoleGrant returns one grant.
func (db *DB) RoleGrant(ctx context.Context, id string) (coupole.RoleGrant, error) {
	g, err := scanRoleGrant(db.read.QueryRowContext(ctx, `SELECT `+roleGrantColumns+` FROM role_grants WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, coupole.Errorf(coupole.ENOTFOUND, "no such role grant %s", id)
	} else if err != nil {
		return g, storageError(err, "read role grant")
	}
	return g, nil
}

func (db *DB) queryRoleGrants(ctx context.Context, q string, args ...any) ([]coupole.RoleGrant, error) {
	return queryList(ctx, db, "read role grants", scanRoleGrant, q, args...)
}

// ListRoleGrants lists the grants of active accounts with that status (all
// when empty), oldest first.
func (db *DB) ListRoleGrants(ctx context.Context, status coupole.GrantStatus) ([]coupole.RoleGrant, error) {
	return db.queryRoleGrants(ctx, `SELECT g.id, g.staff_id, g.role, g.source, g.granted_by, g.granter_id, g.granted_at, g.due_at, g.status, g.decided_by, g.decided_at
		FROM role_grants g JOIN staff s ON s.id = g.staff_id
		WHERE s.status = 'active' AND ($1 = '' OR g.status = $1) ORDER BY g.granted_at, g.id`, string(status))
}

// ValidateRoleGrant marks a pending grant validated.
func (db *DB) ValidateRoleGrant(ctx context.Context, id, by string, at time.Time) (coupole.RoleGrant, error) {
	res, err := db.write.ExecContext(ctx, `UPDATE role_grants SET status = 'validated', decided_by = $1, decided_at = $2
		WHERE id = $3 AND status = 'pending'`, by, micros(at), id)
	if err != nil {
		return coupole.RoleGrant{}, storageError(err, "validate role grant")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		g, err := db.RoleGrant(ctx, id)
		if err != nil {
			return g, err
		}
		return g, coupole.Errorf(coupole.ECONFLICT, "role grant %s is %s, not pending", id, g.Status)
	}
	return db.RoleGrant(ctx, id)
}

// EndRoleGrant marks a pending grant rejected or suspended and removes its
// role from the account, in one transaction.
func (db *DB) EndRoleGrant(ctx context.Context, id string, status coupole.GrantStatus, by string, at time.Time) (before, after []coupole.Role, err error) {
	if status != coupole.GrantRejected && status != coupole.GrantSuspended {
		return nil, nil, coupole.Errorf(coupole.EINVALID, "role grant: a grant ends rejected or suspended, not %q", status)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		var staffID, role string
		err := tx.QueryRowContext(ctx, `SELECT staff_id, role FROM role_grants WHERE id = $1`, id).Scan(&staffID, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return coupole.Errorf(coupole.ENOTFOUND, "no such role grant %s", id)
		} else if err != nil {
			return storageError(err, "end role grant")
		}
		if err := staffExists(ctx, tx, staffID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE role_grants SET status = $1, decided_by = $2, decided_at = $3
			WHERE id = $4 AND status = 'pending'`, string(status), by, micros(at), id)
		if err != nil {
			return storageError(err, "end role grant")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return coupole.Errorf(coupole.ECONFLICT, "role grant %s is no longer pending", id)
		}
		if before, err = rolesOfTx(ctx, tx, staffID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_roles WHERE staff_id = $1 AND role = $2`, staffID, role); err != nil {
			return storageError(err, "end role grant")
		}
		after, err = rolesOfTx(ctx, tx, staffID)
		return err
	})
	return before, after, err
}

func rolesOfTx(ctx context.Context, tx *Tx, staffID string) ([]coupole.Role, error) {
	rows, err := tx.QueryContext(ctx, `SELECT role FROM staff_roles WHERE staff_id = $1`, staffID)
	if err != nil {
		return nil, storageError(err, "read roles")
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, storageError(err, "read roles")
		}
		names = append(names, r)
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read roles")
	}
	return coupole.ParseRoles(strings.Join(names, ","))
}

// CloseRoleGrants closes the pending grants of staffID whose role is not in
// keep.
func (db *DB) CloseRoleGrants(ctx context.Context, staffID string, keep []coupole.Role, at time.Time) error {
	pending, err := db.queryRoleGrants(ctx, `SELECT `+roleGrantColumns+` FROM role_grants WHERE staff_id = $1 AND status = 'pending'`, staffID)
	if err != nil {
		return err
	}
	for _, g := range pending {
		kept := false
		for _, r := range keep {
			kept = kept || r == g.Role
		}
		if kept {
			continue
		}
		if _, err := db.write.ExecContext(ctx, `UPDATE role_grants SET status = 'closed', decided_at = $1 WHERE id = $2 AND status = 'pending'`,
			micros(at), g.ID); err != nil {
			return storageError(err, "close role grant")
		}
	}
	return nil
}

// OverdueRoles lists the roles of staffID pending validation past their due
// time: one indexed query, on every request of the staff member.
func (db *DB) OverdueRoles(ctx context.Context, staffID string, now time.Time) ([]coupole.Role, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT role FROM role_grants WHERE staff_id = $1 AND status = 'pending' AND due_at <= $2`,
		staffID, micros(now))
	if err != nil {
		return nil, storageError(err, "read overdue roles")
	}
	defer rows.Close()
	var out []coupole.Role
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, storageError(err, "read overdue roles")
		}
		out = append(out, coupole.Role(r))
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read overdue roles")
	}
	return out, nil
}

// DueRoleGrants lists the pending grants whose due time is past.
func (db *DB) DueRoleGrants(ctx context.Context, now time.Time) ([]coupole.RoleGrant, error) {
	return db.queryRoleGrants(ctx, `SELECT `+roleGrantColumns+` FROM role_grants WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id`, micros(now))
}
