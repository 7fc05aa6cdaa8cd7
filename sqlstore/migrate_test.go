package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

func TestMigrateIsIdempotentAndCurrent(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Errorf("second Migrate applied %v, want nothing", applied)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Errorf("CheckSchema after Migrate: %v", err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v != db.LatestVersion() {
			t.Errorf("SchemaVersion = %d, %v; want %d", v, err, db.LatestVersion())
		}
	})
}

func TestCheckSchemaNamesTheFix(t *testing.T) {
	sqltest.ForEachEngine(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		newer := db.LatestVersion() + 1
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_the_future', CURRENT_TIMESTAMP)`, newer); err != nil {
			t.Fatal(err)
		}
		err := db.CheckSchema(ctx)
		if coupole.ErrorCode(err) != coupole.EUNAVAILABLE || !strings.Contains(coupole.ErrorMessage(err), "upgrade Coupole") {
			t.Errorf("CheckSchema on a newer schema = %v; want an unavailable error telling to upgrade Coupole", err)
		}
		if _, err := db.Migrate(ctx); err == nil {
			t.Error("Migrate on a newer schema succeeded; want a refusal")
		}
	})
}

func TestCheckSchemaOnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, t.TempDir()+"/empty.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.CheckSchema(ctx)
	if err == nil || !strings.Contains(coupole.ErrorMessage(err), "coupole migrate") {
		t.Errorf("CheckSchema on an empty database = %v; want advice to run coupole migrate", err)
	}
}

func TestMigrationVersionsAlignedAcrossDialects(t *testing.T) {
	lite := sqltest.MustOpenSQLite(t)
	names := sqlstore.MigrationNames
	if got, want := names(sqlstore.SQLite), names(sqlstore.Postgres); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("migrations differ between dialects:\n sqlite   %v\n postgres %v", got, want)
	}
	if lite.LatestVersion() == 0 {
		t.Error("no migrations embedded")
	}
}
