package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coupole/coupole"
)

// *DB is the grid store on both engines.
var _ coupole.GridStore = (*DB)(nil)

// gridTable describes one table Load writes: its columns, the first keyCols
// of which form the natural key that upserts conflict on.
type gridTable struct {
	name    string
	cols    []string
	keyCols int
	// rowsPerStmt is how many rows one INSERT carries: enough to amortise the
	// cost of a statement, few enough to stay under both engines' limits on
	// bound parameters.
	rowsPerStmt int
}

func newGridTable(name string, keyCols int, cols ...string) *gridTable {
	return &gridTable{name: name, cols: cols, keyCols: keyCols, rowsPerStmt: max(1, min(200, 4000/len(cols)))}
}

var (
	tblSuppliers     = newGridTable("suppliers", 1, "id", "name")
	tblCPAS          = newGridTable("cpas", 1, "id", "name", "town")
	tblAccessPoints  = newGridTable("access_points", 1, "ean", "energy", "regime", "street", "house_number", "box", "postcode", "town", "street_key")
	tblMeters        = newGridTable("meters", 2, "ean", "installed_on", "number", "removed_on")
	tblCustomers     = newGridTable("customers", 1, "id", "given_name", "family_name", "language", "mobile", "mobile_registered_at", "email", "street", "house_number", "box", "postcode", "town")
	tblNameKeys      = newGridTable("customer_name_keys", 2, "name_key", "customer_id")
	tblOccupancies   = newGridTable("occupancies", 3, "ean", "move_in", "customer_id", "move_out", "in_day_kwh", "in_night_kwh", "in_excl_night_kwh", "in_gas_m3", "out_day_kwh", "out_night_kwh", "out_excl_night_kwh", "out_gas_m3")
	tblSupplyPeriods = newGridTable("supply_periods", 2, "ean", "starts_on", "supplier_id", "ends_on")
	tblMandates      = newGridTable("mandates", 1, "id", "customer_id", "mandatary_name", "cpas_id", "scope", "valid_from", "valid_to")
	tblReadings      = newGridTable("readings", 4, "ean", "read_on", "meter_number", "source", "regime", "day_kwh", "night_kwh", "excl_night_kwh", "gas_m3")
	tblNotices       = newGridTable("public_notices", 1, "id", "kind", "energy", "postcode", "town", "street", "street_key", "starts_at", "ends_at", "description")
)

// upsertSQL inserts n rows. A row whose key exists is updated only when a
// column differs, so an unchanged row is not written and not counted: loading
// the same batch twice reports 0 changes.
//
// SQLite gets anonymous "?" parameters: the driver looks up the name of every
// numbered parameter in a list, which costs O(n²) on a statement of
// thousands of parameters and dominated the load time.
func (t *gridTable) upsertSQL(d Dialect, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.name, strings.Join(t.cols, ", "))
	p := 1
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range t.cols {
			if j > 0 {
				b.WriteString(", ")
			}
			if d == SQLite {
				b.WriteByte('?')
			} else {
				fmt.Fprintf(&b, "$%d", p)
			}
			p++
		}
		b.WriteByte(')')
	}
	fmt.Fprintf(&b, " ON CONFLICT (%s) DO ", strings.Join(t.cols[:t.keyCols], ", "))
	if t.keyCols == len(t.cols) {
		b.WriteString("NOTHING")
		return b.String()
	}
	b.WriteString("UPDATE SET ")
	for j, c := range t.cols[t.keyCols:] {
		if j > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = excluded.%s", c, c)
	}
	b.WriteString(" WHERE ")
	for j, c := range t.cols[t.keyCols:] {
		if j > 0 {
			b.WriteString(" OR ")
		}
		fmt.Fprintf(&b, "%s.%s IS DISTINCT FROM excluded.%s", t.name, c, c)
	}
	return b.String()
}

// Load implements coupole.GridStore.
func (db *DB) Load(ctx context.Context, b *coupole.Batch) error {
	_, err := db.LoadCounted(ctx, b)
	return err
}

