// Package sqlstore keeps Coupole's data in SQLite (the embedded default) or
// PostgreSQL (production, several nodes), with hand-written SQL and numbered
// migrations per dialect. Every operation passes one conformance suite run
// against both engines.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coupole/coupole"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names a database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open Coupole database.
//
// SQLite allows one writer at a time, so writes go through a pool of one
// connection whose transactions take the write lock when they begin (no
// SQLITE_BUSY halfway through), while reads use a pool of their own. On
// PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	// GroupTimeout bounds one group transaction (DefaultGroupTimeout if
	// zero); see interaction_commit.go. Set it before the first write.
	GroupTimeout time.Duration
	read         *pool
	write        *pool
	dsn          string
	// life ends when Close begins: a group transaction still waiting (for
	// a lock held elsewhere, say) gives up then instead of holding Close.
	life    context.Context
	endLife context.CancelFunc
	// bulkGrid is set while BulkLoad runs: loads skip the name keys, built
	// once at the end (grid_bulk.go).
	bulkGrid atomic.Bool
}

func newDB(d Dialect, read, write *pool, dsn string) *DB {
	db := &DB{Dialect: d, read: read, write: write, dsn: dsn}
	db.life, db.endLife = context.WithCancel(context.Background())
	return db
}

// Open opens the database named by dsn without touching its schema:
// a postgres:// or postgresql:// URL for PostgreSQL, anything else is the path
// of a SQLite file (an optional "sqlite:" prefix is allowed). Call Migrate or
// CheckSchema next.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, coupole.Errorf(coupole.EINVALID, "database: no location given (set --db or COUPOLE_DB)")
	}
	var db *DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(dsn)
	} else {
		db, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openPostgres(dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINVALID, "database: invalid PostgreSQL URL")
	}
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(32)
	p := newPool(pool, false)
	return newDB(Postgres, p, p, dsn), nil
}

// sqlitePragmas apply to every connection: WAL lets readers run beside the
// writer, synchronous=FULL makes a commit durable when it returns (the audit
// log acknowledges appends on commit), foreign keys are off by default in
// SQLite. temp_store=MEMORY keeps statement journals in memory: every write
// of a group commit runs in a savepoint, whose journal otherwise spills to a
// temporary file (a write system call per page, about a tenth of the group
// committer's time in bench/flows).
var sqlitePragmas = []string{
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"foreign_keys(1)",
	"busy_timeout(10000)",
	"temp_store(MEMORY)",
}

func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, coupole.Errorf(coupole.EINVALID, "database: empty SQLite file name")
	}
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	readDSN := "file:" + path + "?" + q.Encode()
	q.Set("_txlock", "immediate")
	// The write connection is the only writer, so its page cache stays valid
	// from one transaction to the next (a reader's is dropped whenever
	// anyone else has written): 64 MiB keep the pages that writes keep
	// touching — the tails of the logs, the upper levels of every index —
	// instead of reading them again (SQLite's default is 2 MiB).
	q.Add("_pragma", "cache_size(-65536)")
	writeDSN := "file:" + path + "?" + q.Encode()

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, coupole.Wrap(err, coupole.EINVALID, "database: cannot open SQLite file %s", path)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", readDSN)
	if err != nil {
		write.Close()
		return nil, coupole.Wrap(err, coupole.EINVALID, "database: cannot open SQLite file %s", path)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	return newDB(SQLite, newPool(read, true), newPool(write, true), path), nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "database: %s is not reachable", db.Describe())
	}
	if db.read != db.write {
		if err := db.read.PingContext(ctx); err != nil {
			return coupole.Wrap(err, coupole.EUNAVAILABLE, "database: %s is not reachable", db.Describe())
		}
	}
	return nil
}

// Describe names the database for logs and messages without its password.
func (db *DB) Describe() string {
	if db.Dialect == SQLite {
		return "SQLite file " + db.dsn
	}
	u, err := url.Parse(db.dsn)
	if err != nil {
		return "PostgreSQL"
	}
	return "PostgreSQL " + u.Redacted()
}

// Close ends the group transactions still running, then closes both pools
// and their prepared statements.
func (db *DB) Close() error {
	db.endLife()
	err := db.write.close()
	if db.read != db.write {
		err = errors.Join(err, db.read.close())
	}
	return err
}

// Reader is the pool for queries that only read.
func (db *DB) Reader() *sql.DB { return db.read.DB }

// Writer is the pool for statements that write.
func (db *DB) Writer() *sql.DB { return db.write.DB }

// InTx runs fn in one write transaction: committed if fn returns nil, rolled
// back otherwise (and on panic). Storage errors leave as domain errors.
//
// Called from a step write of a group transaction (audit.Record.Then), fn
// runs in that transaction instead, under a savepoint of its own that it
// undoes on error: a transaction of its own would wait for the connection
// the group holds (issue 10, item 1).
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	if tx := db.write.joined(ctx); tx != nil {
		return inSavepoint(ctx, tx, "nested", func() error { return fn(tx) })
	}
	db.write.preparePending(ctx)
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return storageError(err, "begin transaction")
	}
	return commitOrRollback(tx, func(tx *sql.Tx) error { return fn(&Tx{Tx: tx, pool: db.write}) })
}

// inSavepoint runs fn under savepoint name in tx: released if fn returns
// nil, rolled back to otherwise (and on panic), so that a failing fn undoes
// its own writes only.
func inSavepoint(ctx context.Context, tx *Tx, name string, fn func() error) (err error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return storageError(err, "savepoint")
	}
	defer func() {
		p := recover()
		if p != nil || err != nil {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rerr != nil {
				err = errors.Join(err, storageError(rerr, "rollback to savepoint"))
			}
		}
		if _, rerr := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); rerr != nil {
			err = errors.Join(err, storageError(rerr, "release savepoint"))
		}
		if p != nil {
			panic(p)
		}
	}()
	return fn()
}

// commitOrRollback runs fn in tx, commits when fn returns nil and rolls back
// otherwise, and on panic.
func commitOrRollback(tx *sql.Tx, fn func(tx *sql.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return storageError(err, "commit")
	}
	return nil
}

// storageError turns a driver error into a domain error, keeping *coupole.Error
// as it is, and nil as nil. The message names the operation, never the data.
func storageError(err error, op string) error {
	var e *coupole.Error
	if err == nil {
		return nil
	} else if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return coupole.Wrap(err, coupole.EUNAVAILABLE, "database: %s: %v", op, err)
	}
	return coupole.Wrap(err, coupole.EINTERNAL, "database: %s failed", op)
}

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface{ Scan(dest ...any) error }

// queryList runs query on the read pool and scans each row with scan. It
// returns an empty slice, never nil, when nothing matches; op names the
// operation in errors.
func queryList[T any](ctx context.Context, db *DB, op string, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, storageError(err, op)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, storageError(err, op)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, storageError(err, op)
	}
	return out, nil
}
