package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/scim"
)

// SCIMStore keeps the SCIM resources and bearer tokens (issue 12, item 1)
// in the scim_resources and scim_tokens tables.
type SCIMStore struct{ db *DB }

// NewSCIMStore returns the SCIM store over db.
func NewSCIMStore(db *DB) *SCIMStore { return &SCIMStore{db: db} }

var _ scim.Store = (*SCIMStore)(nil)

const scimColumns = `resource_type, id, staff_id, name_key, external_id, doc, version, created_at, modified_at`

func scanResource(row rowScanner) (scim.Resource, error) {
	var r scim.Resource
	var created, modified int64
	err := row.Scan(&r.Type, &r.ID, &r.StaffID, &r.NameKey, &r.ExternalID, &r.Doc, &r.Version, &created, &modified)
	r.Created, r.Modified = fromMicros(created), fromMicros(modified)
	return r, err
}

// Resource returns one resource.
func (s *SCIMStore) Resource(ctx context.Context, typ, id string) (scim.Resource, error) {
	r, err := scanResource(s.db.read.QueryRowContext(ctx, `SELECT `+scimColumns+` FROM scim_resources WHERE resource_type = $1 AND id = $2`, typ, id))
	if errors.Is(err, sql.ErrNoRows) {
		return scim.Resource{}, coupole.Errorf(coupole.ENOTFOUND, "scim: no %s with this id", typ)
	}
	return r, storageError(err, "read scim resource")
}

// Resources lists every resource of a type, oldest first.
func (s *SCIMStore) Resources(ctx context.Context, typ string) ([]scim.Resource, error) {
	return queryList(ctx, s.db, "list scim resources", scanResource,
		`SELECT `+scimColumns+` FROM scim_resources WHERE resource_type = $1 ORDER BY created_at, id`, typ)
}

// CreateResource adds r; a name already taken is a conflict.
func (s *SCIMStore) CreateResource(ctx context.Context, r scim.Resource) error {
	return s.db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO scim_resources (`+scimColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			r.Type, r.ID, r.StaffID, r.NameKey, r.ExternalID, r.Doc, r.Version, micros(r.Created), micros(r.Modified))
		if isUniqueViolation(err) {
			return coupole.Wrap(err, coupole.ECONFLICT, "scim: a %s with this name already exists", r.Type)
		}
		return storageError(err, "create scim resource")
	})
}

// UpdateResource replaces r if its stored version is still r.Version-1: a
// concurrent change in between is a conflict (the caller answers 412).
func (s *SCIMStore) UpdateResource(ctx context.Context, r scim.Resource) error {
	return s.db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE scim_resources SET staff_id = $3, name_key = $4, external_id = $5, doc = $6, version = $7, modified_at = $8
			WHERE resource_type = $1 AND id = $2 AND version = $9`,
			r.Type, r.ID, r.StaffID, r.NameKey, r.ExternalID, r.Doc, r.Version, micros(r.Modified), r.Version-1)
		if isUniqueViolation(err) {
			return coupole.Wrap(err, coupole.ECONFLICT, "scim: a %s with this name already exists", r.Type)
		} else if err != nil {
			return storageError(err, "update scim resource")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return coupole.Errorf(coupole.ECONFLICT, "scim: the %s changed meanwhile (version mismatch)", r.Type)
		}
		return nil
	})
}

// DeleteResource removes a resource.
func (s *SCIMStore) DeleteResource(ctx context.Context, typ, id string) error {
	return s.db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM scim_resources WHERE resource_type = $1 AND id = $2`, typ, id)
		if err != nil {
			return storageError(err, "delete scim resource")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return coupole.Errorf(coupole.ENOTFOUND, "scim: no %s with this id", typ)
		}
		return nil
	})
}

func scanToken(row rowScanner) (scim.Token, error) {
	var t scim.Token
	var created, revoked int64
	err := row.Scan(&t.ID, &t.Label, &t.Hash, &created, &revoked)
	t.CreatedAt = fromMicros(created)
	if revoked != 0 {
		t.RevokedAt = fromMicros(revoked)
	}
	return t, err
}

// CreateToken records a token (its hash only).
func (s *SCIMStore) CreateToken(ctx context.Context, t scim.Token) error {
	return s.db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO scim_tokens (id, label, hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, 0)`,
			t.ID, t.Label, t.Hash, micros(t.CreatedAt))
		if isUniqueViolation(err) {
			return coupole.Wrap(err, coupole.ECONFLICT, "scim: token %s already exists", t.ID)
		}
		return storageError(err, "create scim token")
	})
}

// TokenByHash returns the live (not revoked) token whose secret hashes to hash.
func (s *SCIMStore) TokenByHash(ctx context.Context, hash string) (scim.Token, error) {
	t, err := scanToken(s.db.read.QueryRowContext(ctx, `SELECT id, label, hash, created_at, revoked_at FROM scim_tokens WHERE hash = $1 AND revoked_at = 0`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return scim.Token{}, coupole.Errorf(coupole.EUNAUTHORIZED, "scim: unknown or revoked token")
	}
	return t, storageError(err, "read scim token")
}

// Tokens lists every token, revoked ones included.
func (s *SCIMStore) Tokens(ctx context.Context) ([]scim.Token, error) {
	return queryList(ctx, s.db, "list scim tokens", scanToken, `SELECT id, label, hash, created_at, revoked_at FROM scim_tokens ORDER BY created_at, id`)
}

// RevokeToken ends a token; revoking a revoked or unknown token is an error.
func (s *SCIMStore) RevokeToken(ctx context.Context, id string, at time.Time) error {
	return s.db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE scim_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at = 0`, id, micros(at))
		if err != nil {
			return storageError(err, "revoke scim token")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return coupole.Errorf(coupole.ENOTFOUND, "scim: no live token %s", id)
		}
		return nil
	})
}
