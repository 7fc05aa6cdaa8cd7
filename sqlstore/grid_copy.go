package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/coupole/coupole"
	"github.com/coupole/coupole/textfold"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL bulk path of LoadCounted (issue 18, item 5).
//
// Multi-row INSERTs of 200 rows at a time cost PostgreSQL a parse, a plan
// and a round trip per 200 rows, and the statements of thousands of
// parameters dominated: the 2,000,000-access-point seed ran at ~317 access
// points/s. Here each table of a batch is sent with the COPY protocol
// (binary, one stream) into a temporary staging table, and merged into the
// real table with one INSERT … SELECT … ON CONFLICT per table. The merge is
// the same upsert as grid.go's: a row whose key exists is updated only when a
// column differs, and the statement's row count is what changed — loading
// the same batch twice reports 0. Everything happens in one transaction, so
// a batch (an imported file) is loaded whole or not at all.
//
// When none of a batch's access points (or customers, mandates, notices) is
// in the database yet — every batch of a first seed, a first import — their
// rows and the rows keyed by them (meters, occupancies, supply periods and
// readings start their keys with the access point's EAN; name keys with the
// customer's id) cannot conflict: the foreign keys forbid a reading of an
// access point that does not exist. Those are copied straight into their
// tables, without staging, and every row copied is a row changed. Loads
// take gridLoadLockID for their transaction so that two loads of the same
// new records cannot both find them absent.

// loadCopy is LoadCounted on PostgreSQL outside a group transaction. b has
// been validated.
func (db *DB) loadCopy(ctx context.Context, b *coupole.Batch) (changed int64, err error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return 0, storageError(err, "open connection")
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, storageError(err, "begin transaction")
	}
	err = commitOrRollback(tx, func(tx *sql.Tx) error {
		if err := checkReferences(ctx, tx, b); err != nil {
			return err
		}
		w := &copyWriter{ctx: ctx, conn: conn, tx: tx}
		if err := w.findFresh(b); err != nil {
			return err
		}
		changed, err = w.write(b)
		return err
	})
	if err != nil {
		return 0, loadError(err)
	}
	return changed, nil
}

// loadError names a constraint violation of a load as grid.go does.
func loadError(err error) error {
	if isConstraintViolation(err, true) {
		return coupole.Wrap(err, coupole.EINVALID, "grid load: a record refers to a supplier, CPAS, access point or customer that is neither in the batch nor in the database")
	}
	if isConstraintViolation(err, false) {
		return coupole.Wrap(err, coupole.EINVALID, "grid load: a record breaks a constraint of the database")
	}
	return err
}

// gridLoadLockID is the transaction-level advisory lock that PostgreSQL
// loads hold (migrate.go and the audit log use 7351001–7351005).
const gridLoadLockID = 7351006

// copyWriter writes one batch in the transaction tx, which runs on conn.
type copyWriter struct {
	ctx  context.Context
	conn *sql.Conn
	tx   *sql.Tx
	// fresh: the batch's records of that kind are all absent from the
	// database, so their rows are copied without staging.
	freshAccessPoints, freshCustomers, freshMandates, freshNotices bool
}

// findFresh takes the load lock and finds which kinds of the batch's records
// are all new, in one round trip each.
func (w *copyWriter) findFresh(b *coupole.Batch) error {
	if _, err := w.tx.ExecContext(w.ctx, `SELECT pg_advisory_xact_lock($1)`, gridLoadLockID); err != nil {
		return storageError(err, "lock grid load")
	}
	keys := func(n int, key func(i int) string) []string {
		ks := make([]string, n)
		for i := range ks {
			ks[i] = key(i)
		}
		return ks
	}
	var ap, cu, ma, no bool
	err := w.tx.QueryRowContext(w.ctx, `SELECT
		EXISTS (SELECT 1 FROM access_points WHERE ean = ANY($1::text[])),
		EXISTS (SELECT 1 FROM customers WHERE id = ANY($2::text[])),
		EXISTS (SELECT 1 FROM mandates WHERE id = ANY($3::text[])),
		EXISTS (SELECT 1 FROM public_notices WHERE id = ANY($4::text[]))`,
		keys(len(b.AccessPoints), func(i int) string { return string(b.AccessPoints[i].EAN) }),
		keys(len(b.Customers), func(i int) string { return b.Customers[i].ID }),
		keys(len(b.Mandates), func(i int) string { return b.Mandates[i].ID }),
		keys(len(b.PublicNotices), func(i int) string { return b.PublicNotices[i].ID }),
	).Scan(&ap, &cu, &ma, &no)
	if err != nil {
		return storageError(err, "look up the batch's records")
	}
	w.freshAccessPoints, w.freshCustomers, w.freshMandates, w.freshNotices = !ap, !cu, !ma, !no
	return nil
}

