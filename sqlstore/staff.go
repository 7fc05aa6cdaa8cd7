package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/secretkey"
)

// Staff access storage (issue 5): staff, roles, local credentials, sessions
// and break-glass grants. Instants are stored as microseconds since the Unix
// epoch (see migration 0003), 0 meaning "not set".

var _ coupole.StaffStore = (*DB)(nil)

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

func isCheckViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "CHECK constraint failed") || strings.Contains(s, "SQLSTATE 23514") ||
		strings.Contains(s, "FOREIGN KEY constraint failed") || strings.Contains(s, "SQLSTATE 23503")
}

// CreateStaff adds a staff member with their roles.
func (db *DB) CreateStaff(ctx context.Context, s coupole.Staff) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO staff (id, kind, login, display_name, status, created_at, revoked_at, revoked_reason, language)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			s.ID, string(s.Kind), s.Login, s.DisplayName, string(s.Status), micros(s.CreatedAt), micros(s.RevokedAt), s.RevokedReason, string(s.Language))
		if isUniqueViolation(err) {
			return coupole.Wrap(err, coupole.ECONFLICT, "staff %s: an account with this id or login already exists", s.ID)
		} else if err != nil {
			return storageError(err, "create staff")
		}
		return insertRoles(ctx, tx, s.ID, s.Roles)
	})
}

