package sqlstore_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coupole/coupole/sqlstore"
	"github.com/coupole/coupole/sqlstore/sqltest"
)

// The write connection never checkpoints inside a commit; the background
// checkpointer copies the log into the database file beside the writes.
func TestSQLiteCheckpointsInTheBackground(t *testing.T) {
	ctx := context.Background()
	db := sqltest.MustOpenSQLite(t)
	var auto int
	if err := db.Writer().QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Fatalf("write connection: wal_autocheckpoint = %d, want 0 (checkpoints run in the background)", auto)
	}
	var path string
	if err := db.Reader().QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path); err != nil {
		t.Fatal(err)
	}
	before := mustSize(t, path)
	blob := strings.Repeat("x", 3000)
	err := db.InTx(ctx, func(tx *sqlstore.Tx) error {
		if _, err := tx.ExecContext(ctx, "CREATE TABLE ckpt_test (v TEXT)"); err != nil {
			return err
		}
		for i := 0; i < 2000; i++ {
			if _, err := tx.ExecContext(ctx, "INSERT INTO ckpt_test (v) VALUES (?)", blob); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The rows (about 6 MB) reach the database file only by a checkpoint.
	deadline := time.Now().Add(5 * time.Second)
	for mustSize(t, path) < before+5<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes after 5 s (was %d): no checkpoint ran", mustSize(t, path), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
