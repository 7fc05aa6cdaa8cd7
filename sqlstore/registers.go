package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/register"
)

// Register versions (issue 14, item 1): append-only rows, see
// migrations/*/0015_registers.sql.

const registerColumns = `kind, id, version, title, fields, review_due, deleted, changed_by, changed_at`

func scanRegister(row rowScanner) (register.Entry, error) {
	var e register.Entry
	var kind, fields string
	var at int64
	if err := row.Scan(&kind, &e.ID, &e.Version, &e.Title, &fields, &e.ReviewDue, &e.Deleted, &e.ChangedBy, &at); err != nil {
		return e, err
	}
	e.Kind, e.ChangedAt = register.Kind(kind), fromMicros(at)
	if err := json.Unmarshal([]byte(fields), &e.Fields); err != nil {
		return e, coupole.Errorf(coupole.EINTERNAL, "register %s %s: stored fields unreadable", kind, e.ID)
	}
	return e, nil
}

// AddRegisterVersion stores one version; ECONFLICT if it exists.
func (db *DB) AddRegisterVersion(ctx context.Context, e register.Entry) error {
	fields, err := json.Marshal(e.Fields)
	if err != nil {
		return coupole.Errorf(coupole.EINTERNAL, "register: encode fields")
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO register_versions (`+registerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		string(e.Kind), e.ID, e.Version, e.Title, string(fields), e.ReviewDue, e.Deleted, e.ChangedBy, micros(e.ChangedAt))
	switch {
	case isUniqueViolation(err):
		return coupole.Errorf(coupole.ECONFLICT, "register %s: entry %s was changed meanwhile (version %d exists): reload it", e.Kind, e.ID, e.Version)
	case isCheckViolation(err):
		return coupole.Errorf(coupole.EINVALID, "register %s: entry %s is not valid", e.Kind, e.ID)
	case err != nil:
		return storageError(err, "add register version")
	}
	return nil
}

// RegisterEntries returns the latest version of every entry of kind.
func (db *DB) RegisterEntries(ctx context.Context, kind register.Kind) ([]register.Entry, error) {
	return queryList(ctx, db, "register entries", scanRegister, `SELECT `+registerColumns+` FROM register_versions v
		WHERE kind = $1 AND version = (SELECT MAX(version) FROM register_versions w WHERE w.kind = v.kind AND w.id = v.id)
		ORDER BY id`, string(kind))
}

// RegisterHistory returns every version of one entry, oldest first.
func (db *DB) RegisterHistory(ctx context.Context, kind register.Kind, id string) ([]register.Entry, error) {
	es, err := queryList(ctx, db, "register history", scanRegister, `SELECT `+registerColumns+` FROM register_versions
		WHERE kind = $1 AND id = $2 ORDER BY version`, string(kind), id)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, coupole.Errorf(coupole.ENOTFOUND, "register %s: no entry %s", kind, id)
	}
	return es, nil
}