func insertRoles(ctx context.Context, tx *Tx, id string, roles []coupole.Role) error {
	for _, r := range roles {
		if _, err := coupole.ParseRole(string(r)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_roles (staff_id, role) VALUES ($1, $2)`, id, string(r)); err != nil {
			if isUniqueViolation(err) {
				continue
			}
			return storageError(err, "set roles")
		}
	}
	return nil
}

const staffColumns = `id, kind, login, display_name, status, created_at, revoked_at, revoked_reason, language`

func scanStaff(row rowScanner) (coupole.Staff, error) {
	var s coupole.Staff
	var kind, status, lang string
	var created, revoked int64
	err := row.Scan(&s.ID, &kind, &s.Login, &s.DisplayName, &status, &created, &revoked, &s.RevokedReason, &lang)
	s.Kind, s.Status, s.Language = coupole.StaffKind(kind), coupole.StaffStatus(status), coupole.Language(lang)
	s.CreatedAt, s.RevokedAt = fromMicros(created), fromMicros(revoked)
	return s, err
}

// loadRoles fills the roles of staff members, in the order of coupole.Roles.
func (db *DB) loadRoles(ctx context.Context, staff []coupole.Staff) error {
	if len(staff) == 0 {
		return nil
	}
	index := map[string]int{}
	for i := range staff {
		index[staff[i].ID] = i
	}
	q := `SELECT staff_id, role FROM staff_roles`
	var args []any
	if len(staff) == 1 {
		q += ` WHERE staff_id = $1`
		args = append(args, staff[0].ID)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return storageError(err, "read roles")
	}
	defer rows.Close()
	have := make([]map[coupole.Role]bool, len(staff))
	for rows.Next() {
		var id, role string
		if err := rows.Scan(&id, &role); err != nil {
			return storageError(err, "read roles")
		}
		if i, ok := index[id]; ok {
			if have[i] == nil {
				have[i] = map[coupole.Role]bool{}
			}
			have[i][coupole.Role(role)] = true
		}
	}
	if err := rows.Err(); err != nil {
		return storageError(err, "read roles")
	}
	for i := range staff {
		staff[i].Roles = nil
		for _, r := range coupole.Roles {
			if have[i][r] {
				staff[i].Roles = append(staff[i].Roles, r)
			}
		}
	}
	return nil
}

func (db *DB) oneStaff(ctx context.Context, where string, args ...any) (coupole.Staff, error) {
	s, err := scanStaff(db.read.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return coupole.Staff{}, coupole.Errorf(coupole.ENOTFOUND, "no such staff member")
	} else if err != nil {
		return coupole.Staff{}, storageError(err, "read staff")
	}
	list := []coupole.Staff{s}
	if err := db.loadRoles(ctx, list); err != nil {
		return coupole.Staff{}, err
	}
	return list[0], nil
}

// Staff returns one staff member by id.
func (db *DB) Staff(ctx context.Context, id string) (coupole.Staff, error) {
	return db.oneStaff(ctx, `id = $1`, id)
}

// StaffByLogin returns the staff member who signs in as login.
func (db *DB) StaffByLogin(ctx context.Context, kind coupole.StaffKind, login string) (coupole.Staff, error) {
	return db.oneStaff(ctx, `kind = $1 AND login = $2`, string(kind), login)
}

// ListStaff returns every staff member, by id.
func (db *DB) ListStaff(ctx context.Context) ([]coupole.Staff, error) {
	list, err := queryList(ctx, db, "list staff", scanStaff, `SELECT `+staffColumns+` FROM staff ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return list, db.loadRoles(ctx, list)
}

// SetLanguage records the language a staff member picked for the screens.
func (db *DB) SetLanguage(ctx context.Context, id string, lang coupole.Language) error {
	if _, err := coupole.ParseLanguage(string(lang)); err != nil {
		return err
	}
	res, err := db.write.ExecContext(ctx, `UPDATE staff SET language = $2 WHERE id = $1`, id, string(lang))
	if err != nil {
		return storageError(err, "set language")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return coupole.Errorf(coupole.ENOTFOUND, "no such staff member")
	}
	return nil
}

// SetRoles replaces the roles of a staff member. No role is allowed (issue
// 12: a mover whose groups map to no role keeps the account, not the rights).
func (db *DB) SetRoles(ctx context.Context, id string, roles []coupole.Role) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if err := staffExists(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_roles WHERE staff_id = $1`, id); err != nil {
			return storageError(err, "set roles")
		}
		return insertRoles(ctx, tx, id, roles)
	})
}

// staffExists checks that the staff member exists and locks their row until
// the transaction ends: concurrent changes of one member's roles or
// credentials then run one after the other (on PostgreSQL two role changes
// would otherwise both delete, then both insert, and one fail on the key).
func staffExists(ctx context.Context, tx *Tx, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE staff SET status = status WHERE id = $1`, id)
	if err != nil {
		return storageError(err, "read staff")
	}
	if n, err := res.RowsAffected(); err != nil {
		return storageError(err, "read staff")
	} else if n == 0 {
		return coupole.Errorf(coupole.ENOTFOUND, "no such staff member")
	}
	return nil
}

// Revoke disables the account, deletes all its sessions, ends all its
// break-glass grants and closes its open interactions, in one transaction
// (S6, issue 10).
func (db *DB) Revoke(ctx context.Context, id, reason string, at time.Time) (coupole.Revocation, error) {
	if strings.TrimSpace(reason) == "" {
		return coupole.Revocation{}, coupole.Errorf(coupole.EINVALID, "revoke: a reason is required")
	}
	var out coupole.Revocation
	err := db.InTx(ctx, func(tx *Tx) error {
		out = coupole.Revocation{}
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM staff WHERE id = $1`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return coupole.Errorf(coupole.ENOTFOUND, "no such staff member")
		} else if err != nil {
			return storageError(err, "revoke")
		}
		if status == string(coupole.StaffRevoked) {
			return coupole.Errorf(coupole.ECONFLICT, "staff %s is already revoked", id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET status = 'revoked', revoked_at = $2, revoked_reason = $3 WHERE id = $1`,
			id, micros(at), reason); err != nil {
			return storageError(err, "revoke")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE staff_id = $1`, id)
		if err != nil {
			return storageError(err, "revoke sessions")
		}
		n, _ := res.RowsAffected()
		out.Sessions = int(n)
		if _, err := tx.ExecContext(ctx, `UPDATE break_glass_grants SET revoked_at = $2 WHERE staff_id = $1 AND revoked_at = 0`,
			id, micros(at)); err != nil {
			return storageError(err, "revoke grants")
		}
		// Privileged access (issue 12): held roles end, pending requests are
		// refused; a reinstated member asks again.
		if _, err := tx.ExecContext(ctx, `UPDATE privileged_requests SET status = 'withdrawn', ended_at = $2,
				ends_at = CASE WHEN ends_at > $2 THEN $2 ELSE ends_at END WHERE staff_id = $1 AND status = 'approved'`,
			id, micros(at)); err != nil {
			return storageError(err, "revoke privileged access")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE privileged_requests SET status = 'rejected', decided_by = 'revocation', decided_at = $2
				WHERE staff_id = $1 AND status = 'pending'`, id, micros(at)); err != nil {
			return storageError(err, "revoke privileged access")
		}
		out.Interactions, err = closeInteractionsOf(ctx, tx, id, coupole.CloseStaffRevoked, at)
		return err
	})
	return out, err
}

