package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/coupole/coupole"
)

// Migrations live in migrations/<dialect>/NNNN_name.sql. Versions are aligned
// across dialects: version N means the same schema on SQLite and PostgreSQL
// (a test checks both directories list the same versions).
//
//go:embed migrations
var migrationFS embed.FS

type migration struct {
	Version int
	Name    string
	SQL     string
}

func migrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name must be NNNN_description.sql", dir, name)
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	// Versions only increase; a gap is allowed while parallel branches
	// wait to be renumbered at merge (the migration test still wants them
	// contiguous).
	for i, m := range ms {
		if i > 0 && m.Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations/%s: version %d is repeated", d, m.Version)
		}
	}
	return ms, nil
}

// LatestVersion is the schema version this build of Coupole expects.
func (db *DB) LatestVersion() int {
	ms, err := migrations(db.Dialect)
	if err != nil {
		panic(err) // the embedded files are checked by tests
	}
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

const createMigrationTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// SchemaVersion is the version of the schema the database holds, 0 when empty.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var exists bool
	var q string
	switch db.Dialect {
	case SQLite:
		q = `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	case Postgres:
		q = `SELECT to_regclass('schema_migrations') IS NOT NULL`
	}
	if err := db.read.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return 0, storageError(err, "read schema version")
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, storageError(err, "read schema version")
	}
	return v, nil
}

// Migrate brings the schema to LatestVersion, one transaction per migration,
// and returns the versions it applied. A database newer than this build is
// refused. On PostgreSQL an advisory lock keeps two nodes from migrating at
// once.
func (db *DB) Migrate(ctx context.Context) (applied []int, err error) {
	ms, err := migrations(db.Dialect)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINTERNAL, "migrations are broken")
	}
	if _, err := db.write.ExecContext(ctx, createMigrationTable); err != nil {
		return nil, storageError(err, "create schema_migrations")
	}
	for _, m := range ms {
		done := false
		err := db.InTx(ctx, func(tx *Tx) error {
			if db.Dialect == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7351001)`); err != nil {
					return storageError(err, "lock schema")
				}
			}
			var current int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
				return storageError(err, "read schema version")
			}
			if latest := ms[len(ms)-1].Version; current > latest {
				return newerSchemaError(current, latest)
			}
			if current >= m.Version {
				done = true
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return coupole.Wrap(err, coupole.EINTERNAL, "migration %s failed: %v", m.Name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, CURRENT_TIMESTAMP)`, m.Version, m.Name)
			return storageError(err, "record migration")
		})
		if err != nil {
			return applied, err
		}
		if !done {
			applied = append(applied, m.Version)
		}
	}
	if _, err := db.completeBulkLoad(ctx); err != nil {
		return applied, err
	}
	return applied, nil
}

// CheckSchema returns nil when the schema is exactly the one this build
// expects, and otherwise an error that tells the operator what to do.
func (db *DB) CheckSchema(ctx context.Context) error {
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	latest := db.LatestVersion()
	switch {
	case v == 0:
		return coupole.Errorf(coupole.EUNAVAILABLE, "database %s has no Coupole schema: run `coupole migrate`", db.Describe())
	case v < latest:
		return coupole.Errorf(coupole.EUNAVAILABLE, "database schema is at version %d, this Coupole needs version %d: run `coupole migrate`", v, latest)
	case v > latest:
		return newerSchemaError(v, latest)
	}
	pending, err := db.bulkLoadPending(ctx)
	if err != nil {
		return err
	}
	if pending {
		return coupole.Errorf(coupole.EUNAVAILABLE, "database %s: a seed or import was interrupted before it built the grid's indexes: run `coupole migrate` to build them (or the seed again)", db.Describe())
	}
	return nil
}

func newerSchemaError(have, want int) error {
	return coupole.Errorf(coupole.EUNAVAILABLE, "database schema is at version %d, newer than this Coupole (version %d): upgrade Coupole instead of downgrading the database", have, want)
}

// MigrationNames lists the embedded migrations of a dialect ("0001_grid", …),
// so tests can check that versions are aligned across dialects.
func MigrationNames(d Dialect) []string {
	ms, err := migrations(d)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return names
}
