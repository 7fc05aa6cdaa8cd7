package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// Bulk loading of an empty grid on SQLite (issue 17, item 4).
//
// Seeding millions of access points one batch at a time into tables whose
// secondary indexes (addresses, meter numbers, occupancies and mandates by
// customer, notices by postcode) and name keys are in random order rewrites,
// at every commit, index pages that every other batch shares: 9× the final
// file was written for 2,000,000 access points. BulkLoad drops those indexes
// and stops writing name keys while the batches load, then builds each once,
// sorted, at the end.
//
// A load killed half-way must not leave a database without its indexes:
// the indexes' definitions are recorded in grid_bulk_pending in the same
// transaction that drops them, and the table's presence is the record of an
// unfinished bulk load. Migrate completes it (rebuilding the name keys from
// the customers and creating the indexes), and CheckSchema refuses to serve
// such a database until then.

// bulkPendingTable records the indexes a bulk load dropped.
const bulkPendingTable = "grid_bulk_pending"

// bulkDeferredIndexes are the grid's secondary indexes built after the load.
var bulkDeferredIndexes = []string{
	"access_points_address", "access_points_number", "meters_number",
	"occupancies_customer", "mandates_customer", "mandates_cpas", "public_notices_postcode",
}

// BulkLoad runs load — calls of Load — with the grid's secondary indexes and
// name keys built once at the end, when the grid is empty on SQLite; it
// runs load as it is otherwise (PostgreSQL loads through COPY already).
// While load runs, name searches find nothing: seed and import before
// serving.
func (db *DB) BulkLoad(ctx context.Context, load func(ctx context.Context) error) error {
	if db.Dialect != SQLite {
		return load(ctx)
	}
	var exists bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM access_points) OR EXISTS (SELECT 1 FROM customers)`).Scan(&exists); err != nil {
		return storageError(err, "read grid")
	}
	if exists {
		return load(ctx)
	}
	if err := db.deferGridIndexes(ctx); err != nil {
		return err
	}
	db.bulkGrid.Store(true)
	err := load(ctx)
	db.bulkGrid.Store(false)
	// A failed load (bad input, a cancelled seed) still leaves the grid
	// indexed; only a kill leaves the pending record, for Migrate.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Hour)
	defer cancel()
	if ferr := db.finishBulkLoad(fctx); ferr != nil {
		return errors.Join(err, ferr)
	}
	return err
}

// deferGridIndexes drops the deferred indexes and records their definitions,
// in one transaction.
func (db *DB) deferGridIndexes(ctx context.Context) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE `+bulkPendingTable+` (name TEXT PRIMARY KEY, definition TEXT NOT NULL)`); err != nil {
			return storageError(err, "record bulk load")
		}
		for _, name := range bulkDeferredIndexes {
			var def string
			err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1`, name).Scan(&def)
			if errors.Is(err, sql.ErrNoRows) {
				return coupole.Errorf(coupole.EINTERNAL, "bulk load: index %s is missing from the schema", name)
			}
			if err != nil {
				return storageError(err, "read index definition")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+bulkPendingTable+` (name, definition) VALUES ($1, $2)`, name, def); err != nil {
				return storageError(err, "record bulk load")
			}
			if _, err := tx.ExecContext(ctx, `DROP INDEX `+name); err != nil {
				return storageError(err, "drop index")
			}
		}
		return nil
	})
}

// bulkLoadPending reports whether a bulk load was left unfinished.
func (db *DB) bulkLoadPending(ctx context.Context) (bool, error) {
	if db.Dialect != SQLite {
		return false, nil
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, bulkPendingTable).Scan(&n)
	return n > 0, storageError(err, "read schema")
}

// finishBulkLoad rebuilds the name keys from the customers and creates the
// recorded indexes, then drops the record: one transaction, so that a kill
// during it leaves the record for the next Migrate.
func (db *DB) finishBulkLoad(ctx context.Context) error {
	return db.loadTx(ctx, func(tx *sql.Tx) error {
		if err := rebuildNameKeys(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT name, definition FROM `+bulkPendingTable+` ORDER BY name`)
		if err != nil {
			return storageError(err, "read bulk load record")
		}
		var defs []string
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				rows.Close()
				return storageError(err, "read bulk load record")
			}
			// IF NOT EXISTS: a definition read back from sqlite_master
			// starts with CREATE INDEX or CREATE UNIQUE INDEX.
			defs = append(defs, strings.Replace(def, " INDEX ", " INDEX IF NOT EXISTS ", 1))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return storageError(err, "read bulk load record")
		}
		for _, def := range defs {
			if _, err := tx.ExecContext(ctx, def); err != nil {
				return storageError(err, "create index")
			}
		}
		_, err = tx.ExecContext(ctx, `DROP TABLE `+bulkPendingTable)
		return storageError(err, "finish bulk load")
	})
}

// rebuildNameKeys replaces every name key by the keys of the customers'
// stored names: the keys go through an unindexed staging table, then into
// customer_name_keys in key order, so that its B-tree is written once.
func rebuildNameKeys(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		`DELETE FROM customer_name_keys`,
		`CREATE TEMP TABLE IF NOT EXISTS bulk_name_keys (name_key TEXT NOT NULL, customer_id TEXT NOT NULL)`,
		`DELETE FROM bulk_name_keys`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return storageError(err, "rebuild name keys")
		}
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO bulk_name_keys (name_key, customer_id) VALUES ($1, $2)`)
	if err != nil {
		return storageError(err, "rebuild name keys")
	}
	defer ins.Close()
	// Customers are read a page at a time by id, so that the reads and the
	// staging inserts share the one write connection.
	after := ""
	for {
		rows, err := tx.QueryContext(ctx, `SELECT id, given_name, family_name FROM customers WHERE id > $1 ORDER BY id LIMIT 10000`, after)
		if err != nil {
			return storageError(err, "rebuild name keys")
		}
		type name struct{ id, given, family string }
		var page []name
		for rows.Next() {
			var n name
			if err := rows.Scan(&n.id, &n.given, &n.family); err != nil {
				rows.Close()
				return storageError(err, "rebuild name keys")
			}
			page = append(page, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return storageError(err, "rebuild name keys")
		}
		for _, n := range page {
			for _, k := range nameKeys(n.given, n.family) {
				if _, err := ins.ExecContext(ctx, k, n.id); err != nil {
					return storageError(err, "rebuild name keys")
				}
			}
		}
		if len(page) < 10000 {
			break
		}
		after = page[len(page)-1].id
	}
	for _, q := range []string{
		`INSERT OR IGNORE INTO customer_name_keys (name_key, customer_id) SELECT name_key, customer_id FROM bulk_name_keys ORDER BY name_key, customer_id`,
		`DROP TABLE bulk_name_keys`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return storageError(err, "rebuild name keys")
		}
	}
	return nil
}

// completeBulkLoad finishes a bulk load a kill interrupted (called by
// Migrate).
func (db *DB) completeBulkLoad(ctx context.Context) (bool, error) {
	pending, err := db.bulkLoadPending(ctx)
	if err != nil || !pending {
		return false, err
	}
	if err := db.finishBulkLoad(ctx); err != nil {
		return false, fmt.Errorf("complete an interrupted bulk load: %w", err)
	}
	return true, nil
}