// Reinstate makes a revoked account active again.
func (db *DB) Reinstate(ctx context.Context, id string) error {
	res, err := db.write.ExecContext(ctx, `UPDATE staff SET status = 'active', revoked_at = 0, revoked_reason = '' WHERE id = $1 AND status = 'revoked'`, id)
	if err != nil {
		return storageError(err, "reinstate")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := db.Staff(ctx, id); err != nil {
			return err
		}
		return coupole.Errorf(coupole.ECONFLICT, "staff %s is not revoked", id)
	}
	return nil
}

// SetLocalCredential creates or replaces the credential of a local account.
// The TOTP secret must be sealed with the data directory's key (issue 10,
// item 11): a secret in clear is refused, whoever the caller.
func (db *DB) SetLocalCredential(ctx context.Context, c coupole.LocalCredential) error {
	if !strings.HasPrefix(c.PasswordHash, "$argon2id$") || c.TOTPSecret == "" {
		return coupole.Errorf(coupole.EINVALID, "local credential: an argon2id hash and a TOTP secret are required")
	}
	if !secretkey.IsSealed(c.TOTPSecret) {
		return coupole.Errorf(coupole.EINVALID, "local credential: the TOTP secret must be sealed with the data directory's secret key")
	}
	return db.InTx(ctx, func(tx *Tx) error {
		if err := staffExists(ctx, tx, c.StaffID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_local_credentials WHERE staff_id = $1`, c.StaffID); err != nil {
			return storageError(err, "set credential")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_local_credentials (staff_id, password_hash, totp_secret, last_totp_step) VALUES ($1, $2, $3, $4)`,
			c.StaffID, c.PasswordHash, c.TOTPSecret, c.LastTOTPStep)
		return storageError(err, "set credential")
	})
}

// LocalCredential returns the credential of a local account.
func (db *DB) LocalCredential(ctx context.Context, staffID string) (coupole.LocalCredential, error) {
	c := coupole.LocalCredential{StaffID: staffID}
	err := db.read.QueryRowContext(ctx, `SELECT password_hash, totp_secret, last_totp_step FROM staff_local_credentials WHERE staff_id = $1`, staffID).
		Scan(&c.PasswordHash, &c.TOTPSecret, &c.LastTOTPStep)
	if errors.Is(err, sql.ErrNoRows) {
		return coupole.LocalCredential{}, coupole.Errorf(coupole.ENOTFOUND, "no local credential")
	} else if err != nil {
		return coupole.LocalCredential{}, storageError(err, "read credential")
	}
	return c, nil
}