// stage creates t's staging table, dropped at commit, and copies n rows
// into it; row(i) gives the values of row i in t.cols order, typed as the
// binary COPY format wants them (time.Time for DATE and TIMESTAMPTZ).
func (w *copyWriter) stage(t *gridTable, n int, row func(i int) []any) error {
	if _, err := w.tx.ExecContext(w.ctx, fmt.Sprintf(
		`CREATE TEMPORARY TABLE stage_%s (LIKE %s) ON COMMIT DROP`, t.name, t.name)); err != nil {
		return storageError(err, "create staging table for "+t.name)
	}
	_, err := w.copy("stage_"+t.name, t, n, row)
	return err
}

// copy sends n rows of t into table with the COPY protocol and returns how
// many it copied.
func (w *copyWriter) copy(table string, t *gridTable, n int, row func(i int) []any) (copied int64, err error) {
	err = w.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		copied, err = c.Conn().CopyFrom(w.ctx, pgx.Identifier{table}, t.cols,
			pgx.CopyFromSlice(n, func(i int) ([]any, error) { return row(i), nil }))
		return err
	})
	return copied, storageError(err, "copy into "+table)
}

// merge upserts the staging table of t into t and returns the rows changed.
func (w *copyWriter) merge(t *gridTable) (int64, error) {
	cols := strings.Join(t.cols, ", ")
	// upsertSQL's conflict clause, after its VALUES list.
	up := t.upsertSQL(Postgres, 1)
	conflict := up[strings.Index(up, " ON CONFLICT "):]
	res, err := w.tx.ExecContext(w.ctx, fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM stage_%s%s`, t.name, cols, cols, t.name, conflict))
	if err != nil {
		return 0, storageError(err, "insert into "+t.name)
	}
	c, err := res.RowsAffected()
	return c, storageError(err, "insert into "+t.name)
}

// rows stages and merges n rows of t, or copies them straight into t when
// fresh says none of them can be there yet.
func (w *copyWriter) rows(t *gridTable, fresh bool, n int, row func(i int) []any) (int64, error) {
	if n == 0 {
		return 0, nil
	}
	if fresh {
		return w.copy(t.name, t, n, row)
	}
	if err := w.stage(t, n, row); err != nil {
		return 0, err
	}
	return w.merge(t)
}

func (w *copyWriter) write(b *coupole.Batch) (int64, error) {
	type meterRow struct {
		ean coupole.EAN
		m   coupole.MeterInstallation
	}
	var meters []meterRow
	for _, ap := range b.AccessPoints {
		for _, m := range ap.Meters {
			meters = append(meters, meterRow{ap.EAN, m})
		}
	}
	steps := []func() (int64, error){
		func() (int64, error) {
			return w.rows(tblSuppliers, false, len(b.Suppliers), func(i int) []any {
				s := b.Suppliers[i]
				return []any{s.ID, s.Name}
			})
		},
		func() (int64, error) {
			return w.rows(tblCPAS, false, len(b.CPAS), func(i int) []any {
				c := b.CPAS[i]
				return []any{c.ID, c.Name, c.Town}
			})
		},
		func() (int64, error) {
			return w.rows(tblAccessPoints, w.freshAccessPoints, len(b.AccessPoints), func(i int) []any {
				ap := b.AccessPoints[i]
				ad := ap.Address
				return []any{string(ap.EAN), string(ap.Energy), string(ap.Regime), ad.Street, ad.Number, ad.Box, ad.Postcode, ad.Town, textfold.Fold(ad.Street)}
			})
		},
		func() (int64, error) {
			return w.rows(tblMeters, w.freshAccessPoints, len(meters), func(i int) []any {
				m := meters[i]
				return []any{string(m.ean), copyDay(m.m.From), string(normMeter(m.m.Number)), copyNullDay(m.m.To)}
			})
		},
		func() (int64, error) { return w.customers(b.Customers) },
		func() (int64, error) {
			return w.rows(tblOccupancies, w.freshAccessPoints, len(b.Occupancies), func(i int) []any {
				o := b.Occupancies[i]
				in, out := o.MoveInIndex, o.MoveOutIndex
				return []any{string(o.EAN), copyDay(o.MoveIn), o.CustomerID, copyNullDay(o.MoveOut),
					in.DayKWh, in.NightKWh, in.ExclusiveNightKWh, in.GasM3,
					out.DayKWh, out.NightKWh, out.ExclusiveNightKWh, out.GasM3}
			})
		},
		func() (int64, error) {
			return w.rows(tblSupplyPeriods, w.freshAccessPoints, len(b.SupplyPeriods), func(i int) []any {
				p := b.SupplyPeriods[i]
				return []any{string(p.EAN), copyDay(p.From), p.SupplierID, copyNullDay(p.To)}
			})
		},
		func() (int64, error) {
			return w.rows(tblMandates, w.freshMandates, len(b.Mandates), func(i int) []any {
				m := b.Mandates[i]
				return []any{m.ID, m.CustomerID, m.MandataryName, nullString(m.CPASID), string(m.Scope), copyDay(m.ValidFrom), copyNullDay(m.ValidTo)}
			})
		},
		func() (int64, error) {
			return w.rows(tblReadings, w.freshAccessPoints, len(b.Readings), func(i int) []any {
				r := b.Readings[i]
				g := r.Registers
				return []any{string(r.EAN), copyDay(r.Date), string(normMeter(r.Meter)), string(r.Source), string(r.Regime),
					g.DayKWh, g.NightKWh, g.ExclusiveNightKWh, g.GasM3}
			})
		},
		func() (int64, error) {
			return w.rows(tblNotices, w.freshNotices, len(b.PublicNotices), func(i int) []any {
				n := b.PublicNotices[i]
				return []any{n.ID, string(n.Kind), string(n.Energy), n.Postcode, n.Town, n.Street, textfold.Fold(n.Street),
					copyInstant(n.From), copyInstant(n.To), n.Description}
			})
		},
	}
	var total int64
	for _, step := range steps {
		c, err := step()
		if err != nil {
			return 0, err
		}
		total += c
	}
	return total, nil
}

// customers upserts customers and keeps their name keys in step, as
// batchWriter.customers does: the keys of a customer whose name changed are
// replaced, those of an unchanged name are left alone.
func (w *copyWriter) customers(cs []coupole.Customer) (int64, error) {
	if len(cs) == 0 {
		return 0, nil
	}
	row := func(i int) []any {
		c := cs[i]
		ad := c.PostalAddress
		var reg any
		if c.Mobile != "" {
			reg = copyInstant(c.MobileRegisteredAt)
		}
		return []any{c.ID, c.GivenName, c.FamilyName, string(c.Language), nullString(c.Mobile), reg, nullString(c.Email),
			ad.Street, ad.Number, ad.Box, ad.Postcode, ad.Town}
	}
	type keyRow struct{ key, id string }
	var fresh []keyRow
	keyCopy := func(i int) []any { return []any{fresh[i].key, fresh[i].id} }
	if w.freshCustomers {
		changed, err := w.copy(tblCustomers.name, tblCustomers, len(cs), row)
		if err != nil {
			return 0, err
		}
		for _, c := range cs {
			for _, k := range nameKeys(c.GivenName, c.FamilyName) {
				fresh = append(fresh, keyRow{k, c.ID})
			}
		}
		if _, err := w.rows(tblNameKeys, true, len(fresh), keyCopy); err != nil {
			return 0, err
		}
		return changed, flagProtections(w.ctx, w.tx, cs)
	}
	if err := w.stage(tblCustomers, len(cs), row); err != nil {
		return 0, err
	}
	// The names as stored before this batch, of the customers it holds that
	// exist: none on a first load, so one round trip that returns nothing.
	old := map[string]storedName{}
	if err := readStoredNames(w.ctx, w.tx, old, `SELECT c.id, c.given_name, c.family_name FROM customers c JOIN stage_customers s ON s.id = c.id`); err != nil {
		return 0, err
	}
	var staleKeys, staleIDs []string
	for _, c := range cs {
		o, existed := old[c.ID]
		if existed && o.given == c.GivenName && o.family == c.FamilyName {
			continue
		}
		if existed {
			for _, k := range nameKeys(o.given, o.family) {
				staleKeys, staleIDs = append(staleKeys, k), append(staleIDs, c.ID)
			}
		}
		for _, k := range nameKeys(c.GivenName, c.FamilyName) {
			fresh = append(fresh, keyRow{k, c.ID})
		}
	}
	if len(staleKeys) > 0 {
		if _, err := w.tx.ExecContext(w.ctx, `DELETE FROM customer_name_keys
			WHERE (name_key, customer_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, staleKeys, staleIDs); err != nil {
			return 0, storageError(err, "update name keys")
		}
	}
	changed, err := w.merge(tblCustomers)
	if err != nil {
		return 0, err
	}
	if _, err := w.rows(tblNameKeys, false, len(fresh), keyCopy); err != nil {
		return 0, err
	}
	return changed, flagProtections(w.ctx, w.tx, cs)
}

// copyDay is a date as the binary COPY format takes it: the calendar day of
// t (as day formats it), at midnight UTC.
func copyDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func copyNullDay(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return copyDay(t)
}

// copyInstant is an instant to the microsecond, as instant stores it.
func copyInstant(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
