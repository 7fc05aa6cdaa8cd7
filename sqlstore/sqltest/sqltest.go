// Package sqltest opens fresh, migrated Coupole databases for tests on every
// engine available: SQLite always, PostgreSQL when COUPOLE_TEST_POSTGRES holds
// the URL of a database whose user may create databases.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coupole/coupole/sqlstore"
)

// PostgresEnv names the variable that enables the PostgreSQL tests.
const PostgresEnv = "COUPOLE_TEST_POSTGRES"

// Engine opens a fresh database of one kind.
type Engine struct {
	Name string
	Open func(tb testing.TB) *sqlstore.DB
}

// Engines lists SQLite and, when PostgresEnv is set, PostgreSQL.
func Engines() []Engine {
	es := []Engine{{"sqlite", MustOpenSQLite}}
	if os.Getenv(PostgresEnv) != "" {
		es = append(es, Engine{"postgres", MustOpenPostgres})
	}
	return es
}

// ForEachEngine runs fn as a subtest per engine, each on a fresh database,
// and says in the test log when PostgreSQL is skipped.
func ForEachEngine(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	if os.Getenv(PostgresEnv) == "" {
		t.Run("postgres", func(t *testing.T) {
			t.Skipf("PostgreSQL tests skipped: set %s to a PostgreSQL URL to run them", PostgresEnv)
		})
	}
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open(t)) })
	}
}

// MustOpenSQLite opens a migrated SQLite database in a temporary directory.
func MustOpenSQLite(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	return mustOpen(tb, filepath.Join(tb.TempDir(), "coupole.db"))
}

// MustOpenPostgres creates a new database on the server named by
// PostgresEnv, migrates it, and drops it when the test ends. It skips the
// test when PostgresEnv is not set.
func MustOpenPostgres(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	return mustOpen(tb, MustCreatePostgres(tb))
}

// MustCreatePostgres creates a new, empty database on the server named by
// PostgresEnv and returns its URL; the database is dropped when the test
// ends. It skips the test when PostgresEnv is not set.
func MustCreatePostgres(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s to a PostgreSQL URL to run them", PostgresEnv)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s is not a URL: %v", PostgresEnv, err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "coupole_t_" + hex.EncodeToString(b[:])

	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open %s: %v", PostgresEnv, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("drop test database %s: %v", name, err)
		}
		admin.Close()
	})
	u.Path = "/" + name
	return u.String()
}

func mustOpen(tb testing.TB, dsn string) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate test database: %v", err)
	}
	return db
}