// TOTPSecrets returns the stored TOTP secret of every local account, by
// staff id: sealed ones, and any left in clear by a version of Coupole
// before issue 10, which the server seals at start-up.
func (db *DB) TOTPSecrets(ctx context.Context) (map[string]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT staff_id, totp_secret FROM staff_local_credentials`)
	if err != nil {
		return nil, storageError(err, "list TOTP secrets")
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, secret string
		if err := rows.Scan(&id, &secret); err != nil {
			return nil, storageError(err, "list TOTP secrets")
		}
		out[id] = secret
	}
	return out, storageError(rows.Err(), "list TOTP secrets")
}

// ReplaceTOTPSecret replaces the stored TOTP secret of staffID by sealed,
// only if it is still old (compare-and-set: two nodes sealing at once do not
// overwrite each other). It reports whether it replaced it.
func (db *DB) ReplaceTOTPSecret(ctx context.Context, staffID, old, sealed string) (bool, error) {
	if !secretkey.IsSealed(sealed) {
		return false, coupole.Errorf(coupole.EINVALID, "local credential: the TOTP secret must be sealed with the data directory's secret key")
	}
	res, err := db.write.ExecContext(ctx, `UPDATE staff_local_credentials SET totp_secret = $3 WHERE staff_id = $1 AND totp_secret = $2`, staffID, old, sealed)
	if err != nil {
		return false, storageError(err, "replace TOTP secret")
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// UseTOTPStep records a TOTP step as used; a step not later than the last one
// is a replay (ECONFLICT). The compare-and-set is one statement, so two nodes
// cannot both accept the same code.
func (db *DB) UseTOTPStep(ctx context.Context, staffID string, step int64) error {
	res, err := db.write.ExecContext(ctx, `UPDATE staff_local_credentials SET last_totp_step = $2 WHERE staff_id = $1 AND last_totp_step < $2`, staffID, step)
	if err != nil {
		return storageError(err, "use TOTP step")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return coupole.Errorf(coupole.ECONFLICT, "TOTP code already used")
	}
	return nil
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s coupole.Session) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO staff_sessions (id_hash, staff_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		s.IDHash, s.StaffID, micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt))
	if isCheckViolation(err) {
		return coupole.Wrap(err, coupole.EINVALID, "session: invalid id hash or unknown staff member")
	}
	return storageError(err, "create session")
}

// ActiveSession returns a session and its staff member if the member is
// active. One query: it runs on every request, so that a revocation on any
// node is seen by the next request on every node (S6).
func (db *DB) ActiveSession(ctx context.Context, idHash string) (coupole.Session, coupole.Staff, error) {
	// One query, one row per role: every request of a signed-in staff member
	// asks this, and a second query for the roles was a tenth of the cost of
	// an advisor's request on SQLite.
	rows, err := db.read.QueryContext(ctx, `SELECT s.id_hash, s.staff_id, s.created_at, s.last_seen_at, s.expires_at,
			st.id, st.kind, st.login, st.display_name, st.status, st.created_at, st.revoked_at, st.revoked_reason, st.language, r.role
		FROM staff_sessions s JOIN staff st ON st.id = s.staff_id LEFT JOIN staff_roles r ON r.staff_id = st.id
		WHERE s.id_hash = $1 AND st.status = 'active'`, idHash)
	if err != nil {
		return coupole.Session{}, coupole.Staff{}, storageError(err, "read session")
	}
	defer rows.Close()
	var sess coupole.Session
	var st coupole.Staff
	found := false
	have := map[coupole.Role]bool{}
	for rows.Next() {
		var created, seen, expires, stCreated, stRevoked int64
		var kind, status, lang string
		var role sql.NullString
		if err := rows.Scan(&sess.IDHash, &sess.StaffID, &created, &seen, &expires,
			&st.ID, &kind, &st.Login, &st.DisplayName, &status, &stCreated, &stRevoked, &st.RevokedReason, &lang, &role); err != nil {
			return coupole.Session{}, coupole.Staff{}, storageError(err, "read session")
		}
		found = true
		sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
		st.Kind, st.Status, st.CreatedAt, st.RevokedAt = coupole.StaffKind(kind), coupole.StaffStatus(status), fromMicros(stCreated), fromMicros(stRevoked)
		st.Language = coupole.Language(lang)
		if role.Valid {
			have[coupole.Role(role.String)] = true
		}
	}
	if err := rows.Err(); err != nil {
		return coupole.Session{}, coupole.Staff{}, storageError(err, "read session")
	}
	if !found {
		return coupole.Session{}, coupole.Staff{}, coupole.Errorf(coupole.EUNAUTHORIZED, "session is not valid")
	}
	for _, r := range coupole.Roles {
		if have[r] {
			st.Roles = append(st.Roles, r)
		}
	}
	return sess, st, nil
}

// TouchSession records activity, for the idle timeout.
func (db *DB) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	_, err := db.write.ExecContext(ctx, `UPDATE staff_sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2`, idHash, micros(at))
	return storageError(err, "touch session")
}

// DeleteSession signs one session out.
func (db *DB) DeleteSession(ctx context.Context, idHash string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM staff_sessions WHERE id_hash = $1`, idHash)
	return storageError(err, "delete session")
}

