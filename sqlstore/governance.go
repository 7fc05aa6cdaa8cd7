package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Identity governance storage (issue 12): HR profiles beside the accounts
// and the lifecycle records the yearly report counts.

var _ coupole.GovernanceStore = (*DB)(nil)

// StaffProfile returns the HR profile of a staff member.
func (db *DB) StaffProfile(ctx context.Context, id string) (coupole.StaffProfile, error) {
	var p coupole.StaffProfile
	var lang string
	err := db.read.QueryRowContext(ctx, `SELECT s.login, s.display_name, s.language,
			COALESCE(p.employee_number, ''), COALESCE(p.department, ''), COALESCE(p.manager, '')
		FROM staff s LEFT JOIN staff_profiles p ON p.staff_id = s.id WHERE s.id = $1`, id).
		Scan(&p.Login, &p.DisplayName, &lang, &p.EmployeeNumber, &p.Department, &p.Manager)
	if errors.Is(err, sql.ErrNoRows) {
		return p, coupole.Errorf(coupole.ENOTFOUND, "no such staff member")
	} else if err != nil {
		return p, storageError(err, "read staff profile")
	}
	p.Language = coupole.Language(lang)
	return p, nil
}

// SetStaffProfile records p: display name and language on the account, the
// rest in staff_profiles, in one transaction. The login never changes here.
func (db *DB) SetStaffProfile(ctx context.Context, id string, p coupole.StaffProfile, at time.Time) error {
	if p.Language != "" {
		if _, err := coupole.ParseLanguage(string(p.Language)); err != nil {
			return err
		}
	}
	return db.InTx(ctx, func(tx *Tx) error {
		if err := staffExists(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET display_name = $1, language = $2 WHERE id = $3`,
			p.DisplayName, string(p.Language), id); err != nil {
			return storageError(err, "set staff profile")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_profiles (staff_id, employee_number, department, manager, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (staff_id) DO UPDATE SET employee_number = excluded.employee_number,
				department = excluded.department, manager = excluded.manager, updated_at = excluded.updated_at`,
			id, p.EmployeeNumber, p.Department, p.Manager, micros(at))
		if err != nil {
			return storageError(err, "set staff profile")
		}
		return nil
	})
}

// RecordLifecycle appends a lifecycle record.
func (db *DB) RecordLifecycle(ctx context.Context, r coupole.LifecycleRecord) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO staff_lifecycle
		(id, staff_id, kind, source, actor, roles_before, roles_after, rule, at, effective_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, r.StaffID, string(r.Kind), r.Source, r.Actor, joinRoleList(r.RolesBefore), joinRoleList(r.RolesAfter), r.Rule, micros(r.At), micros(r.EffectiveAt))
	if isCheckViolation(err) {
		return coupole.Wrap(err, coupole.EINVALID, "lifecycle record: unknown kind %q or source %q", r.Kind, r.Source)
	} else if isUniqueViolation(err) {
		return coupole.Wrap(err, coupole.ECONFLICT, "lifecycle record %s already exists", r.ID)
	} else if err != nil {
		return storageError(err, "record lifecycle")
	}
	return nil
}

// LifecycleRecords lists the records of a staff member, oldest first.
func (db *DB) LifecycleRecords(ctx context.Context, staffID string) ([]coupole.LifecycleRecord, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, staff_id, kind, source, actor, roles_before, roles_after, rule, at, effective_at
		FROM staff_lifecycle WHERE staff_id = $1 ORDER BY at, id`, staffID)
	if err != nil {
		return nil, storageError(err, "read lifecycle")
	}
	defer rows.Close()
	var out []coupole.LifecycleRecord
	for rows.Next() {
		var r coupole.LifecycleRecord
		var kind, before, after string
		var at, eff int64
		if err := rows.Scan(&r.ID, &r.StaffID, &kind, &r.Source, &r.Actor, &before, &after, &r.Rule, &at, &eff); err != nil {
			return nil, storageError(err, "read lifecycle")
		}
		r.Kind, r.At, r.EffectiveAt = coupole.LifecycleKind(kind), fromMicros(at), fromMicros(eff)
		r.RolesBefore, r.RolesAfter = splitRoleList(before), splitRoleList(after)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read lifecycle")
	}
	return out, nil
}

func joinRoleList(rs []coupole.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func splitRoleList(s string) []coupole.Role {
	if s == "" {
		return nil
	}
	var out []coupole.Role
	for _, p := range strings.Split(s, ",") {
		out = append(out, coupole.Role(p))
	}
	return out
}

// SetLeaveDate records the HR end date of a staff member (zero clears it).
func (db *DB) SetLeaveDate(ctx context.Context, staffID string, at time.Time) error {
	var v int64
	if !at.IsZero() {
		v = micros(at)
	}
	return db.InTx(ctx, func(tx *Tx) error {
		if err := staffExists(ctx, tx, staffID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_profiles (staff_id, leaves_at, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (staff_id) DO UPDATE SET leaves_at = excluded.leaves_at`, staffID, v, micros(time.Now()))
		if err != nil {
			return storageError(err, "set leave date")
		}
		return nil
	})
}

// LeaveDates lists the recorded HR end dates by staff id.
func (db *DB) LeaveDates(ctx context.Context) (map[string]time.Time, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT staff_id, leaves_at FROM staff_profiles WHERE leaves_at > 0`)
	if err != nil {
		return nil, storageError(err, "read leave dates")
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			return nil, storageError(err, "read leave dates")
		}
		out[id] = fromMicros(at)
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read leave dates")
	}
	return out, nil
}

// DueLeavers lists the active accounts whose HR end date is at or before
// now, earliest first.
func (db *DB) DueLeavers(ctx context.Context, now time.Time) ([]coupole.ScheduledLeave, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.staff_id, p.leaves_at FROM staff_profiles p JOIN staff s ON s.id = p.staff_id
		WHERE p.leaves_at > 0 AND p.leaves_at <= $1 AND s.status = 'active' ORDER BY p.leaves_at, p.staff_id`, micros(now))
	if err != nil {
		return nil, storageError(err, "read due leavers")
	}
	defer rows.Close()
	var out []coupole.ScheduledLeave
	for rows.Next() {
		var l coupole.ScheduledLeave
		var at int64
		if err := rows.Scan(&l.StaffID, &at); err != nil {
			return nil, storageError(err, "read due leavers")
		}
		l.At = fromMicros(at)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, "read due leavers")
	}
	return out, nil
}