// LoadCounted is Load that also returns how many rows it inserted or
// updated (meters included, rows left as they were not counted): 0 when the
// same batch is loaded again.
func (db *DB) LoadCounted(ctx context.Context, b *coupole.Batch) (changed int64, err error) {
	if b == nil {
		return 0, coupole.Errorf(coupole.EINVALID, "grid load: no batch")
	}
	if err := validateBatch(b); err != nil {
		return 0, err
	}
	if db.Dialect == Postgres && db.write.joined(ctx) == nil {
		return db.loadCopy(ctx, b) // COPY into staging tables: grid_copy.go
	}
	err = db.loadTx(ctx, func(tx *sql.Tx) error {
		// References are checked before anything is written: a dangling
		// one is reported with the record and field that hold it, on
		// both engines, instead of as a bare constraint failure.
		if err := checkReferences(ctx, tx, b); err != nil {
			return err
		}
		w := &batchWriter{dialect: db.Dialect, ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}, skipNameKeys: db.bulkGrid.Load()}
		defer w.close()
		changed, err = w.write(b)
		return err
	})
	if err != nil {
		changed = 0
		if isConstraintViolation(err, true) {
			return 0, coupole.Wrap(err, coupole.EINVALID, "grid load: a record refers to a supplier, CPAS, access point or customer that is neither in the batch nor in the database")
		}
		if isConstraintViolation(err, false) {
			return 0, coupole.Wrap(err, coupole.EINVALID, "grid load: a record breaks a constraint of the database")
		}
		return 0, err
	}
	return changed, nil
}

// sqliteLoadPragmas are set on the write connection for the duration of a
// Load, and sqliteRestorePragmas put back the settings of db.go after it.
//
//   - synchronous=NORMAL: in WAL mode a commit is then safe against a crash
//     of the process but not of the machine, which may lose the last loads.
//     Loads are imports and seeding, idempotent and re-run in that case; the
//     audit log's appends, which must never be lost, keep FULL.
//   - cache_size: 2 MB by default, far too small for the secondary indexes
//     of millions of rows; 256 MB, used as pages are touched.
var (
	sqliteLoadPragmas    = []string{"PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -262144"}
	sqliteRestorePragmas = []string{"PRAGMA synchronous = FULL"}
)

// loadTx runs fn in one write transaction. On SQLite it holds the write
// connection for the whole Load so that the load pragmas apply to this
// transaction only.
func (db *DB) loadTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if db.Dialect != SQLite || db.write.joined(ctx) != nil {
		// On PostgreSQL, and in a step write of a group transaction (which
		// holds SQLite's write connection), InTx is the transaction.
		return db.InTx(ctx, func(tx *Tx) error { return fn(tx.Tx) })
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return storageError(err, "open write connection")
	}
	defer conn.Close()
	defer func() {
		// Even when ctx has ended, but never unbounded (issue 10, item 1).
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		for _, p := range sqliteRestorePragmas {
			if _, rerr := conn.ExecContext(rctx, p); rerr != nil {
				// Never hand a connection that would not make the audit
				// log's commits durable back to the pool: discard it.
				conn.Raw(func(any) error { return driver.ErrBadConn })
				err = errors.Join(err, storageError(rerr, "restore connection settings"))
				return
			}
		}
	}()
	for _, p := range sqliteLoadPragmas {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return storageError(err, "prepare connection for load")
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return storageError(err, "begin transaction")
	}
	return commitOrRollback(tx, fn)
}

// isConstraintViolation recognises a foreign key violation (foreignKey) or
// any other constraint violation in a driver error, on either engine.
func isConstraintViolation(err error, foreignKey bool) bool {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		s := pg.SQLState()
		if foreignKey {
			return s == "23503"
		}
		return strings.HasPrefix(s, "23")
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		c := lite.Code()
		if foreignKey {
			return c == 787 // SQLITE_CONSTRAINT_FOREIGNKEY
		}
		return c&0xff == 19 // SQLITE_CONSTRAINT and its extended codes
	}
	return false
}