// DeleteSessionsOf signs a staff member out everywhere.
func (db *DB) DeleteSessionsOf(ctx context.Context, staffID string) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM staff_sessions WHERE staff_id = $1`, staffID)
	if err != nil {
		return 0, storageError(err, "delete sessions")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

const grantColumns = `id, staff_id, customer_id, reason, requested_at, duration_s, approved_by, approved_at, expires_at, revoked_at,
	rejected_by, ended_at, end_reason`

func scanGrant(row rowScanner) (coupole.BreakGlassGrant, error) {
	var g coupole.BreakGlassGrant
	var req, dur, appr, exp, rev, ended int64
	err := row.Scan(&g.ID, &g.StaffID, &g.CustomerID, &g.Reason, &req, &dur, &g.ApprovedBy, &appr, &exp, &rev, &g.RejectedBy, &ended, &g.EndReason)
	g.RequestedAt, g.ApprovedAt, g.ExpiresAt, g.RevokedAt = fromMicros(req), fromMicros(appr), fromMicros(exp), fromMicros(rev)
	g.EndedAt = fromMicros(ended)
	g.Duration = time.Duration(dur) * time.Second
	return g, err
}

// CreateGrant stores a pending break-glass request.
func (db *DB) CreateGrant(ctx context.Context, g coupole.BreakGlassGrant) error {
	if g.ID == "" || g.StaffID == "" || g.CustomerID == "" || strings.TrimSpace(g.Reason) == "" {
		return coupole.Errorf(coupole.EINVALID, "break-glass request: staff, customer and reason are required")
	}
	// The bound is the service's (serve's --break-glass-max); the store
	// keeps a ceiling of a day against a mistake.
	if g.Duration <= 0 || g.Duration > 24*time.Hour {
		return coupole.Errorf(coupole.EINVALID, "break-glass request: duration must be between 1s and 24h")
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO break_glass_grants (id, staff_id, customer_id, reason, requested_at, duration_s) VALUES ($1, $2, $3, $4, $5, $6)`,
		g.ID, g.StaffID, g.CustomerID, g.Reason, micros(g.RequestedAt), int64(g.Duration/time.Second))
	if isCheckViolation(err) {
		return coupole.Wrap(err, coupole.EINVALID, "break-glass request: unknown staff member")
	}
	return storageError(err, "create grant")
}

// Grant returns one break-glass grant.
func (db *DB) Grant(ctx context.Context, id string) (coupole.BreakGlassGrant, error) {
	g, err := scanGrant(db.read.QueryRowContext(ctx, `SELECT `+grantColumns+` FROM break_glass_grants WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, coupole.Errorf(coupole.ENOTFOUND, "no such break-glass grant")
	}
	return g, storageError(err, "read grant")
}

// ApproveGrant approves a pending grant. The approver may not be the
// requester (S7; the schema refuses it too).
func (db *DB) ApproveGrant(ctx context.Context, id, approver string, at time.Time) (coupole.BreakGlassGrant, error) {
	var out coupole.BreakGlassGrant
	err := db.InTx(ctx, func(tx *Tx) error {
		g, err := scanGrant(tx.QueryRowContext(ctx, `SELECT `+grantColumns+` FROM break_glass_grants WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return coupole.Errorf(coupole.ENOTFOUND, "no such break-glass grant")
		} else if err != nil {
			return storageError(err, "read grant")
		}
		if err := g.ApprovableBy(approver); err != nil {
			return err
		}
		g.ApprovedBy, g.ApprovedAt, g.ExpiresAt = approver, at, at.Add(g.Duration)
		if _, err := tx.ExecContext(ctx, `UPDATE break_glass_grants SET approved_by = $2, approved_at = $3, expires_at = $4 WHERE id = $1`,
			id, approver, micros(g.ApprovedAt), micros(g.ExpiresAt)); err != nil {
			return storageError(err, "approve grant")
		}
		out = g
		return nil
	})
	return out, err
}

func (db *DB) grants(ctx context.Context, where string, args ...any) ([]coupole.BreakGlassGrant, error) {
	return queryList(ctx, db, "list grants", scanGrant, `SELECT `+grantColumns+` FROM break_glass_grants `+where+` ORDER BY requested_at, id`, args...)
}

// ListGrants returns every break-glass grant, oldest first (for auditors).
func (db *DB) ListGrants(ctx context.Context) ([]coupole.BreakGlassGrant, error) {
	return db.grants(ctx, "")
}

// GrantsOf returns the grants held by a staff member.
func (db *DB) GrantsOf(ctx context.Context, staffID string) ([]coupole.BreakGlassGrant, error) {
	return db.grants(ctx, `WHERE staff_id = $1`, staffID)
}