func recordError(kind string, i int, err error) *coupole.Error {
	return coupole.Wrap(&coupole.BatchRecordError{Kind: kind, Index: i}, coupole.EINVALID,
		"%s record %d: %s", kindLabel(kind), i+1, coupole.ErrorMessage(err))
}

func kindLabel(kind string) string {
	switch kind {
	case "AccessPoints":
		return "access point"
	case "SupplyPeriods":
		return "supply period"
	case "PublicNotices":
		return "public notice"
	case "CPAS":
		return "CPAS"
	}
	return strings.ToLower(strings.TrimSuffix(kind, "s"))
}

// validateBatch checks every record, and that no natural key appears twice
// (which record should win would be arbitrary).
func validateBatch(b *coupole.Batch) error {
	type check struct {
		kind string
		n    int
		rec  func(i int) (key string, err error)
	}
	checks := []check{
		{"Suppliers", len(b.Suppliers), func(i int) (string, error) { return b.Suppliers[i].ID, b.Suppliers[i].Validate() }},
		{"CPAS", len(b.CPAS), func(i int) (string, error) { return b.CPAS[i].ID, b.CPAS[i].Validate() }},
		{"AccessPoints", len(b.AccessPoints), func(i int) (string, error) {
			ap := b.AccessPoints[i]
			if err := ap.Validate(); err != nil {
				return "", err
			}
			for _, m := range ap.Meters {
				if _, err := coupole.ParseMeterNumber(string(m.Number)); err != nil {
					return "", err
				}
			}
			return string(ap.EAN), nil
		}},
		{"Customers", len(b.Customers), func(i int) (string, error) { return b.Customers[i].ID, b.Customers[i].Validate() }},
		{"Occupancies", len(b.Occupancies), func(i int) (string, error) {
			o := b.Occupancies[i]
			return string(o.EAN) + "|" + day(o.MoveIn) + "|" + o.CustomerID, o.Validate()
		}},
		{"SupplyPeriods", len(b.SupplyPeriods), func(i int) (string, error) {
			p := b.SupplyPeriods[i]
			return string(p.EAN) + "|" + day(p.From), p.Validate()
		}},
		{"Mandates", len(b.Mandates), func(i int) (string, error) { return b.Mandates[i].ID, b.Mandates[i].Validate() }},
		{"Readings", len(b.Readings), func(i int) (string, error) {
			r := b.Readings[i]
			if r.Meter != "" {
				if _, err := coupole.ParseMeterNumber(string(r.Meter)); err != nil {
					return "", err
				}
			}
			return string(r.EAN) + "|" + day(r.Date) + "|" + string(normMeter(r.Meter)) + "|" + string(r.Source), r.Validate()
		}},
		{"PublicNotices", len(b.PublicNotices), func(i int) (string, error) { return b.PublicNotices[i].ID, b.PublicNotices[i].Validate() }},
	}
	for _, c := range checks {
		seen := make(map[string]struct{}, c.n)
		for i := 0; i < c.n; i++ {
			key, err := c.rec(i)
			if err != nil {
				return recordError(c.kind, i, err)
			}
			if _, dup := seen[key]; dup {
				return recordError(c.kind, i, coupole.Errorf(coupole.EINVALID, "the same record appears earlier in the batch"))
			}
			seen[key] = struct{}{}
		}
	}
	return nil
}

// RefreshGridStatistics updates PostgreSQL's planner statistics of the grid
// tables. Call it after a large import or seeding: until autovacuum gets to
// it, a freshly filled table has none, and the planner may then scan where it
// should search an index (a name search took 3.7 ms instead of 0.1 ms on
// 50,000 access points). SQLite's planner needs no statistics for these
// queries; there it does nothing.
func (db *DB) RefreshGridStatistics(ctx context.Context) error {
	if db.Dialect != Postgres {
		return nil
	}
	_, err := db.write.ExecContext(ctx, `ANALYZE suppliers, cpas, access_points, meters, customers, customer_name_keys,
		occupancies, supply_periods, mandates, readings, public_notices`)
	return storageError(err, "refresh statistics")
}
